"""`python main.py demo [--sandbox]`: one complete case in accelerated time, for training.

The program plays everybody: the applicant talks to the real conversation service, the clerk
accepts on the embedded approval platform, the six offices answer, the notice goes out, the
applicant signs, rates badly, the clerk follows up, and three simulated days later the bot
asks about the online steps. Nothing leaves the machine. `--sandbox` keeps all of it in
data/sandbox.db and data/sandbox/files, apart from the real cases, so staff can rehearse.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.clock import LOCAL_TZ

if TYPE_CHECKING:
    from app.settings import Settings
    from cases.db import Database
    from locales.replies import Reply
    from runtime.services import Services

FIRST17 = "15062719660115003"  # a man born 1966-01-15 in Ejin Horo Banner: of age since 2026-05
OFFICE_RESULTS: list[tuple[str, dict[str, Any]]] = [
    ("pension_claim", {"monthly_pension": "3520.50"}),
    (
        "archive_certificate",
        {"archive_birth_date": "1966-01-15", "first_employment_date": "1985-07-01"},
    ),
    ("veteran_check", {"is_veteran": "true", "service_years": "6", "service_counted": "true"}),
    ("community_registration", {"town": "阿勒腾席热镇"}),
    ("medical_insurance", {"contribution_months": "312", "back_payment_due": "1200.00"}),
]


class Clock:
    """Simulated time: starts now, jumps forward when the story says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Timeline:
    clock: Clock
    lines: list[str] = field(default_factory=list)

    def add(self, actor: str, text: str) -> None:
        when = self.clock().astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")
        first, *rest = text.strip().splitlines() or [""]
        line = f"{when}  {actor:<8} {first}"
        self.lines.append(line)
        print(line, flush=True)
        for more in rest[:3]:
            print(f"{'':23}{more}", flush=True)


def demo_settings(sandbox: bool) -> Settings:
    from app.settings import load_settings

    settings = load_settings()
    # The demo's pages are drawn text, not ID cards: reading them as cards would refuse them.
    settings.ocr.enabled = False
    if sandbox:
        settings.database.url = "sqlite:///data/sandbox.db"
        settings.files.dir = Path("data/sandbox/files")
    return settings


def run(sandbox: bool) -> int:
    started = time.perf_counter()
    settings = demo_settings(sandbox)
    from cases.schema import ensure_schema_blocking
    from runtime.services import Services

    settings.security.key_file.parent.mkdir(parents=True, exist_ok=True)
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    services = Services.build(settings, migrate=True, clock=clock)  # the composition root
    db = services.db
    try:
        ensure_schema_blocking(db)
        out = asyncio.run(_story(services, clock, sandbox))
    finally:
        services.close_blocking()
    print(f"\n用时 {time.perf_counter() - started:.1f} 秒（模拟时间跨度约 3 天）")
    print(f"告知单文件：{out['notice']}")
    print(f"签字版：    {out['signed']}")
    print(f"数据库：    {db.url}")
    return 0


