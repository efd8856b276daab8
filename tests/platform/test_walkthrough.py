"""A case walked from submission to results_ready: once in-process on the embedded platform,
once over loopback HTTP through the signed contract (platform and bot on separate databases),
and the applicant receives the same pushes both times."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from cases.db import Database
from cases.models import Case, ItemResult, NotificationOutbox
from cases.platform.delivery import drain_platform_outbox
from cases.platform.port import PlatformAdapter
from integrations.platform.callbacks import deliver_callbacks
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.embedded.sinks import queue_for_callback
from integrations.platform.http_client import HttpPlatformClient
from integrations.platform.http_server import Security, build_app
from tests.platform.conftest import FakeClock, open_db, submitted_case

BEIJING = ZoneInfo("Asia/Shanghai")
SECRET = b"loopback-test-secret"

ANSWERS: list[tuple[str, dict[str, str]]] = [
    ("pension_claim", {"monthly_pension": "3520.50"}),
    (
        "archive_certificate",
        {"archive_birth_date": "1966-01-15", "first_employment_date": "1985-07-01"},
    ),
    ("veteran_check", {"is_veteran": "true", "service_years": "6", "service_counted": "true"}),
    ("community_registration", {"town": "阿勒腾席热镇"}),
    ("medical_insurance", {"contribution_months": "312", "back_payment_due": "1200.00"}),
]
EXPECTED_PUSHES = [
    "platform.accepted_items",  # the items started, with when each is due: one push
    "platform.item_done",  # pension
    "platform.item_started",  # medical insurance clock starts after the pension decision
    "platform.item_done",  # archive
    "platform.item_done",  # veteran
    "platform.item_done",  # town
    "platform.medical_back_payment",
    # no "all done": the result notice that follows says it
]


async def pushes(db: Database, applicant_id: int) -> list[tuple[str, dict[str, Any]]]:
    def read(session: Any) -> list[tuple[str, dict[str, Any]]]:
        rows = session.scalars(
            select(NotificationOutbox)
            .where(NotificationOutbox.applicant_id == applicant_id)
            .order_by(NotificationOutbox.id)
        )
        return [(r.payload["message"]["key"], r.payload["message"]["params"]) for r in rows]

    return await db.run(read)


async def items(db: Database, number: str) -> dict[str, ItemResult]:
    def read(session: Any) -> dict[str, ItemResult]:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        rows = session.scalars(select(ItemResult).where(ItemResult.case_id == case.id))
        return {r.item_code: r for r in rows}

    return await db.run(read)


async def case_status(db: Database, number: str) -> str:
    return await db.run(
        lambda s: s.scalars(select(Case.status).where(Case.number == number)).one()
    )


async def walk(
    db: Database,
    adapter: PlatformAdapter,
    staff: EmbeddedPlatform,
    clock: FakeClock,
    deliver: Callable[[], Awaitable[Any]],
) -> None:
    """Submit through the outbox and `adapter`, work the case in `staff` (the embedded
    platform the clerk and offices use), and `deliver` its events to our side."""
    applicant_id, number = await db.run(submitted_case, "u1", clock())
    assert await drain_platform_outbox(db, adapter, now=clock) == 1
    assert await case_status(db, number) == "submitted"
    assert (await adapter.status(number)).status == "received"

    clock.advance(minutes=10)
    await staff.db.run(staff.accept, number, "clerk:li")
    await deliver()
    assert await case_status(db, number) == "processing"
    found = await items(db, number)
    assert set(found) == {
        "pension_claim",
        "archive_certificate",
        "veteran_check",
        "community_registration",
        "medical_insurance",
        "housing_fund",
    }
    # Accepted 09:10 on a working day: two office hours later is 11:10.
    assert found["pension_claim"].due_at == datetime(2026, 4, 30, 11, 10, tzinfo=BEIJING)
    assert found["medical_insurance"].status == "waiting"
    assert found["medical_insurance"].due_at is None
    assert found["housing_fund"].status == "online"

    for item, data in ANSWERS:
        clock.advance(minutes=20)
        await staff.db.run(staff.answer, number, item, "done", f"office:{item}", data)
        await deliver()
        if item == "pension_claim":
            # The pension decision on Thursday 30 April starts the 5-working-day clock:
            # 1-5 May are holidays, Saturday 9 May a make-up working day: due 11 May, 18:00.
            medical = (await items(db, number))["medical_insurance"]
            assert medical.status == "pending"
            assert medical.due_at == datetime(2026, 5, 11, 18, 0, tzinfo=BEIJING)

    assert await case_status(db, number) == "results_ready"
    final = await items(db, number)
    assert final["medical_insurance"].data == {
        "contribution_months": 312,
        "back_payment_due": "1200.00",
    }
    assert final["pension_claim"].data == {"monthly_pension": "3520.50"}
    status = await adapter.status(number)
    assert status.status == "results_ready"
    assert {i.item: i.status for i in status.items}["medical_insurance"] == "done"

    received = await pushes(db, applicant_id)
    assert [k for k, _ in received] == EXPECTED_PUSHES
    push = dict(received)["platform.medical_back_payment"]
    assert push["amount"] == "1200.00"
    # 312 months, read as the worker reads them: 26年 (issue 13)
    assert push["months"] == {"key": "when.years", "params": {"years": 26}}
    assert push["how_to_pay"]["key"] == "platform.medical_how_to_pay"


async def test_case_goes_from_submission_to_results_ready_in_process(
    db: Database, clock: FakeClock
) -> None:
    platform = EmbeddedPlatform(db, now=clock)

    async def nothing_to_deliver() -> None:
        return None  # same database: events were applied in the staff's own transaction

    await walk(db, platform, platform, clock, nothing_to_deliver)


@pytest.fixture
async def platform_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_db(tmp_path / "platform.db")
    yield database
    await database.close()


async def test_case_goes_from_submission_to_results_ready_over_http(
    db: Database, platform_db: Database, clock: FakeClock
) -> None:
    """The bot talks to `platform serve`'s app over 127.0.0.1; the platform calls back."""
    security = Security(SECRET, clock=lambda: clock().timestamp())
    platform = EmbeddedPlatform(platform_db, sink=queue_for_callback, now=clock)
    platform_server = TestServer(build_app(platform=platform, security=security), host="127.0.0.1")
    bot_server = TestServer(build_app(callback_db=db, security=security), host="127.0.0.1")
    await platform_server.start_server()
    await bot_server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            client = HttpPlatformClient(
                http, str(platform_server.make_url("")), SECRET, clock=lambda: clock().timestamp()
            )

            async def deliver() -> None:
                await deliver_callbacks(
                    platform_db,
                    http,
                    str(bot_server.make_url("")),
                    SECRET,
                    now=clock,
                    clock=lambda: clock().timestamp(),
                )

            await walk(db, client, platform, clock, deliver)
    finally:
        await platform_server.close()
        await bot_server.close()
