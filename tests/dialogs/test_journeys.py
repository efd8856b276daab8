"""Scripted journeys through the real service, on SQLite and on PostgreSQL: what the applicant is
asked, what they are told, and what the record holds afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.settings import Settings
from cases import repositories as repo
from cases.db import Database
from cases.models import Applicant, Case, MaterialPage, PlatformOutbox, Reminder, StaffTask
from tests.dialogs.conftest import Person, Store, id_number, page

EMPLOYER = "伊金霍洛旗某煤业有限公司"


async def town_and_employer(p: Person, town: str = "altan_xire") -> None:
    """The town, then "yes, an insured employer" and its name."""
    assert p.question == "ask_town", p.question
    await p.tap(town)
    await p.tap("yes")
    assert p.question == "ask_employer_name"
    await p.text(EMPLOYER)


async def finish_uploads(p: Person, *extra: str) -> None:
    """Upload every material the bot asks for, two pages where two are needed."""
    for _ in range(12):
        q = p.question or ""
        if not q.startswith("ask_upload_"):
            return
        code = q.removeprefix("ask_upload_")
        await p.files(page(f"{code}-1"))
        if p.question == q:
            if code == "id_card":
                await p.files(page(f"{code}-2"))
            else:
                await p.tap("done")
    raise AssertionError("uploads never ended")


def one(db_session, model, **where):  # type: ignore[no-untyped-def]
    query = select(model).filter_by(**where)
    return list(db_session.scalars(query))


async def test_employee_with_an_employer_submits_and_gets_a_case_number(
    person: Person, db: Database
) -> None:
    """A man with an employer: verdict, checklist with the stamped form, uploads, submission."""
    await person.command("start")
    assert "仅供参考，以人社部门审核为准" in person.texts()
    assert "住房公积金" in person.texts()  # the six items are named
    assert person.question == "ask_language"
    await person.tap("zh_CN")
    assert person.question == "ask_consent"
    assert person.choices() == ["agree", "decline", "full_text"]
    await person.tap("agree")
    await person.text("张建国")
    await person.text(id_number("19650315"))
    assert person.question == "ask_phone"
    await person.contact("+86 138 4771 2345")
    assert person.question == "ask_retirement_type"  # a man is not asked for a category
    await person.tap("normal")
    await person.text("十五年")
    assert "2025年4月" in person.texts()  # 60y1m after 1965-03
    assert "仅供参考" in person.texts()
    assert person.question == "ask_town"
    assert person.choices()[0] == "altan_xire" and person.choices()[-1] == "town_other"
    await person.text("阿镇")  # typed by its nickname
    assert person.question == "ask_has_employer"
    await person.tap("yes")
    assert person.question == "ask_employer_name"
    await person.text(EMPLOYER)
    await person.tap("yes")  # name matches the archive
    await person.tap("no")  # nothing paid before 1995-07: no handbook question
    assert person.question == "ask_lump_sum_before_1996"
    await person.tap("no")
    await person.tap("no")  # not a veteran
    assert "加盖单位公章" in person.texts()
    assert person.question == "ask_upload_application_form"
    await finish_uploads(person)
    assert person.question == "ask_review"
    assert "1506**********1218" in person.texts()
    assert "138****2345" in person.texts()
    assert "所在镇：阿勒腾席热镇" in person.texts() and f"参保单位：{EMPLOYER}" in person.texts()
    out = await person.tap("submit")
    assert out.state == "submitted"
    assert out.case_number == "YJ-20261126-0001"
    assert "YJ-20261126-0001" in person.texts()

    def record(session):  # type: ignore[no-untyped-def]
        case = session.scalars(select(Case)).one()
        applicant = session.get(Applicant, case.applicant_id)
        calls = one(session, PlatformOutbox, case_id=case.id)
        codes = {p.material_code for p in one(session, MaterialPage, case_id=case.id)}
        return case, repo.id_number_of(session, applicant), calls, codes

    case, number, calls, codes = await db.run(record)
    assert case.status == "submitted" and case.form["has_employer"] is True
    assert case.form["employer_name"] == EMPLOYER and case.form["town"] == "阿勒腾席热镇"
    assert "150627196503151218" not in str(case.form)  # the form never holds the raw number
    assert number == "150627196503151218"  # it is on the applicant, encrypted
    assert [c.kind for c in calls] == ["submit"]
    assert codes == {"application_form", "id_card", "social_security_card"}


async def test_flexible_employment_needs_no_employer_stamp(person: Person) -> None:
    """Without an employer (typed "没有") the form is still needed, without a stamp."""
    await person.through_identity()
    await person.tap("normal")
    await person.text("20年")
    await person.tap("ulan_mulun")
    await person.text("没有")
    assert person.question == "ask_name_matches_archive"
    await person.text("一样")
    await person.text("没交过")
    await person.text("没有")
    await person.text("不是")
    assert "加盖单位公章" not in person.texts()
    assert "所有申请人都需要填写" in person.texts()
    assert person.question == "ask_upload_application_form"


async def test_woman_worker_is_asked_her_post_and_told_it_is_to_be_confirmed(
    person: Person,
) -> None:
    await person.through_identity(name="王秀英", number=id_number("19750115", male=False))
    assert person.question == "ask_category"
    assert person.choices() == ["female_cadre", "female_worker"]
    await person.text("工人")
    await person.tap("normal")
    await person.text("不清楚")
    assert "2025年2月" in person.texts()  # 50y1m after 1975-01
    assert "岗位类别以经办机构确认为准" in person.texts()
    assert person.question == "ask_town"


async def test_veteran_is_asked_for_the_discharge_certificate(person: Person) -> None:
    await person.through_identity()
    for answer in ("normal",):
        await person.tap(answer)
    await person.text("30年")
    await town_and_employer(person)
    for answer in ("yes", "no", "no", "yes"):
        await person.tap(answer)
    assert "退伍证" in person.texts()
    await person.files(page("form"))
    await person.tap("done")
    await person.files(page("front"), page("back"))  # an album: both sides at once
    await person.files(page("ssc"))
    await person.tap("done")
    assert person.question == "ask_upload_discharge_certificate"


async def test_lost_handbook_is_looked_up_by_the_office_not_uploaded(
    person: Person, db: Database
) -> None:
    await person.through_identity()
    await person.tap("normal")
    await person.text("32年")
    await town_and_employer(person)
    await person.tap("yes")
    await person.tap("yes")  # paid before 1995-07
    assert person.question == "ask_handbook"
    assert person.choices() == ["have", "lost"]
    await person.text("丢了")
    await person.tap("no")
    await person.tap("no")
    assert "查询缴费底卡" in person.texts()
    await finish_uploads(person)
    assert person.question == "ask_review"
    assert "职工养老保险手册：遗失，由经办机构查询" in person.texts()

    def lost(session):  # type: ignore[no-untyped-def]
        return [(p.material_code, p.status) for p in one(session, MaterialPage, sha256=None)]

    assert await db.run(lost) == [("pension_handbook", "lost")]


async def test_name_mismatch_asks_for_the_household_register(person: Person) -> None:
    await person.through_identity()
    await person.tap("normal")
    await person.text("25年")
    await town_and_employer(person)
    await person.text("不一样")
    for answer in ("no", "no", "no"):
        await person.tap(answer)
    assert "户口簿" in person.texts()
    await person.files(page("form"))
    await person.tap("done")
    await person.files(page("front"), page("back"))
    await person.files(page("ssc"))
    await person.tap("done")
    assert person.question == "ask_upload_household_register"


async def test_not_yet_eligible_is_offered_a_reminder_which_is_stored(
    person: Person, db: Database
) -> None:
    await person.through_identity(number=id_number("19700520"))
    await person.tap("normal")
    await person.text("18年")
    assert "2031年10月" in person.texts()  # POLICY §3's example: man born 1970-05
    assert person.question == "ask_reminder"
    assert person.choices() == ["yes", "no"]  # too early even for flexible retirement
    out = await person.tap("yes")
    assert out.state == "waiting_for_date"
    assert "2031年7月3日" in person.texts()  # 90 days before 2031-10-01

    def reminders(session):  # type: ignore[no-untyped-def]
        return [(r.kind, r.due_on) for r in session.scalars(select(Reminder))]

    assert await db.run(reminders) == [("statutory_month", date(2031, 7, 3))]


async def test_illness_or_disability_is_explained_and_handed_to_a_person(
    person: Person, db: Database
) -> None:
    await person.through_identity()
    assert "illness_disability" in person.choices()
    out = await person.tap("illness_disability")
    assert out.state == "handed_to_person"
    assert "病残津贴" in person.texts()  # POLICY §4: explained, no early date computed
    assert "工作人员" in person.texts()

    def tasks(session):  # type: ignore[no-untyped-def]
        return [(t.kind, t.detail["reason"]) for t in session.scalars(select(StaffTask))]

    assert await db.run(tasks) == [("handover", "illness_disability")]
    await person.text("你好")
    assert "工作人员" in person.texts()  # still with a person, politely


async def reach_review(p: Person) -> None:
    await p.through_identity()
    await p.tap("normal")
    await p.text("15年")
    await town_and_employer(p)
    for answer in ("yes", "no", "no", "no"):
        await p.tap(answer)
    await finish_uploads(p)
    assert p.question == "ask_review"


async def test_an_edit_after_review_asks_only_the_dependent_questions(person: Person) -> None:
    await reach_review(person)
    await person.tap("edit")
    assert person.question == "ask_edit"
    assert "ask_paid_before_1995_07" in person.choices()
    await person.tap("ask_paid_before_1995_07")
    asked = [person.question]
    await person.tap("yes")
    asked.append(person.question)
    await person.tap("have")
    asked.append(person.question)
    await person.files(page("handbook-1"))
    await person.tap("done")
    asked.append(person.question)
    assert asked == [
        "ask_paid_before_1995_07",
        "ask_handbook",
        "ask_upload_pension_handbook",
        "ask_review",
    ]
    assert "职工养老保险手册：1页" in person.texts()
    # Changing the name asks nothing else, not even the verdict or the checklist again.
    await person.tap("edit")
    await person.tap("ask_name")
    await person.text("张建华")
    assert person.question == "ask_review"
    assert person.message_keys() == ["dialogs.ask_review"]
    assert "张建华" in person.texts()


async def test_the_older_reviews_submit_button_is_out_of_date_after_an_edit(
    person: Person, db: Database
) -> None:
    """The review shown again after an edit: 提交 on the first review (its summary has the old
    name) says it is out of date and shows the current review; nothing is submitted."""
    await reach_review(person)
    first = person.shown
    await person.tap("edit")
    await person.tap("ask_name")
    await person.text("张建华")
    assert person.question == "ask_review"
    await person.tap_older("submit", "ask_review", first)
    assert person.messages() == 1 and person.question == "ask_review"
    said = person.texts()
    assert said.startswith("这个按钮是之前的问题，已经过时了。") and "张建华" in said
    assert await db.run(lambda s: s.scalars(select(Case.status)).one()) == "draft"
    await person.tap("submit")  # the current review's button submits
    assert person.last is not None and person.last.state == "submitted"


async def test_editing_the_employer_asks_its_name_and_the_stamped_form_again(
    person: Person, db: Database
) -> None:
    """The employer's name depends on "has an employer": "no" drops it, "yes" asks it."""
    await reach_review(person)
    await person.tap("edit")
    await person.tap("ask_has_employer")
    await person.tap("no")
    assert person.question == "ask_upload_application_form"  # the form, now without a stamp
    await person.files(page("form-unstamped"))
    await person.tap("done")
    assert person.question == "ask_review"
    assert "有参保单位：否" in person.texts() and EMPLOYER not in person.texts()
    await person.tap("edit")
    await person.tap("ask_has_employer")
    await person.tap("yes")
    assert person.question == "ask_employer_name"
    await person.text("某建筑工程有限公司")
    assert person.question == "ask_upload_application_form"
    await person.files(page("form-stamped"))
    await person.tap("done")
    assert person.question == "ask_review"
    assert "参保单位：某建筑工程有限公司" in person.texts()
    await person.tap("edit")
    await person.tap("ask_town")  # the town asks nothing else
    await person.tap("town_other")
    assert person.question == "ask_review"
    assert "其他或不确定" in person.texts()
    await person.tap("submit")

    def form(session):  # type: ignore[no-untyped-def]
        return session.scalars(select(Case)).one().form

    submitted = await db.run(form)
    assert submitted["employer_name"] == "某建筑工程有限公司"
    assert submitted["town"] == "其他或不确定（由受理人员核实）"  # the clerk resolves it


