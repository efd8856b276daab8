"""A case walked from results_ready to closed: the notice, the signature, a changed notice,
the online-step guides and their check, a bad rating and its follow-up."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from aftercare import reports
from aftercare.followups import close_followup
from aftercare.worker import tick
from cases import repositories as repo
from cases.models import AuditLog, Case, Reminder, StaffTask
from dialogs.events import Choice
from tests.aftercare.conftest import World, text_of
from tests.documents.conftest import pdf_text

NAME = "王建国"


async def test_from_results_ready_to_closed(world: World) -> None:
    number = await world.submitted()
    await world.results_ready(number)

    # -- the result notice goes out with the online-step guides and the signature question
    done = await tick(world.db, world.deps, now=world.clock())
    assert done.delivered == [number]
    case = await world.case(number)
    assert case.status == "notified"
    pushes = await world.pushes()
    # Three messages: the result with its notice, what to do online, the signature question.
    assert [p.key for p in pushes] == [
        "aftercare.result.ready",
        "aftercare.online.both",
        "aftercare.sign.ask_name",
    ]
    notice = pushes[0].document
    assert notice is not None and notice.filename == f"结果告知单-{number}.pdf"
    assert notice.address == case.notice_sha256  # the file is named by its version
    text = pdf_text(world.deps.files.read(notice.address))
    assert "核定月养老金：3,520.50元" in text and "需补缴医保费：1,200.00元" in text
    assert "登记地：阿勒腾席热镇" in text and "军龄：6年" in text
    # The worker's own town's government by name, not "the town you live in".
    assert "阿勒腾席热镇人民政府" in text.replace("\n", "") and "所在镇人民政府" not in text
    # No office's contacts filled in yet: one line says where to ask, not one per office.
    assert text.count("请咨询") == 1, text
    said = text_of(pushes)
    assert "核定月养老金：3,520.50 元" in said
    assert "正常退休提取" in said and "https://" in said  # the housing fund guide, with a link
    assert "1,200.00" in said and "税务局" in said  # how and where to pay the back payment
    # The result points to the steps below it (the next message is the notice's PDF) ...
    assert "缴费方法见下面的【医保补缴】" in said and "下一条消息" not in said
    # ... and the office's push before it gives no second way to pay, only where it comes.
    medical_push = text_of(await world.pushes("platform.medical_back_payment"))
    assert "和结果告知单一起发给您" in medical_push and "税务部门" not in medical_push
    online = text_of(pushes[1:2])
    assert online.index("【住房公积金提取】") < online.index("【医保补缴】")
    assert pushes[-1].question == "ask_signature_name"
    # A second pass delivers nothing new.
    assert (await tick(world.db, world.deps, now=world.clock())).delivered == []

    # -- signature: a wrong name is refused, the right one asks for confirmation
    person = world.person
    await person.text("李四")
    assert person.question == "ask_signature_name"
    assert "不一致" in person.texts()
    assert (await world.case(number)).signed_at is None
    await person.text(f" {NAME} ")
    assert person.question == "ask_signature_confirm"
    assert NAME in person.texts() and number in person.texts()
    out = await person.tap("confirm")
    assert out.state == "ask_rating"
    signed_copy = next(r.document for r in out.replies if r.document is not None)
    assert "已签字" in signed_copy.filename
    signed_text = pdf_text(world.deps.files.read(signed_copy.address))
    assert f"申请人签字：{NAME}" in signed_text
    assert f"告知单校验码：{case.notice_sha256[:8]}" in signed_text  # short; the record has all
    assert case.notice_sha256 not in signed_text
    case = await world.case(number)
    assert case.status == "signed" and case.signed_at == world.clock()
    view = await world.db.run(reports.notice_status, number)
    assert view["signed"] is True and view["signed_notice_sha256"] == case.notice_sha256
    shown = reports.format_notice_status(view)  # what the clerk reads: no hash of the version
    assert "已签字" in shown and case.notice_sha256[:8] not in shown

    # -- a result is corrected after signing: a new version, and a new signature is needed
    world.clock.advance(hours=1)
    first_version = case.notice_sha256

    def correct(session: Any) -> None:
        c = repo.find_case_by_number(session, number)
        repo.set_item_result(
            session,
            c.id,
            "medical_insurance",
            office_code="medical_security_bureau",
            status="done",
            answered_at=world.clock(),
            data={"contribution_months": 312, "back_payment_due": "800.00"},
        )

    await world.db.run(correct)
    assert (await tick(world.db, world.deps, now=world.clock())).delivered == [number]
    case = await world.case(number)
    assert case.status == "notified" and case.signed_at is None
    assert case.notice_sha256 != first_version
    view = await world.db.run(reports.notice_status, number)
    assert view["signed"] is False
    shown = reports.format_notice_status(view)
    assert "等待申请人签收" in shown and "您" not in shown and "等待重新签字" in shown
    changed = [p for p in await world.pushes() if p.key == "aftercare.result.changed"]
    assert len(changed) == 1 and "800.00" in text_of(changed)
    person.last = None  # the pushed question is what the applicant now answers
    await person.text(NAME)
    await person.tap("confirm")
    case = await world.case(number)
    assert case.status == "signed"
    signs = await world.db.run(
        lambda s: list(s.scalars(select(AuditLog.detail).where(AuditLog.action == "case.sign")))
    )
    assert [d["notice_sha256"] for d in signs] == [first_version, case.notice_sha256]

    # -- a bad rating opens a follow-up due in 5 working days, with the comment
    assert person.question == "ask_rating"
    assert person.choices() == [
        "very_satisfied",
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
        "very_dissatisfied",
        "skip",
    ]
    # Typed, not tapped (issue 13), the comment in the same message: not asked for again.
    await person.text("非常不满意，等得太久了，电话 13912345678")
    # 30 April: 1-5 May are holidays, Saturday 9 May a make-up working day -> 11 May.
    assert "2026年5月11日" in person.texts() and "已记为：非常不满意" in person.texts()
    assert person.last is not None and person.last.state == "finished"
    task = await world.db.run(
        lambda s: s.scalars(select(StaffTask).where(StaffTask.kind == "rating_followup")).one()
    )
    assert task.status == "open" and task.detail["level"] == "very_dissatisfied"
    assert "139****5678" in task.detail["comment"]  # personal numbers masked
    rows = await world.db.run(reports.ratings, now=world.clock())
    assert [(r.case_number, r.level, r.followup_status) for r in rows] == [
        (number, "very_dissatisfied", "open")
    ]
    assert (await world.case(number)).status == "rated"  # open until the follow-up is done

    # -- rated once: a later "满意" changes nothing
    await person.text("满意")
    assert len(await world.db.run(reports.ratings, now=world.clock())) == 1

    # -- the clerk closes the follow-up; the applicant is told the outcome; the case closes
    await world.db.run(
        close_followup, task.id, "已电话回访，医保补缴金额已更正并致歉。", "li", at=world.clock()
    )
    assert (await world.case(number)).status == "closed"
    told = [p for p in await world.pushes() if p.key == "aftercare.rating.followup_outcome"]
    assert "已电话回访" in text_of(told) and number in text_of(told)
    report = reports.format_ratings(await world.db.run(reports.ratings, now=world.clock()))
    assert "非常不满意" in report and "已回访" in report

    # -- a few days later: are the online steps done? help where not
    reminder = await world.db.run(lambda s: s.scalars(select(Reminder)).one())
    assert reminder.kind == "online_steps" and str(reminder.due_on) == "2026-05-03"
    world.clock.advance(days=3)
    assert (await tick(world.db, world.deps, now=world.clock())).checks_sent == 1
    asked = (await world.pushes())[-1]
    assert asked.question == "ask_online_steps_done" and "住房公积金提取" in text_of([asked])
    out = await person.send(Choice("done", "ask_online_steps_done"))
    assert "医保费补缴" in person.texts() and out.state == "ask_online_steps_done"
    out = await person.send(Choice("not_yet", "ask_online_steps_done"))
    assert out.state == "finished"
    assert "税务局" in person.texts()  # the steps again, and a person will call
    helps = await world.db.run(
        lambda s: list(s.scalars(select(StaffTask).where(StaffTask.kind == "online_step_help")))
    )
    assert [t.detail["step"] for t in helps] == ["medical_payment"]
    view = await world.db.run(reports.notice_status, number)
    assert view["online_steps"] == {"housing_fund": True, "medical_payment": False}


async def test_a_good_rating_closes_the_case_and_no_follow_up(world: World) -> None:
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    await world.person.text(NAME)
    await world.person.tap("confirm")
    await world.person.tap("satisfied")
    await world.person.tap("skip")  # no comment
    assert world.person.last is not None and world.person.last.state == "finished"
    assert (await world.case(number)).status == "closed"
    tasks = await world.db.run(lambda s: list(s.scalars(select(StaffTask))))
    assert [t.kind for t in tasks if t.kind == "rating_followup"] == []


@pytest.mark.parametrize("typed", ["没有了", "没意见", "没有"])
async def test_no_comment_typed_is_no_comment(world: World, typed: str) -> None:
    """The button's own words typed at the comment ("没有了") leave no comment, as tapping
    it does: the clerk's ratings list must not read 意见：没有了."""
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    await world.person.text(NAME)
    await world.person.text("确认签字")
    await world.person.text("挺好的 很满意")
    await world.person.text(typed)
    assert world.person.last is not None and world.person.last.state == "finished"
    view = await world.db.run(reports.notice_status, number)
    assert view["rating"] == "very_satisfied" and view["rating_comment"] is None


