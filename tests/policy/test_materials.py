"""The materials checklist (申请材料) follows the plan's rules and exceptions for each answer."""

import itertools
from typing import Any

import pytest

from locales import LANGUAGES, catalog
from policy.materials import (
    MATERIAL_CODES,
    QUESTIONS,
    Answers,
    Requirement,
    answer,
    checklist,
    dependents,
    next_question,
    open_questions,
    questions_needed,
    requirement,
)

ALWAYS = ("application_form", "id_card", "social_security_card")


def codes(answers: Answers) -> tuple[str, ...]:
    return tuple(r.code for r in checklist(answers))


def entry(answers: Answers, code: str) -> Requirement:
    found = requirement(answers, code)
    assert found is not None, f"{code} missing from the checklist"
    return found


def test_material_codes_are_stable():
    assert MATERIAL_CODES == (
        "application_form",
        "id_card",
        "social_security_card",
        "household_register",
        "pension_handbook",
        "tax_receipts",
        "labour_capacity_appraisal",
        "discharge_certificate",
    )


def test_form_id_card_and_social_security_card_are_always_needed():
    assert codes(Answers()) == ALWAYS
    nobody_special = Answers(
        has_employer=False,
        name_matches_archive=True,
        paid_before_1995_07=False,
        lump_sum_before_1996=False,
        veteran=False,
        illness_disability=False,
    )
    assert codes(nobody_special) == ALWAYS


def test_everything_special_lists_all_eight_in_a_stable_order():
    everyone = Answers(
        has_employer=True,
        name_matches_archive=False,
        paid_before_1995_07=True,
        handbook="have",
        lump_sum_before_1996=True,
        receipts="have",
        veteran=True,
        illness_disability=True,
    )
    assert codes(everyone) == MATERIAL_CODES


def test_application_form_needs_the_employer_stamp_only_with_an_employer():
    employed = entry(Answers(has_employer=True), "application_form")
    assert employed.needs_employer_stamp
    assert employed.reason_key == "material.application_form.reason.employer"
    for has_employer in (False, None):
        form = entry(Answers(has_employer=has_employer), "application_form")
        assert not form.needs_employer_stamp
        assert form.reason_key == "material.application_form.reason.always"
    # No other material is ever stamped.
    assert not any(r.needs_employer_stamp for r in checklist(Answers(has_employer=True))[1:])


def test_household_register_only_when_the_names_differ():
    assert "household_register" in codes(Answers(name_matches_archive=False))
    assert "household_register" not in codes(Answers(name_matches_archive=True))
    assert "household_register" not in codes(Answers())
    register = entry(Answers(name_matches_archive=False), "household_register")
    assert register.reason_key == "material.household_register.reason.name_differs"
    assert not register.lost_allowed


def test_handbook_not_needed_when_nothing_was_paid_before_july_1995():
    assert "pension_handbook" not in codes(Answers(paid_before_1995_07=False))
    # A stale "lost" from before an edit does not bring it back.
    assert "pension_handbook" not in codes(Answers(paid_before_1995_07=False, handbook="lost"))


def test_handbook_needed_when_paid_before_july_1995():
    handbook = entry(Answers(paid_before_1995_07=True, handbook="have"), "pension_handbook")
    assert handbook.reason_key == "material.pension_handbook.reason.paid_before_1995_07"
    assert handbook.lost_allowed and not handbook.lost and handbook.needs_upload
    assert handbook.min_pages >= 1


def test_lost_handbook_stays_on_the_list_and_the_center_looks_it_up():
    handbook = entry(Answers(paid_before_1995_07=True, handbook="lost"), "pension_handbook")
    assert handbook.lost and not handbook.needs_upload
    assert handbook.min_pages == 0
    assert handbook.reason_key == "material.pension_handbook.reason.lost"
    assert handbook.offices == ("social_insurance_center",)
    assert "就业和社会保险事业中心" in catalog("zh_CN")[handbook.reason_key]


def test_tax_receipts_only_after_a_lump_sum_back_payment_before_1996():
    assert "tax_receipts" not in codes(Answers(lump_sum_before_1996=False))
    receipts = entry(Answers(lump_sum_before_1996=True, receipts="have"), "tax_receipts")
    assert receipts.reason_key == "material.tax_receipts.reason.lump_sum_before_1996"
    assert receipts.lost_allowed and receipts.needs_upload


def test_lost_tax_receipts_are_looked_up_by_the_center():
    receipts = entry(Answers(lump_sum_before_1996=True, receipts="lost"), "tax_receipts")
    assert receipts.lost and not receipts.needs_upload
    assert receipts.reason_key == "material.tax_receipts.reason.lost"
    assert receipts.offices == ("social_insurance_center",)


def test_labour_capacity_appraisal_for_illness_or_non_work_disability():
    assert "labour_capacity_appraisal" not in codes(Answers(illness_disability=False))
    appraisal = entry(Answers(illness_disability=True), "labour_capacity_appraisal")
    assert not appraisal.lost_allowed
    reason = catalog("zh_CN")[appraisal.reason_key]
    assert "鄂尔多斯市劳动能力鉴定委员会" in reason and "完全丧失劳动能力" in reason


def test_discharge_certificate_for_veterans_goes_to_the_veterans_bureau():
    assert "discharge_certificate" not in codes(Answers(veteran=False))
    certificate = entry(Answers(veteran=True), "discharge_certificate")
    assert certificate.items == ("veteran_check",)
    assert certificate.offices == ("veterans_affairs_bureau",)
    assert not certificate.lost_allowed