async def test_a_bad_employer_name_is_explained_and_asked_again(person: Person) -> None:
    await person.through_identity()
    await person.tap("normal")
    await person.text("15年")
    await person.tap("altan_xire")
    await person.tap("yes")
    await person.text("好的")
    assert person.question == "ask_employer_name"
    await person.text("x" * 61)
    assert "dialogs.hint.employer_name" in person.message_keys()
    assert person.question == "ask_employer_name"
    await person.text("住房公积金怎么提取？")  # a question is answered, the name asked again
    assert person.message_keys() == ["faq.housing_fund", "dialogs.ask_employer_name"]
    await person.text("伊金霍洛旗住房公积金管理中心")  # full of FAQ words, still a name
    assert person.question == "ask_name_matches_archive"


async def test_a_restarted_process_continues_at_the_same_step(
    store: Store, settings: Settings, clock: Callable[[], datetime]
) -> None:
    from dialogs.service import ConversationService

    async with store.open(create=True) as db:
        p = Person(ConversationService(db, settings, clock=clock))
        await p.through_identity()
        await p.tap("normal")
        await p.text("15年")
        await town_and_employer(p)
        assert p.question == "ask_name_matches_archive"
    async with store.open() as db:  # a new process, same records
        p = Person(ConversationService(db, settings, clock=clock))
        await p.command("start")
        assert p.message_keys()[0] == "dialogs.welcome_back"
        assert p.question == "ask_name_matches_archive"
        await p.tap("no")
        assert p.question == "ask_paid_before_1995_07"


