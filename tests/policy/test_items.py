"""The six items, their offices, clocks and least-privilege views come from a data file."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from locales import LANGUAGES, catalog
from policy.items import (
    DEFAULT_ITEMS_FILE,
    ItemsFileError,
    applicable_items,
    due_at,
    form_fields,
    item,
    load_items,
)
from policy.materials import MATERIAL_CODES, Answers, checklist

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEVEN = Path(__file__).parent / "fixtures" / "items_seven.toml"
SIX = (
    "pension_claim",
    "archive_certificate",
    "veteran_check",
    "community_registration",
    "medical_insurance",
    "housing_fund",
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_the_six_items_in_the_plans_order():
    assert tuple(i.code for i in load_items()) == SIX


@pytest.mark.parametrize(
    ("code", "office", "office_name_zh"),
    [
        ("pension_claim", "social_insurance_center", "旗就业和社会保险事业中心"),
        ("archive_certificate", "hr_service_center", "旗人力资源综合服务中心"),
        ("veteran_check", "veterans_affairs_bureau", "旗退役军人事务局"),
        ("community_registration", "town_government", "各镇人民政府（镇党群服务中心）"),
        ("medical_insurance", "medical_security_bureau", "旗医疗保障局"),
        ("housing_fund", "housing_fund_yiqi", "公积金伊旗管理部"),
    ],
)
def test_each_item_has_its_office(code, office, office_name_zh):
    definition = item(code)
    assert definition.office == office
    assert definition.office_name_zh == office_name_zh
    assert definition.office_name_key == f"office.{office}.name"
    assert definition.name_key == f"item.{code}.name"


def test_item_and_office_names_exist_in_every_language():
    for language in LANGUAGES:
        texts = catalog(language)
        for i in load_items():
            assert i.name_key in texts and i.office_name_key in texts, f"{language}:{i.code}"
    assert all(catalog("zh_CN")[i.name_key] == i.name_zh for i in load_items())


def test_the_town_is_picked_by_the_applicants_town():
    assert item("community_registration").office_routed_by == "town"
    assert all(item(c).office_routed_by is None for c in SIX if c != "community_registration")


# --- clocks ---


@pytest.mark.parametrize(
    "code", ["pension_claim", "archive_certificate", "veteran_check", "community_registration"]
)
def test_offices_answer_within_two_office_hours(code):
    clock = item(code).clock
    assert (clock.kind, clock.hours) == ("hours", 2)
    assert item(code).dispatched


def test_medical_insurance_answers_five_working_days_after_the_pension_decision():
    clock = item("medical_insurance").clock
    assert (clock.kind, clock.working_days, clock.after) == (
        "working_days_after",
        5,
        "pension_claim",
    )


def test_housing_fund_is_done_online_by_the_applicant():
    housing = item("housing_fund")
    assert housing.clock.kind == "online_by_applicant"
    assert not housing.dispatched
    assert housing.fields == () and housing.materials == () and housing.result == ()


def test_due_times():
    friday_evening = at("2026-11-27 17:30")
    assert due_at(item("pension_claim"), friday_evening) == at("2026-11-30 10:00")
    medical = item("medical_insurance")
    assert due_at(medical, friday_evening) is None, "waits for the pension decision"
    # Pension decided on 2026-09-28: five working days later is the make-up Saturday 10-10.
    assert due_at(medical, friday_evening, at("2026-09-28 10:00")) == at("2026-10-10 18:00")
    assert due_at(item("housing_fund"), friday_evening) is None


# --- least privilege ---


def test_community_registration_sees_who_and_where_only():
    town = item("community_registration")
    assert set(town.fields) == {"name", "id_number", "phone", "town"}
    assert not {"pension_handbook", "tax_receipts", "social_security_card"} & set(town.materials)


def test_visible_fields_cut_the_one_form_down_to_the_office_view():
    form = {f: f"value of {f}" for f in form_fields()}
    view = item("community_registration").visible_fields(form)
    assert set(view) == {"name", "id_number", "phone", "town"}
    assert item("housing_fund").visible_fields(form) == {}
    assert item("veteran_check").visible_fields({"name": "张三"}) == {"name": "张三"}


def test_contribution_history_goes_only_to_the_pension_office():
    history = {"pension_handbook", "tax_receipts", "labour_capacity_appraisal"}
    history_fields = {"paid_before_1995_07", "handbook", "lump_sum_before_1996", "receipts"}
    for i in load_items():
        if i.code == "pension_claim":
            assert history <= set(i.materials)
            assert history_fields <= set(i.fields)
        else:
            assert not history & set(i.materials), i.code
            assert not history_fields & set(i.fields), i.code


def test_special_materials_go_to_the_office_that_checks_them():
    seen_by = {m: {i.code for i in load_items() if m in i.materials} for m in MATERIAL_CODES}
    assert seen_by["household_register"] == {"archive_certificate"}
    assert seen_by["discharge_certificate"] == {"veteran_check"}
    assert all(seen_by[m] for m in MATERIAL_CODES), "every material is used by some office"


def test_items_name_only_fields_of_the_one_form():
    fields = set(form_fields())
    for i in load_items():
        assert set(i.fields) <= fields, i.code


# --- who gets which item ---


@pytest.mark.parametrize("veteran", [None, False, True])
def test_the_six_items_apply_to_every_worker(veteran):
    """The plan lists the veteran check among every worker's six items."""
    assert item("veteran_check").when is None
    assert [i.code for i in applicable_items(Answers(veteran=veteran))] == list(SIX)


