"""/mydata after submission: who has seen or handled the application, from the audit log, and
that the record is kept as the rules require; the signing question stays open."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from aftercare.worker import tick
from cases.models import Case
from cases.repositories.audit import audit
from staffweb.accounts import add_account
from tests.aftercare.conftest import World
from tests.platform.conftest import ID_NUMBER


async def test_the_worker_sees_who_handled_their_application(world: World) -> None:
    number = await world.submitted()
    await world.results_ready(number)
    await tick(world.db, world.deps, now=world.clock())
    person = world.person
    question = (await person.command("status")).question

    await person.command("mydata")
    text = person.texts()
    assert f"办件编号 {number}" in text
    assert f"{ID_NUMBER[:4]}**********{ID_NUMBER[-4:]}" in text and ID_NUMBER not in text
    assert "窗口工作人员办理了您的申请" in text
    assert "旗就业和社会保险事业中心经办人员办理了您的申请" in text
    assert " li " not in text and "pension_claim" not in text
    assert "办结 180 天后，您上传的照片会自动删除" in text
    assert "/cancel" not in text  # a submitted case is not deleted from the chat
    assert person.question == question


# (account, role, actor as the console records it, action, what the worker reads)
CONSOLE_VIEWS = [
    ("wangfang", "clerk", "account:wangfang", "web.case_view", "窗口工作人员查看了您的申请"),
    (
        "zhaolei",
        "medical_security_bureau",
        "account:zhaolei@medical_security_bureau",
        "web.item_answer",
        "旗医疗保障局经办人员办理了您的申请",
    ),
    ("jianjian", "supervisor", "account:jianjian", "web.case_view", "电子监察人员查看了您的申请"),
    (  # each town's government is its own office, named as the worker knows it
        "gaomin",
        "town_jasag",
        "account:gaomin@town_jasag",
        "web.item_answer",
        "札萨克镇人民政府（党群服务中心）经办人员办理了您的申请",
    ),
]


async def test_the_worker_sees_the_role_and_time_of_console_accounts_not_their_names(
    world: World,
) -> None:
    number = await world.submitted()
    at = datetime(2026, 11, 27, 2, 5, tzinfo=UTC)  # 10:05 in Ejin Horo

    def seen(session: Any) -> None:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        for username, role, actor, action, _ in CONSOLE_VIEWS:
            add_account(session, username, role, "a long password here", "admin", at=at)
            audit(session, actor, action, case_id=case_id, at=at)

    await world.db.run(seen)
    await world.person.command("mydata")
    text = world.person.texts()
    for username, role, _, _, line in CONSOLE_VIEWS:
        assert f"2026-11-27 10:05 {line}" in text, text
        assert username not in text and role not in text


async def test_repeated_views_are_one_line_and_never_push_out_the_acceptance(
    world: World,
) -> None:
    number = await world.submitted()
    accepted = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 09:00 in Ejin Horo

    def seen(session: Any) -> None:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        add_account(session, "wangfang", "clerk", "a long password here", "admin", at=accepted)
        add_account(
            session, "zhaolei", "social_insurance_center", "a long password", "admin", at=accepted
        )
        audit(session, "account:wangfang", "web.case_accept", case_id=case_id, at=accepted)
        for minute in range(6):
            at = datetime(2026, 11, 27, 2, minute, tzinfo=UTC)
            actor = "account:zhaolei@social_insurance_center"
            audit(session, actor, "web.case_view", case_id=case_id, at=at)

    await world.db.run(seen)
    await world.person.command("mydata")
    text = world.person.texts()
    office = "旗就业和社会保险事业中心经办人员"
    assert f"2026-11-27 10:05 {office}查看了您的申请6次（时间是最近一次的）" in text, text
    assert text.count(office) == 1
    assert "2026-11-27 09:00 窗口工作人员办理了您的申请" in text