async def test_duplicate_update_changes_nothing(service, person: Person) -> None:  # type: ignore[no-untyped-def]
    await person.through_identity()
    first = await service.handle("test", "u1", _choice("normal"), update_id="9001")
    again = await service.handle("test", "u1", _choice("illness_disability"), update_id="9001")
    assert first.state == "ask_contribution"
    assert again.duplicate and again.replies == [] and again.state == "ask_contribution"


def _choice(id: str):  # type: ignore[no-untyped-def]
    from dialogs.events import Choice

    return Choice(id)


async def test_return_for_correction_reopens_only_the_rejected_material(
    person: Person, db: Database, clock
) -> None:  # type: ignore[no-untyped-def]
    await reach_review(person)
    await person.tap("submit")

    def clerk_returns(session):  # type: ignore[no-untyped-def]
        case = session.scalars(select(Case)).one()
        repo.move_case(session, case, "return_for_correction", at=clock(), actor="clerk:li")
        for p in repo.pages_of(session, case.id, "id_card"):
            repo.reject_page(session, p.id, "背面看不清")

    await db.run(clerk_returns)
    await person.command("status")
    assert "需要补正材料" in person.texts()
    assert "背面看不清" in person.texts()
    assert person.question == "ask_upload_id_card"
    await person.files(page("id_card-2"))  # the very photo that was returned
    assert "dialogs.hint.rejected_page_again" in person.message_keys()
    await person.files(page("new-front"), page("new-back"))
    assert person.last is not None and person.last.state == "submitted"
    assert "补交的材料已提交" in person.texts() and "YJ-20261126-0001" in person.texts()

    def calls(session):  # type: ignore[no-untyped-def]
        query = select(PlatformOutbox.kind).order_by(PlatformOutbox.id)
        return list(session.scalars(query))

    assert await db.run(calls) == ["submit", "supplement"]
    await person.command("status")
    assert person.question is None  # not reopened again while the supplement travels