def test_applies_to_an_answer_limits_an_item():
    items = load_items(SEVEN)
    assert item("annuity_claim", items).when == "has_employer"
    assert "annuity_claim" not in [i.code for i in applicable_items(Answers(), items)]
    chosen = applicable_items(Answers(has_employer=True, veteran=False), items)
    assert "annuity_claim" in [i.code for i in chosen]
    assert "veteran_check" not in [i.code for i in chosen]


def test_consent_names_every_office_and_what_it_sees():
    text = catalog("zh_CN")["dialogs.consent_full"]  # one tap from the short notice
    for i in load_items():
        assert i.office_name_zh in text, i.code


# --- results ---


@pytest.mark.parametrize(
    ("code", "fields"),
    [
        ("pension_claim", {"monthly_pension", "first_pension_month", "archive_birth_date"}),
        ("archive_certificate", {"archive_birth_date", "first_employment_date"}),
        ("veteran_check", {"is_veteran", "service_years", "service_counted"}),
        ("community_registration", {"town"}),
        ("medical_insurance", {"contribution_months", "back_payment_due"}),
        ("housing_fund", set()),
    ],
)
def test_done_answers_carry_the_items_data(code, fields):
    assert {f.code for f in item(code).result} == fields


def test_result_validation():
    pension = item("pension_claim")
    assert pension.validate_result({"monthly_pension": "3456.70"}) == ()
    assert pension.validate_result({"monthly_pension": Decimal("3456.7")}) == ()
    assert pension.validate_result({}) == ("missing:monthly_pension",)
    assert pension.validate_result({"monthly_pension": "3456.789"}) == ("invalid:monthly_pension",)
    assert pension.validate_result({"monthly_pension": "-1"}) == ("invalid:monthly_pension",)
    assert pension.validate_result({"monthly_pension": "lots"}) == ("invalid:monthly_pension",)
    assert pension.validate_result({"monthly_pension": 3000, "tip": 1}) == ("unknown:tip",)
    for month, problems in [
        ("2026-06", ()),
        ("2026-12", ()),
        ("2026-13", ("invalid:first_pension_month",)),
        ("2026-6", ("invalid:first_pension_month",)),
        ("2026-06-01", ("invalid:first_pension_month",)),
        ("六月", ("invalid:first_pension_month",)),
    ]:
        data = {"monthly_pension": "3456.70", "first_pension_month": month}
        assert pension.validate_result(data) == problems, month
    archive = item("archive_certificate")
    assert (
        archive.validate_result(
            {"archive_birth_date": "1966-01-15", "first_employment_date": date(1985, 7, 1)}
        )
        == ()
    )
    assert archive.validate_result(
        {"archive_birth_date": "1966-02-30", "first_employment_date": "1985-07-01"}
    ) == ("invalid:archive_birth_date",)
    veteran = item("veteran_check")
    assert veteran.validate_result({"is_veteran": False}) == ()
    assert veteran.validate_result({"is_veteran": True, "service_years": 4.5}) == ()
    assert veteran.validate_result({"is_veteran": "no"}) == ("invalid:is_veteran",)
    medical = item("medical_insurance")
    assert medical.validate_result({"contribution_months": 300, "back_payment_due": 0}) == ()
    assert medical.validate_result({"contribution_months": True, "back_payment_due": 0}) == (
        "invalid:contribution_months",
    )
    assert item("community_registration").validate_result({"town": " "}) == ("invalid:town",)
    assert item("housing_fund").validate_result({}) == ()