def test_only_handbook_and_receipts_may_be_reported_lost():
    everyone = Answers(
        has_employer=True,
        name_matches_archive=False,
        paid_before_1995_07=True,
        handbook="have",
        lump_sum_before_1996=True,
        receipts="have",
        veteran=True,
        illness_disability=True,
    )
    allowed = {r.code for r in checklist(everyone) if r.lost_allowed}
    assert allowed == {"pension_handbook", "tax_receipts"}


def test_id_card_needs_front_and_back_and_the_others_at_least_one_page():
    everyone = Answers(
        name_matches_archive=False,
        paid_before_1995_07=True,
        handbook="have",
        lump_sum_before_1996=True,
        receipts="have",
        veteran=True,
        illness_disability=True,
    )
    pages = {r.code: (r.min_pages, r.max_pages) for r in checklist(everyone)}
    assert pages["id_card"] == (2, 2)
    for code, (low, high) in pages.items():
        if code != "id_card":
            assert low == 1, code
        assert high >= low, code


def test_items_and_offices_that_use_each_material_follow_the_items_file():
    materials = {r.code: r for r in checklist(Answers(veteran=False))}
    assert "pension_claim" in materials["id_card"].items
    # Every worker's veteran check looks the ID number up: it needs no photo of the card.
    assert "veteran_check" not in materials["id_card"].items
    assert "housing_fund" not in materials["id_card"].items, "done online: nothing sent"
    assert materials["social_security_card"].offices == (
        "social_insurance_center",
        "medical_security_bureau",
    )
    veteran = {r.code: r for r in checklist(Answers(veteran=True))}
    assert veteran["discharge_certificate"].items == ("veteran_check",)


def test_every_checklist_text_exists_in_every_language():
    """Every combination of answers gives entries whose name and reason can be shown."""
    choices: list[tuple[Any, ...]] = [
        (True, False, None),  # has_employer
        (True, False, None),  # name_matches_archive
        (True, False, None),  # paid_before_1995_07
        ("have", "lost", None),  # handbook
        (True, False, None),  # lump_sum_before_1996
        ("have", "lost", None),  # receipts
        (True, False, None),  # veteran
        (True, False, None),  # illness_disability
    ]
    keys: set[str] = set()
    for combination in itertools.product(*choices):
        for r in checklist(Answers(*combination)):
            keys.update((r.name_key, r.reason_key))
    for language in LANGUAGES:
        missing = keys - set(catalog(language))
        assert not missing, f"{language}: {sorted(missing)}"


# --- questions ---


def test_first_questions_skip_the_follow_ups():
    assert questions_needed(Answers()) == (
        "ask_has_employer",
        "ask_name_matches_archive",
        "ask_paid_before_1995_07",
        "ask_lump_sum_before_1996",
        "ask_veteran",
    )


def test_handbook_question_only_after_paying_before_july_1995():
    assert "ask_handbook" in questions_needed(Answers(paid_before_1995_07=True))
    assert "ask_handbook" not in questions_needed(Answers(paid_before_1995_07=False))
    needed = questions_needed(Answers(paid_before_1995_07=True))
    assert needed.index("ask_handbook") == needed.index("ask_paid_before_1995_07") + 1


def test_receipts_question_only_after_a_lump_sum_payment():
    assert "ask_receipts" in questions_needed(Answers(lump_sum_before_1996=True))
    assert "ask_receipts" not in questions_needed(Answers(lump_sum_before_1996=False))


def test_a_whole_conversation_asks_each_question_that_matters_once():
    replies = {
        "ask_has_employer": True,
        "ask_name_matches_archive": True,
        "ask_paid_before_1995_07": True,
        "ask_handbook": "lost",
        "ask_lump_sum_before_1996": False,
        "ask_veteran": False,
    }
    answers = Answers()
    asked: list[str] = []
    while (question := next_question(answers)) is not None:
        asked.append(question)
        answers = answer(answers, question, replies[question])
    assert asked == list(replies)
    assert open_questions(answers) == ()
    assert entry(answers, "pension_handbook").lost


def test_dependents_of_each_question():
    assert dependents("ask_paid_before_1995_07") == ("ask_handbook",)
    assert dependents("ask_lump_sum_before_1996") == ("ask_receipts",)
    for key in ("ask_has_employer", "ask_name_matches_archive", "ask_veteran", "ask_handbook"):
        assert dependents(key) == ()
    with pytest.raises(ValueError):
        dependents("ask_favourite_colour")


def test_editing_an_answer_re_asks_only_its_dependents():
    done = Answers(
        has_employer=True,
        name_matches_archive=True,
        paid_before_1995_07=True,
        handbook="have",
        lump_sum_before_1996=True,
        receipts="lost",
        veteran=False,
    )
    assert open_questions(done) == ()
    edited = answer(done, "ask_paid_before_1995_07", False)
    assert edited.handbook is None and edited.receipts == "lost"
    assert open_questions(edited) == ()  # no handbook question any more
    back = answer(edited, "ask_paid_before_1995_07", True)
    assert open_questions(back) == ("ask_handbook",)
    # Giving the same answer again changes nothing.
    assert answer(done, "ask_lump_sum_before_1996", True) == done


def test_malformed_answers_are_refused():
    with pytest.raises(ValueError):
        Answers(handbook="los")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Answers(veteran="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        answer(Answers(), "ask_receipts", "maybe")
    with pytest.raises(ValueError):
        answer(Answers(), "ask_shoe_size", 42)
    with pytest.raises(ValueError):
        requirement(Answers(), "passport")


def test_every_question_has_a_text_in_every_language():
    for language in LANGUAGES:
        texts = catalog(language)
        for key in QUESTIONS:
            assert f"material.question.{key}" in texts, f"{language}:{key}"
        assert {"material.option.have", "material.option.lost"} <= set(texts)