async def test_each_returned_materials_prompt_says_what_was_wrong_with_it(
    person: Person, db: Database, clock
) -> None:  # type: ignore[no-untyped-def]
    """Photos sent straight after the clerk's return: the next material's prompt names it
    and the clerk's reason, in the same message (not a bare "请拍社保卡")."""
    await reach_review(person)
    await person.tap("submit")

    def clerk_returns(session):  # type: ignore[no-untyped-def]
        case = session.scalars(select(Case)).one()
        repo.move_case(session, case, "return_for_correction", at=clock(), actor="clerk:li")
        for code, reason in (("id_card", "背面看不清"), ("social_security_card", "照片反光")):
            for p in repo.pages_of(session, case.id, code):
                repo.reject_page(session, p.id, reason)

    await db.run(clerk_returns)
    await person.files(page("new-front"), page("new-back"))
    assert person.question == "ask_upload_social_security_card"
    assert person.messages() == 1  # the card's receipt on top of the next prompt
    receipt, prompt = person.texts().split("\n", 1)
    assert receipt.startswith("已收到身份证")
    assert prompt.startswith("社保卡需要补正：照片反光\n请拍社保卡正面")


async def test_declining_consent_explains_the_window_and_saves_nothing(
    person: Person, db: Database
) -> None:
    await person.command("start")
    await person.tap("zh_CN")
    out = await person.tap("decline")
    assert out.state == "declined"
    assert "综合窗口" in person.texts()
    await person.text("150627196503151218")
    assert out.state == "declined"

    def applicant(session):  # type: ignore[no-untyped-def]
        a = session.scalars(select(Applicant)).one()
        return a.id_number_enc, a.consented_at

    assert await db.run(applicant) == (None, None)