def test_unknown_item():
    with pytest.raises(KeyError):
        item("fishing_licence")


def test_default_file_is_read_once():
    assert load_items() is load_items()
    assert load_items(DEFAULT_ITEMS_FILE) == load_items()


# --- a seventh item from data alone ---


def test_a_seventh_item_appears_without_code_changes():
    items = load_items(SEVEN)
    assert tuple(i.code for i in items) == (*SIX, "annuity_claim")
    annuity = item("annuity_claim", items)
    assert annuity.clock.hours == 4
    assert due_at(annuity, at("2026-11-27 17:00")) == at("2026-11-30 11:30")
    assert annuity.applies_to(Answers(has_employer=True))
    assert not annuity.applies_to(Answers(has_employer=False))
    # The checklist now tells the employed applicant that the annuity office uses the ID card.
    id_card = next(r for r in checklist(Answers(has_employer=True), items) if r.code == "id_card")
    assert "annuity_claim" in id_card.items and "annuity_center" in id_card.offices
    self_employed = checklist(Answers(has_employer=False), items)
    assert all("annuity_claim" not in r.items for r in self_employed)
    assert annuity.validate_result({"annuity_monthly": "800.00"}) == ()
    # The shipped configuration is untouched.
    assert len(load_items()) == 6


# --- malformed files are refused with a clear message ---

GOOD_ITEM = """
[form]
fields = ["name", "id_number"]

[[items]]
code = "a"
name_zh = "甲"
office = "o"
office_name_zh = "某局"
clock = { kind = "hours", hours = 2 }
fields = ["name"]
materials = ["id_card"]
result = [{ code = "x", type = "text", required = true }]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "items.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_file_loads(tmp_path):
    (only,) = load_items(write(tmp_path, GOOD_ITEM))
    assert only.code == "a" and only.materials == ("id_card",)


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ('materials = ["id_card"]', 'materials = ["passport"]', "unknown materials"),
        ('fields = ["name"]', 'fields = ["salary"]', "not on the form"),
        ('fields = ["name"]', "fields = []", "needs fields"),
        ('kind = "hours", hours = 2', 'kind = "hours", hours = 0', "positive number"),
        ('kind = "hours", hours = 2', 'kind = "someday"', "clock.kind"),
        (
            'kind = "hours", hours = 2',
            'kind = "working_days_after", working_days = 5, after = "nobody"',
            "names no other item",
        ),
        (
            'kind = "hours", hours = 2',
            'kind = "working_days_after", working_days = 5, after = "a"',
            "names no other item",
        ),
        ('type = "text"', 'type = "colour"', "type among"),
        ('code = "a"', 'code = "a"\napplies_to = "is_rich"', "applies_to must be"),
        ('code = "a"', 'code = "a"\nwhen = "veteran"', "now 'applies_to'"),
        ('code = "a"', 'code = "a"\noffice_routed_by = "town"', "office_routed_by"),
        ('office_name_zh = "某局"', 'office_name_zh = ""', "office_name_zh is required"),
    ],
)
def test_malformed_item_is_refused(tmp_path, old, new, complaint):
    assert old in GOOD_ITEM
    with pytest.raises(ItemsFileError, match=complaint):
        load_items(write(tmp_path, GOOD_ITEM.replace(old, new)))


def test_duplicate_codes_and_waiting_cycles_are_refused(tmp_path):
    second = GOOD_ITEM.split("[[items]]")[1]
    with pytest.raises(ItemsFileError, match="used twice"):
        load_items(write(tmp_path, GOOD_ITEM + "[[items]]" + second))
    cycle = (
        GOOD_ITEM.replace(
            'kind = "hours", hours = 2',
            'kind = "working_days_after", working_days = 1, after = "b"',
        )
        + "[[items]]"
        + second.replace('code = "a"', 'code = "b"').replace(
            'kind = "hours", hours = 2',
            'kind = "working_days_after", working_days = 1, after = "a"',
        )
    )
    with pytest.raises(ItemsFileError, match="cycle"):
        load_items(write(tmp_path, cycle))


def test_a_file_without_items_is_refused(tmp_path):
    with pytest.raises(ItemsFileError, match="no"):
        load_items(write(tmp_path, '[form]\nfields = ["name"]\n'))
