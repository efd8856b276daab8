"""The repository suite: every test here runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.db import Database
from cases.errors import IllegalTransition, StaleConversation
from cases.models import Conversation, OutboxStatus
from tests.cases.databases import postgres_database
from tests.cases.scenario import (
    ID_NUMBER,
    NOW,
    PHONE,
    handle_text,
    new_applicant,
    snapshot,
    upload_and_submit,
)

SHA_A = "a" * 64


def _read_back(session: Session, number: str) -> dict[str, object]:
    case = repo.find_case_by_number(session, number)
    assert case is not None
    applicant = repo.get_applicant(session, case.applicant_id)
    assert applicant is not None
    conversation = repo.load_conversation(session, applicant.id)
    assert conversation is not None
    return {
        "status": case.status,
        "submitted_at": case.submitted_at,
        "form": case.form,
        "pages": [(p.material_code, p.sha256, p.page_no) for p in repo.pages_of(session, case.id)],
        "id_number": repo.id_number_of(session, applicant),
        "phone": repo.phone_of(session, applicant),
        "state": conversation.state,
    }


async def test_a_case_survives_reopening_the_database(db: Database) -> None:
    applicant_id = await db.run(new_applicant, "1001")
    number = await db.run(upload_and_submit, applicant_id, SHA_A)
    await db.close()

    # A new Database object on the same file / schema: what a restarted process sees.
    reopened = Database(db.url, vault=db.vault, schema=db.schema)
    try:
        seen = await reopened.run(_read_back, number)
    finally:
        await reopened.close()
    assert seen == {
        "status": "submitted",
        "submitted_at": NOW,
        "form": {"name": "王芳", "employer": "鄂托克前旗某公司"},
        "pages": [("id_card", SHA_A, 1)],
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "state": "welcome",
    }
    assert number == "YJ-20261126-0001"


async def test_a_stale_conversation_write_is_rejected(db: Database) -> None:
    applicant_id = await db.run(new_applicant, "1002")

    def load(session: Session) -> Conversation:
        conversation = repo.load_conversation(session, applicant_id)
        assert conversation is not None
        return conversation

    def save(session: Session, conversation: Conversation, state: str) -> None:
        repo.save_conversation(session, conversation, state=state)

    # Two workers load the same conversation; the second to save loses.
    with pytest.raises(StaleConversation):
        async with db.unit_of_work() as first:
            mine = await first.call(load)
            async with db.unit_of_work() as second:
                theirs = await second.call(load)
                await second.call(save, theirs, "from_second")
            await first.call(save, mine, "from_first")

    after = await db.run(snapshot, applicant_id)
    assert (after["state"], after["version"]) == ("from_second", 2)


async def test_a_stale_copy_from_an_earlier_unit_of_work_is_rejected(db: Database) -> None:
    applicant_id = await db.run(new_applicant, "1003")
    old = await db.run(repo.load_conversation, applicant_id)
    await db.run(handle_text, applicant_id, 1, "hello")

    with pytest.raises(StaleConversation):
        await db.run(repo.save_conversation, old, state="rewound")
    assert (await db.run(snapshot, applicant_id))["state"] == "asked"


async def test_a_duplicated_update_changes_nothing(db: Database) -> None:
    applicant_id = await db.run(new_applicant, "1004")
    assert await db.run(handle_text, applicant_id, 77, "我要办退休") is True
    before = await db.run(snapshot, applicant_id)

    assert await db.run(handle_text, applicant_id, 77, "我要办退休") is False
    assert await db.run(snapshot, applicant_id) == before
    assert before["outbox"] == ["reply:77"]
    assert before["answers"] == {"texts": ["我要办退休"]}


async def test_an_update_whose_handling_failed_is_handled_again(db: Database) -> None:
    applicant_id = await db.run(new_applicant, "1005")

    def crash(session: Session) -> None:
        handle_text(session, applicant_id, 5, "first try")
        raise RuntimeError("worker died before commit")

    with pytest.raises(RuntimeError):
        await db.run(crash)
    assert (await db.run(snapshot, applicant_id))["outbox"] == []
    assert await db.run(handle_text, applicant_id, 5, "second try") is True


async def test_concurrent_submissions_get_unique_numbers(db: Database) -> None:
    ids = [await db.run(new_applicant, f"20{i:02d}") for i in range(24)]
    numbers = await asyncio.gather(
        *(db.run(upload_and_submit, aid, f"{i:064x}") for i, aid in enumerate(ids))
    )
    assert sorted(numbers) == [f"YJ-20261126-{n:04d}" for n in range(1, 25)]


async def test_numbers_restart_each_local_day(db: Database) -> None:
    first = await db.run(new_applicant, "3001")
    second = await db.run(new_applicant, "3002")
    # 16:30 UTC is already the next day in Ejin Horo (UTC+8).
    late = NOW.replace(hour=16, minute=30)
    assert await db.run(upload_and_submit, first, SHA_A) == "YJ-20261126-0001"
    assert await db.run(upload_and_submit, second, SHA_A, late) == "YJ-20261127-0001"


async def test_the_same_user_arriving_twice_at_once_is_one_applicant(db: Database) -> None:
    ids = await asyncio.gather(
        *(db.run(lambda s: repo.get_or_create_applicant(s, "telegram", "42").id) for _ in range(8))
    )
    assert len(set(ids)) == 1


async def test_illegal_case_moves_raise_and_change_nothing(db: Database) -> None:
    applicant_id = await db.run(new_applicant, "1006")
    number = await db.run(upload_and_submit, applicant_id, SHA_A)

    def sign(session: Session) -> None:
        case = repo.find_case_by_number(session, number)
        assert case is not None
        repo.move_case(session, case, "sign", at=NOW, actor="applicant:1")

    with pytest.raises(IllegalTransition, match="'submitted' cannot 'sign'"):
        await db.run(sign)
    case = await db.run(repo.find_case_by_number, number)
    assert case is not None and case.status == "submitted"


async def test_same_page_twice_is_one_page_and_lost_material_is_recorded(db: Database) -> None:
    applicant_id = await db.run(new_applicant, "1007")

    def upload(session: Session) -> list[tuple[str, int, str]]:
        case = repo.current_or_new_draft(session, applicant_id)
        blob_a = _Blob(SHA_A)
        repo.add_page(session, case, "hukou", blob_a)
        repo.add_page(session, case, "hukou", blob_a)
        repo.add_page(session, case, "hukou", _Blob("b" * 64))
        repo.declare_lost(session, case, "archive")
        return [(p.material_code, p.page_no, p.status) for p in repo.pages_of(session, case.id)]

    assert await db.run(upload) == [
        ("archive", 1, "lost"),
        ("hukou", 1, "ok"),
        ("hukou", 2, "ok"),
    ]


class _Blob:
    def __init__(self, sha: str) -> None:
        self.sha256, self.size, self.mime_type = sha, 10, "image/jpeg"


async def test_notifications_are_idempotent_claimed_once_and_retried(db: Database) -> None:
    applicant_id = await db.run(new_applicant, "1008")

    def enqueue(session: Session) -> list[bool]:
        return [
            repo.enqueue_notification(
                session, applicant_id, {"n": 1}, "result:YJ-1", not_before=NOW
            ),
            repo.enqueue_notification(
                session, applicant_id, {"n": 1}, "result:YJ-1", not_before=NOW
            ),
            repo.enqueue_notification(
                session, applicant_id, {"n": 2}, "result:YJ-2", not_before=NOW
            ),
        ]

    assert await db.run(enqueue) == [True, False, True]
    claimed = await db.run(repo.claim_due_notifications, NOW + timedelta(seconds=1))
    assert [(r.dedupe_key, r.attempts) for r in claimed] == [
        ("result:YJ-1", 1),
        ("result:YJ-2", 1),
    ]
    # Leased: a second worker finds nothing until the lease runs out.
    assert await db.run(repo.claim_due_notifications, NOW + timedelta(seconds=2)) == []

    first, second = claimed
    await db.run(repo.mark_notification_sent, first.id, at=NOW)
    retry_at = NOW + timedelta(minutes=5)
    await db.run(repo.mark_notification_failed, second.id, "429 retry_after", retry_at=retry_at)
    assert await db.run(repo.claim_due_notifications, NOW + timedelta(minutes=4)) == []
    again = await db.run(repo.claim_due_notifications, NOW + timedelta(minutes=6))
    assert [(r.dedupe_key, r.attempts, r.last_error) for r in again] == [
        ("result:YJ-2", 2, "429 retry_after")
    ]
    await db.run(repo.mark_notification_failed, again[0].id, "blocked", retry_at=None)
    rows = await db.run(lambda s: repo.pending_notifications(s, applicant_id))
    assert rows == []

    def statuses(session: Session) -> list[str]:
        from cases.models import NotificationOutbox

        return list(session.scalars(select(NotificationOutbox.status).order_by("id")))

    assert await db.run(statuses) == [OutboxStatus.sent, OutboxStatus.failed]


async def test_platform_calls_are_idempotent_and_delivered(db: Database) -> None:
    applicant_id = await db.run(new_applicant, "1009")
    number = await db.run(upload_and_submit, applicant_id, SHA_A)

    def enqueue(session: Session) -> list[bool]:
        case = repo.find_case_by_number(session, number)
        assert case is not None
        payload = {"case": number}
        return [
            repo.enqueue_platform_call(
                session, case.id, "submit", payload, f"submit:{number}", not_before=NOW
            ),
            repo.enqueue_platform_call(
                session, case.id, "submit", payload, f"submit:{number}", not_before=NOW
            ),
        ]

    assert await db.run(enqueue) == [True, False]
    (call,) = await db.run(repo.claim_due_platform_calls, NOW + timedelta(seconds=1))
    assert (call.kind, call.payload) == ("submit", {"case": number})
    await db.run(repo.mark_platform_delivered, call.id, at=NOW)
    calls = await db.run(repo.platform_calls_of, call.case_id)
    assert [(c.status, c.delivered_at) for c in calls] == [("sent", NOW)]


async def test_item_results_staff_tasks_and_reminders(db: Database) -> None:
    applicant_id = await db.run(new_applicant, "1010")
    number = await db.run(upload_and_submit, applicant_id, SHA_A)

    def record(session: Session) -> tuple[list[tuple[str, str]], int, list[bool]]:
        case = repo.find_case_by_number(session, number)
        assert case is not None
        repo.set_item_result(
            session, case.id, "pension", office_code="sbj", status="waiting", due_at=NOW
        )
        repo.set_item_result(
            session, case.id, "pension", office_code="sbj", status="done", data={"amount": 3000}
        )
        repo.set_item_result(session, case.id, "archive", office_code="rsj", status="pending")
        one = repo.add_staff_task(session, "phone_applicant", applicant_id=applicant_id)
        two = repo.add_staff_task(session, "phone_applicant", applicant_id=applicant_id)
        added = [
            repo.add_reminder(session, applicant_id, "before_retirement", NOW.date()),
            repo.add_reminder(session, applicant_id, "before_retirement", NOW.date()),
        ]
        results = [(r.item_code, r.status) for r in repo.item_results(session, case.id)]
        assert one.id == two.id
        return results, len(repo.open_staff_tasks(session, "phone_applicant")), added

    results, open_tasks, added = await db.run(record)
    assert results == [("pension", "done"), ("archive", "pending")]
    assert open_tasks == 1
    assert added == [True, False]
    due = await db.run(repo.due_reminders, NOW.date())
    assert [r.kind for r in due] == ["before_retirement"]


async def test_on_postgresql_two_workers_claim_disjoint_rows() -> None:
    """Two workers claiming at once get different rows (SKIP LOCKED). SQLite has one
    writer thread, so there the question does not arise."""
    async with postgres_database() as db:
        applicant_id = await db.run(new_applicant, "4001")
        for i in range(4):
            await db.run(
                repo.enqueue_notification, applicant_id, {"i": i}, f"k{i}", not_before=NOW
            )
        later = NOW + timedelta(seconds=1)
        async with db.unit_of_work() as first:
            mine = await first.call(repo.claim_due_notifications, later, 2)
            async with db.unit_of_work() as second:
                theirs = await second.call(repo.claim_due_notifications, later, 10)
        assert {r.dedupe_key for r in mine} | {r.dedupe_key for r in theirs} == {
            "k0",
            "k1",
            "k2",
            "k3",
        }
        assert not {r.id for r in mine} & {r.id for r in theirs}