async def test_cancel_withdraws_consent_and_discards_the_draft(
    person: Person, db: Database
) -> None:
    await person.through_identity()
    await person.tap("normal")
    await person.text("15年")
    await town_and_employer(person)
    for answer in ("yes", "no", "no", "no"):
        await person.tap(answer)
    await person.files(page("form"))
    await person.command("cancel")
    assert person.question == "ask_cancel"
    out = await person.tap("yes")
    assert out.state == "cancelled"

    def record(session):  # type: ignore[no-untyped-def]
        a = session.scalars(select(Applicant)).one()
        return a.consent_withdrawn_at is not None, len(list(session.scalars(select(MaterialPage))))

    assert await db.run(record) == (True, 0)


async def test_a_deep_link_shows_only_the_applicants_own_case(person: Person) -> None:
    await reach_review(person)
    await person.tap("submit")
    await person.command("start", "YJ-20261126-0001")
    assert "YJ-20261126-0001" in person.texts() and "已提交" in person.texts()
    await person.command("start", "YJ-20261126-0999")
    assert person.message_keys()[0] == "dialogs.case_not_found"


async def test_inside_the_flexible_window_the_applicant_may_apply_early(person: Person) -> None:
    """Man born 1966-08: statutory 2027-01, early from 2026-08 with 15 years paid."""
    await person.through_identity(number=id_number("19660815"))
    await person.tap("normal")
    await person.text("20年")
    assert "2027年1月" in person.texts() and "2026年8月" in person.texts()
    assert person.choices() == ["yes", "no", "continue"]
    await person.tap("continue")
    assert person.question == "ask_town"


async def test_the_form_upload_asks_for_the_stamp_only_when_there_is_an_employer(
    person: Person,
) -> None:
    """Flexible employment: the upload prompt for the form never mentions a stamp."""
    await person.to_the_form_upload()
    assert "公章" not in person.texts()
    assert "本人签字即可" in person.texts()


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ("缴费改成26年", "ask_contribution"),
        ("缴费年限不对", "ask_contribution"),
        ("所在镇不对", "ask_town"),
        ("手机号写错了", "ask_phone"),
        ("姓名有个字错了", "ask_name"),
        ("单位名称要改一下", "ask_employer_name"),
        ("身份证要重拍", "ask_upload_id_card"),
        ("change town", "ask_town"),
    ],
)
async def test_a_change_typed_at_the_review_goes_straight_to_that_line(
    person: Person, typed: str, field: str
) -> None:
    await reach_review(person)
    await person.text(typed)
    assert person.question == field
