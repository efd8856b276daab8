"""At the signing step the worker can disagree or ask for a person, tapped or typed; a question
is not counted as a wrong name; the confirmation shows no hash."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from aftercare import reports
from aftercare.worker import tick
from cases.models import StaffTask
from cases.result import call_day
from cases.tasks import close_task
from tests.aftercare.conftest import World

NAME = "王建国"


async def tasks(world: World) -> list[tuple[str, str]]:
    def read(session) -> list[tuple[str, str]]:
        rows = session.scalars(select(StaffTask).order_by(StaffTask.id))
        return [(t.kind, str(t.detail.get("question", ""))) for t in rows]

    return [t for t in await world.db.run(read) if t[0] in ("objection", "handover")]


async def test_a_worker_who_disagrees_or_asks_is_heard_and_can_still_sign(world: World) -> None:
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    person = world.person

    await person.text("看不懂这个单子，养老金怎么算的？")
    assert "每月 3,520.50 元" in person.texts()  # the approved figure, then the sign prompt
    assert "不一致" not in person.texts() and person.question == "ask_signature_name"

    await person.text("养老金怎么算的，我觉得少了")
    assert "已记下您的异议" in person.texts() and "电话联系您" in person.texts()
    await person.tap("person")
    assert "已转给窗口工作人员" in person.texts()
    assert await tasks(world) == [
        ("objection", "养老金怎么算的，我觉得少了"),
        ("handover", ""),
    ]
    assert (await world.case(number)).status == "notified"  # not signed behind their back

    await person.text(NAME)
    assert person.question == "ask_signature_confirm"
    assert "确认签字吗" in person.texts() and "版本" not in person.texts()
    await person.tap("confirm")
    assert (await world.case(number)).status == "signed"
    # The clerk's view of the case's end (staff show, the console's case page): the words.
    shown = reports.format_notice_status(await world.db.run(reports.notice_status, number))
    assert "有异议：" in shown and "“养老金怎么算的，我觉得少了”，待电话沟通" in shown
    assert "签字：已签字" in shown


async def test_typed_person_at_signing_is_a_task_and_the_notice_waits(world: World) -> None:
    """转人工 typed while signing (the fourth stage of issue 13): a task with the words, the
    day of the call, and the name question still open."""
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    person = world.person
    await person.text("转人工")
    assert "已转给窗口工作人员" in person.texts() and "前会电话联系您" in person.texts()
    assert person.question == "ask_signature_name"
    assert await tasks(world) == [("handover", "转人工")]
    assert (await world.case(number)).status == "notified"


async def test_after_an_objection_no_one_asks_to_sign_until_the_clerk_has_resolved_it(
    world: World,
) -> None:
    """After "养老金算少了，我不同意" the worker is told when they will be called, and is not
    asked to sign in the same breath; the clerk's task is due that day, `staff notice` says
    there is an objection, in the worker's words; once the task is closed, signing is asked."""
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    person = world.person

    await person.text("养老金算少了，我不同意")
    told = person.texts()
    # Thursday 30 April: the next working day is 6 May (the May Day holiday).
    assert "2026年5月6日前会电话联系您" in told and "完成签字" not in told
    await person.text("好的")
    assert "2026年5月6日前会电话联系您" in person.texts()
    assert "完成签字" not in person.texts()

    def objection(session: Any) -> StaffTask:
        return session.scalars(select(StaffTask).where(StaffTask.kind == "objection")).one()

    task = await world.db.run(objection)
    assert call_day(task) == date(2026, 5, 6)  # the clerk's 截止 is the day promised
    shown = reports.format_notice_status(await world.db.run(reports.notice_status, number))
    assert "签字：有异议，待沟通（2026年5月6日前电话联系）" in shown
    assert "“养老金算少了，我不同意”，待电话沟通" in shown  # the worker's words, on their row

    await world.db.run(close_task, task.id, "clerk:1", "已电话解释计发办法", at=world.clock())
    await person.text("好的")
    assert "完成签字" in person.texts()
    shown = reports.format_notice_status(await world.db.run(reports.notice_status, number))
    assert "签字：未签字" in shown
