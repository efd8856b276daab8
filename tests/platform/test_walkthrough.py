"""A case walked from submission to results_ready on the embedded platform, in-process."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from cases.db import Database
from cases.models import Case, ItemResult, NotificationOutbox
from integrations.platform.embedded import EmbeddedPlatform
from integrations.platform.store import EmbCase
from integrations.platform.worker import drain_platform_outbox
from tests.platform.conftest import FakeClock, submitted_case

BEIJING = ZoneInfo("Asia/Shanghai")

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


async def pushes(db: Database, applicant_id: int) -> list[tuple[str, dict]]:
    def read(session):  # type: ignore[no-untyped-def]
        rows = session.scalars(
            select(NotificationOutbox)
            .where(NotificationOutbox.applicant_id == applicant_id)
            .order_by(NotificationOutbox.id)
        )
        return [(r.payload["message"]["key"], r.payload["message"]["params"]) for r in rows]

    return await db.run(read)


async def items(db: Database, number: str) -> dict[str, ItemResult]:
    def read(session):  # type: ignore[no-untyped-def]
        case = session.scalars(select(Case).where(Case.number == number)).one()
        rows = session.scalars(select(ItemResult).where(ItemResult.case_id == case.id))
        return {r.item_code: r for r in rows}

    return await db.run(read)


async def case_status(db: Database, number: str) -> str:
    return await db.run(
        lambda s: s.scalars(select(Case.status).where(Case.number == number)).one()
    )


async def walk_case(db: Database, platform, staff, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    """Submit, accept, answer every item; `platform` is the adapter the outbox uses, `staff`
    the embedded platform the clerk and offices work in."""
    applicant_id, number = await db.run(submitted_case, "u1", clock())
    assert await drain_platform_outbox(db, platform, now=clock) == 1
    assert await case_status(db, number) == "submitted"

    await staff.db.run(staff.accept, number, "clerk:li")
    return applicant_id, number  # type: ignore[return-value]


async def test_case_goes_from_submission_to_results_ready_in_process(
    db: Database, clock: FakeClock
) -> None:
    platform = EmbeddedPlatform(db, now=clock)
    applicant_id, number = await db.run(submitted_case, "u1", clock())
    assert await drain_platform_outbox(db, platform, now=clock) == 1
    assert await case_status(db, number) == "submitted"
    assert await db.run(lambda s: s.get(EmbCase, number).status) == "received"

    clock.advance(minutes=10)
    await db.run(platform.accept, number, "clerk:li")
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
        await db.run(platform.answer, number, item, "done", f"office:{item}", data)
        if item == "pension_claim":
            # The pension decision on Thursday 30 April starts the 5-working-day clock:
            # 1-5 May are holidays, 9 May a make-up working day, so the fifth is 11 May.
            medical = (await items(db, number))["medical_insurance"]
            assert medical.status == "pending"
            assert medical.due_at == datetime(2026, 5, 11, 18, 0, tzinfo=BEIJING)

    assert await case_status(db, number) == "results_ready"
    final = await items(db, number)
    assert final["medical_insurance"].data == {
        "contribution_months": 312,
        "back_payment_due": "1200.00",
    }
    assert final["pension_claim"].answered_at is not None

    keys = [k for k, _ in await pushes(db, applicant_id)]
    assert keys == [
        "platform.accepted",
        "platform.item_done",  # pension
        "platform.item_started",  # medical insurance clock starts
        "platform.item_done",  # archive
        "platform.item_done",  # veteran
        "platform.item_done",  # town
        "platform.medical_back_payment",
        "platform.all_done",
    ]
    medical = dict(await pushes(db, applicant_id))["platform.medical_back_payment"]
    assert medical["amount"] == "1200.00" and medical["months"] == 312
    assert medical["how_to_pay"]["key"] == "platform.medical_how_to_pay"
    assert clock().tzinfo is UTC