async def _story(services: Services, clock: Clock, sandbox: bool) -> dict[str, str]:
    from sqlalchemy import select

    from aftercare import reports
    from aftercare.followups import close_followup
    from aftercare.worker import tick
    from cases.models import StaffTask
    from cases.platform.delivery import drain_platform_outbox
    from commands.demo_applicant import NAME, DemoApplicant
    from policy.idcard import check_character

    db, settings = services.db, services.settings
    timeline = Timeline(clock)
    deps = services.aftercare
    service = services.conversation
    platform = services.staff_desk()
    user = f"demo-{int(clock().timestamp())}"
    applicant = DemoApplicant(service, deps.files, user, FIRST17 + check_character(FIRST17))
    print(f"演示：企业职工退休“一件事一次办”完整办件（{'沙盒' if sandbox else '正式库'}）\n")

    # 1. The applicant applies on the phone.
    number = await applicant.apply(timeline)
    # 2. The submission reaches the platform; the clerk accepts; the offices answer.
    clock.advance(minutes=1)
    await drain_platform_outbox(db, platform, now=clock)
    timeline.add("平台", f"收到办件 {number}，待窗口受理")
    clock.advance(minutes=15)
    await db.run(platform.accept, number, "clerk:演示窗口")
    timeline.add("窗口", "受理登记，分送各经办机构")
    for item, data in OFFICE_RESULTS:
        clock.advance(minutes=25)
        await db.run(platform.answer, number, item, "done", f"office:{item}", data)
        timeline.add("经办机构", f"{_item_name(item)}：已办结")
    await _show_pushes(db, timeline, "申请人收到", prefix="platform.")
    # 3. The result notice, the online-step guides, the signature question.
    clock.advance(minutes=5)
    result = await tick(db, deps, now=clock())
    timeline.add("系统", f"生成结果告知单并送达（{', '.join(result.delivered)}）")
    pushes = await _show_pushes(db, timeline, "申请人收到", prefix="aftercare.")
    notice = next(r.document.address for r in pushes if r.document is not None)
    # 4. Signature: a typo first, then the right name.
    clock.advance(minutes=30)
    await applicant.say(timeline, "王建军")
    await applicant.say(timeline, NAME)
    signed = await applicant.tap(timeline, "confirm")
    signed_doc = next(r.document.address for r in signed.replies if r.document is not None)
    view = await db.run(reports.notice_status, number)
    assert view is not None
    timeline.add("窗口", reports.format_notice_status(view).splitlines()[2])
    # 5. A bad rating and its follow-up.
    await applicant.tap(timeline, "dissatisfied")
    await applicant.say(timeline, "医保补缴的事没有提前电话告知")
    task = await db.run(
        lambda s: s.scalars(
            select(StaffTask)
            .where(StaffTask.kind == "rating_followup", StaffTask.status == "open")
            .order_by(StaffTask.id.desc())
        ).first()
    )
    clock.advance(hours=20)
    outcome = "已电话回访：医保补缴情况已当面说明，今后在结果送达前先电话告知。"
    await db.run(close_followup, task.id, outcome, "演示窗口", at=clock())
    timeline.add("窗口", f"完成差评回访 #{task.id}")
    await _show_pushes(db, timeline, "申请人收到", prefix="aftercare.rating.")
    # 6. Three days later: the online steps.
    clock.advance(days=3)
    checks = await tick(db, deps, now=clock())
    timeline.add("系统", f"发出网办事项回访 {checks.checks_sent} 条")
    await _show_pushes(db, timeline, "申请人收到", prefix="aftercare.online.ask")
    await applicant.tap(timeline, "done", question="ask_online_steps_done")
    await applicant.tap(timeline, "not_yet", question="ask_online_steps_done")
    rows = await db.run(reports.ratings, now=clock(), case_number=number)
    print("\n" + reports.format_ratings(rows))
    view = await db.run(reports.notice_status, number)
    assert view is not None
    print(reports.format_notice_status(view))
    folder = Path(settings.files.dir).parent / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    notice_copy = folder / f"结果告知单-{number}.pdf"
    signed_copy = folder / f"结果告知单-{number}-已签字.pdf"
    # Copies to open (the store keeps them encrypted): sample data only, private to the user.
    for address, copy in ((notice, notice_copy), (signed_doc, signed_copy)):
        copy.write_bytes(deps.files.read(address))
        copy.chmod(0o600)
    return {"notice": str(notice_copy.resolve()), "signed": str(signed_copy.resolve())}


def _item_name(code: str) -> str:
    from locales import Translator

    return Translator("zh_CN")(f"item.{code}.name")


async def _show_pushes(db: Database, timeline: Timeline, actor: str, prefix: str) -> list[Reply]:
    """Print the pending pushes (as the applicant reads them) and mark them sent: a demo's
    messages never go out to a real channel."""
    from sqlalchemy import select

    from cases import repositories as repo
    from cases.models import NotificationOutbox
    from locales import Translator
    from locales.replies import from_json, render

    tr = Translator("zh_CN")

    def take(session: Any) -> list[Reply]:
        rows = session.scalars(
            select(NotificationOutbox)
            .where(NotificationOutbox.status == "pending")
            .order_by(NotificationOutbox.id)
        )
        replies = []
        for row in rows:
            reply = from_json(repo.notification_payload(session, row))
            repo.mark_notification_sent(session, row.id, at=timeline.clock())
            if reply.key.startswith(prefix):
                replies.append(reply)
        return replies

    replies = await db.run(take)
    for reply in replies:
        text = render(reply.message, tr)
        if reply.document is not None:
            text += f"  [附件 {reply.document.filename}]"
        timeline.add(actor, text)
    return replies