async def test_rating_is_voluntary_and_never_pressed(world: World) -> None:
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    await world.person.text(NAME)
    await world.person.tap("confirm")
    await world.person.tap("skip")
    assert (await world.case(number)).status == "closed"
    assert "不评价也没关系" in world.person.texts()
    # The online-step check later asks about the steps only, never the rating again.
    world.clock.advance(days=3)
    await tick(world.db, world.deps, now=world.clock())
    keys = [p.key for p in await world.pushes()]
    assert keys.count("aftercare.rating.ask") == 0  # the rating question is never pushed


async def test_an_unanswered_rating_is_not_asked_again_and_the_case_closes(world: World) -> None:
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    await world.person.text(NAME)
    await world.person.tap("confirm")  # the rating question is shown, never answered
    world.clock.advance(days=3)
    assert (await tick(world.db, world.deps, now=world.clock())).checks_sent == 1
    assert (await world.case(number)).status == "closed"
    assert (await world.db.run(reports.ratings, now=world.clock())) == []


async def test_a_stale_confirm_button_does_not_sign(world: World) -> None:
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    await world.person.send(Choice("confirm", "ask_signature_confirm"))
    assert "过期" in world.person.texts()
    assert (await world.case(number)).status == "notified"


async def test_documents_on_request(world: World) -> None:
    await world.submitted()
    guide = await world.person.text("服务指南")
    doc = guide.replies[0].document
    assert doc is not None and doc.filename == "服务指南.pdf"
    assert "办理流程" in pdf_text(world.deps.files.read(doc.address))
    chart = await world.person.text("流程图")
    doc = chart.replies[0].document
    assert doc is not None and doc.mime_type == "image/png"
    assert world.deps.files.read(doc.address)[:8] == b"\x89PNG\r\n\x1a\n"
    form = await world.person.text("申请表")
    doc = form.replies[0].document
    assert doc is not None
    text = pdf_text(world.deps.files.read(doc.address))
    assert NAME in text and "加盖参保单位公章" in text  # pre-filled; the employer stamps it
    assert (await world.db.run(lambda s: s.scalars(select(Case.status)).one())) == "submitted"
