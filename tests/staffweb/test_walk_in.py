"""Walk-in registration at the window: the clerk types the form and uploads the scans, the
case joins the queue like a chat's, and the printed one-time code lets the worker take the
case over in the chat once."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from app.settings import Settings
from cases.models import Applicant, AuditLog, Case, MaterialPage, NotificationOutbox, WalkInLink
from cases.models.platform import EmbCase
from dialogs.events import Command
from dialogs.service import ConversationService
from locales import Translator
from locales.replies import render
from tests.bot import images
from tests.platform.conftest import ID_NUMBER
from tests.staffweb.conftest import Desk, csrf_of

FIELDS = {
    "name": "李秀兰",
    "id_number": ID_NUMBER,
    "phone": "139 1234 5678",
    "town": "乌兰木伦镇",
    "has_employer": "true",
    "employer_name": "伊金霍洛旗某建材厂",
    "contribution_months": "372",
    "category": "male",
    "retirement_route": "statutory",
    "name_matches_archive": "true",
    "paid_before_1995_07": "unknown",
    "lump_sum_before_1996": "false",
    "handbook": "lost",
    "receipts": "have",
    "veteran": "false",
    "illness_disability": "false",
}
CODE = re.compile(r'id="link-code">([A-Z0-9]{5}-[A-Z0-9]{5})<')


async def register(client: Any, fields: dict[str, str], files: list[tuple[str, str, bytes]]):
    from aiohttp import FormData

    page = await client.get("/walk-in")
    form = FormData()
    form.add_field("csrf_token", csrf_of(await page.text()))
    for name, value in fields.items():
        form.add_field(name, value)
    for field, filename, data in files:
        kind = "application/pdf" if filename.endswith(".pdf") else "image/jpeg"
        form.add_field(field, data, filename=filename, content_type=kind)
    return await client.post("/walk-in", data=form, allow_redirects=False)


SCANS = [
    ("file.id_card", "front.jpg", images.sharp_jpeg(11)),
    ("file.id_card", "back.jpg", images.sharp_jpeg(12)),
    ("file.application_form", "form.pdf", images.real_pdf(2)),
]


async def test_the_clerk_registers_a_walk_in_and_prints_a_one_time_code(desk: Desk) -> None:
    await desk.account("lina", "clerk")
    clerk = await desk.client("lina")
    try:
        answer = await register(clerk, {**FIELDS, "lost.pension_handbook": "1"}, SCANS)
        receipt = await answer.text()
        assert answer.status == 200, receipt
        number = re.search(r"YJ-\d{8}-\d{4}", receipt).group()  # type: ignore[union-attr]
        code = CODE.search(receipt).group(1)  # type: ignore[union-attr]
        assert "/start " + code.replace("-", "") in receipt and ID_NUMBER not in receipt
        queue = await (await clerk.get("/queue")).text()
        assert number in queue and "李秀兰" in queue
        page = await (await clerk.get(f"/cases/{number}")).text()
        for shown in (
            "乌兰木伦镇",
            "伊金霍洛旗某建材厂",
            "31年（372个月）",
            "男职工",
            "申请人称已遗失",
        ):
            assert shown in page, shown
        assert f"/cases/{number}/materials/application_form/1/2" in page
        assert ID_NUMBER not in page and "13912345678" not in page
        assert "申请人尚未关联 Telegram" in page
    finally:
        await clerk.close()

    def stored(session: Any) -> tuple[Any, ...]:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        applicant = session.get(Applicant, case.applicant_id)
        pages = session.scalars(select(MaterialPage).where(MaterialPage.case_id == case.id))
        link = session.scalars(select(WalkInLink)).one()
        actions = set(session.scalars(select(AuditLog.action).where(AuditLog.case_id == case.id)))
        return case.status, applicant.channel, sorted(p.status for p in pages), link, actions

    status, channel, pages, link, actions = await desk.db.run(stored)
    assert status == "submitted" and channel == "window"
    assert pages == ["lost", "ok", "ok", "ok"]
    assert code.replace("-", "") not in link.code_sha256 and link.registered_by == "account:lina"
    assert "case.walk_in_registered" in actions
    platform_case = await desk.db.run(lambda s: s.get(EmbCase, number))
    assert platform_case.status == "received"  # delivered at once, on the clerk's queue


async def test_wrong_input_is_named_and_nothing_is_filed(desk: Desk) -> None:
    await desk.account("lina", "clerk")
    clerk = await desk.client("lina")
    try:
        wrong = {**FIELDS, "id_number": ID_NUMBER[:-1] + "9", "phone": "12345", "town": ""}
        answer = await register(clerk, wrong, SCANS[2:])
        text = await answer.text()
        assert answer.status == 400
        for said in ("身份证号不对", "11位手机号码", "请选择“居住镇”", "请上传身份证的扫描件"):
            assert said in text, said
        assert 'value="李秀兰"' in text  # what was typed is kept
        blurred = await register(clerk, FIELDS, [("file.id_card", "b.jpg", images.blurred_jpeg())])
        assert blurred.status == 400 and "“身份证”的文件“b.jpg”不能使用" in await blurred.text()
    finally:
        await clerk.close()
    assert await desk.db.run(lambda s: s.scalars(select(Case)).first()) is None


async def test_the_worker_takes_the_case_over_in_the_chat_once(desk: Desk) -> None:
    await desk.account("lina", "clerk")
    clerk = await desk.client("lina")
    try:
        receipt = await (await register(clerk, FIELDS, SCANS)).text()
        number = re.search(r"YJ-\d{8}-\d{4}", receipt).group()  # type: ignore[union-attr]
        code = CODE.search(receipt).group(1)  # type: ignore[union-attr]
        chat = ConversationService(desk.db, Settings(), clock=desk.clock)
        tr = Translator("zh_CN")
        outcome = await chat.handle("telegram", "7001", Command("start", code.replace("-", "")))
        said = "\n".join(render(r.message, tr) for r in outcome.replies)
        assert number in said and outcome.state == "submitted"
        other = await chat.handle("telegram", "7002", Command("start", code))
        assert number not in "\n".join(render(r.message, tr) for r in other.replies)

        await desk.db.run(desk.platform.accept, number, "account:lina")
        channel, user, pushes = await desk.db.run(_owner, number)
        assert (channel, user) == ("telegram", "7001") and pushes >= 1  # told of acceptance
        page = await (await clerk.get(f"/cases/{number}")).text()
        assert "已用关联码在 Telegram 上关联" in page
    finally:
        await clerk.close()


def _owner(session: Any, number: str) -> tuple[str, str, int]:
    case = session.scalars(select(Case).where(Case.number == number)).one()
    applicant = session.get(Applicant, case.applicant_id)
    pushes = session.scalars(
        select(NotificationOutbox).where(NotificationOutbox.applicant_id == applicant.id)
    )
    return applicant.channel, applicant.external_user_id, len(list(pushes))


async def test_before_the_worker_takes_the_case_over_the_clerk_is_asked_to_phone(
    desk: Desk,
) -> None:
    await desk.account("lina", "clerk")
    clerk = await desk.client("lina")
    try:
        receipt = await (await register(clerk, FIELDS, SCANS)).text()
        number = re.search(r"YJ-\d{8}-\d{4}", receipt).group()  # type: ignore[union-attr]
        await desk.db.run(desk.platform.accept, number, "account:lina")  # a push: accepted
        tasks = await (await clerk.get("/tasks")).text()
        assert "电话告知办理进展（窗口受理，申请人未关联 Telegram）" in tasks
        assert number in tasks and "13912345678" in tasks and "李秀兰" in tasks
    finally:
        await clerk.close()
    waiting, kinds = await desk.db.run(_window_pushes, number)
    assert waiting == [] and kinds.count("phone_walk_in") == 1  # none waits for nobody

    # Taken over in the chat: the next pushes go there, no new phone task.
    code = CODE.search(receipt).group(1)  # type: ignore[union-attr]
    chat = ConversationService(desk.db, Settings(), clock=desk.clock)
    await chat.handle("telegram", "7001", Command("start", code))
    refused = ("archive_certificate", "refused", "经办-档案", None, "档案不全")
    await desk.db.run(desk.platform.answer, number, *refused)  # a push: the office's answer
    waiting, kinds = await desk.db.run(_window_pushes, number)
    assert kinds.count("phone_walk_in") == 1
    channel, _, pushes = await desk.db.run(_owner, number)
    assert channel == "telegram" and pushes >= 1


def _window_pushes(session: Any, number: str) -> tuple[list[int], list[str]]:
    from cases.models import OutboxStatus, StaffTask

    case = session.scalars(select(Case).where(Case.number == number)).one()
    window = session.scalars(select(Applicant).where(Applicant.channel == "window")).one()
    waiting = session.scalars(
        select(NotificationOutbox.id).where(
            NotificationOutbox.applicant_id == window.id,
            NotificationOutbox.status == OutboxStatus.pending.value,
        )
    )
    kinds = session.scalars(select(StaffTask.kind).where(StaffTask.case_id == case.id))
    return list(waiting), list(kinds)


def _mistyped(code: str) -> list[str]:
    """What people send instead of the printed code: a look-alike (0 for O, 1 for I), a
    character left out, one too many."""
    plain = code.replace("-", "")
    return [plain[:3] + "0" + plain[4:], plain[:3] + "1" + plain[4:], plain[:-1], plain + "A"]


async def test_a_code_that_cannot_be_used_is_explained_politely(desk: Desk) -> None:
    await desk.account("lina", "clerk")
    clerk = await desk.client("lina")
    try:
        first = await (await register(clerk, FIELDS, SCANS)).text()
        second = await (await register(clerk, {**FIELDS, "name": "王桂英"}, SCANS)).text()
    finally:
        await clerk.close()
    code, other = (CODE.search(r).group(1) for r in (first, second))  # type: ignore[union-attr]
    chat = ConversationService(desk.db, Settings(), clock=desk.clock)
    tr = Translator("zh_CN")

    async def say(user: str, argument: str) -> str:
        outcome = await chat.handle("telegram", user, Command("start", argument))
        return "\n".join(render(r.message, tr) for r in outcome.replies)

    for typed in ["ABCDE-FGHJK", *_mistyped(code)]:
        answer = await say("7001", typed)
        assert answer.startswith("这个关联码不对。请核对窗口受理回执上的关联码"), (typed, answer)
        assert "办件编号" not in answer  # nothing about the case, nor "case not found"
    taken = await say("7001", code.lower().replace("-", " "))  # typed loosely: it is the code
    assert "李秀兰" not in taken and "YJ-" in taken
    assert (await say("7002", code)).startswith("这个关联码已经用过了")
    assert not (await say("7001", code)).startswith("这个关联码")  # their own, again: status
    assert (await say("7001", other)).startswith("这个聊天里已经有一件正在办理的申请")
    desk.clock.advance(days=31)
    assert (await say("7003", other)).startswith("这个关联码已过期（有效期 30 天）")
    assert "YJ-" not in await say("7004", "YJ-20260430-0001")  # a case number is no code
