"""The push sender's rows in the notification outbox: claim the due ones (a chat's earlier
row first, never one this process holds), count, mark sent, give back with backoff, and hand
an unreachable applicant to the clerk. Each runs in the caller's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from bot.config import CHANNEL
from cases import repositories as repo
from cases.models import Applicant, NotificationOutbox, OutboxStatus, utcnow


def claim_telegram_notifications(
    session: Session, now: Any, limit: int, lease: timedelta, held: frozenset[int]
) -> list[tuple[NotificationOutbox, Applicant]]:
    """Claim due rows of Telegram applicants (a lease, as `cases.repositories` claims do).
    Rows this process already holds are skipped, so it never sends one twice itself."""
    earlier = aliased(NotificationOutbox)
    # One chat's messages go out in the order they were queued: a row waits while an earlier
    # row of the same applicant waits (backing off after a 5xx, or leased and in flight).
    waiting_before = (
        select(earlier.id)
        .where(
            earlier.applicant_id == NotificationOutbox.applicant_id,
            earlier.status == OutboxStatus.pending.value,
            earlier.id < NotificationOutbox.id,
            earlier.next_attempt_at > now,
        )
        .exists()
    )
    query = (
        select(NotificationOutbox, Applicant)
        .join(Applicant, Applicant.id == NotificationOutbox.applicant_id)
        .where(
            NotificationOutbox.status == OutboxStatus.pending.value,
            NotificationOutbox.next_attempt_at <= now,
            Applicant.channel == CHANNEL,
            ~waiting_before,
        )
        .order_by(NotificationOutbox.id)  # queue order: a chat reads its messages in order
        .limit(limit)
        .with_for_update(skip_locked=True, of=NotificationOutbox)
    )
    rows = [(row, who) for row, who in session.execute(query).all() if row.id not in held]
    for row, _ in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease
    session.flush()
    repo.open_payloads(session, [row for row, _ in rows])
    return rows


def count_waiting(session: Session) -> int:
    """Telegram notifications still pending, due or not (for `run(until_empty=True)`)."""
    query = (
        select(NotificationOutbox.id)
        .join(Applicant, Applicant.id == NotificationOutbox.applicant_id)
        .where(
            NotificationOutbox.status == OutboxStatus.pending.value,
            Applicant.channel == CHANNEL,
        )
    )
    return len(session.execute(query.limit(1)).all())


def mark_sent_many(session: Session, row_ids: list[int]) -> None:
    at = utcnow()
    for row_id in row_ids:
        repo.mark_notification_sent(session, row_id, at=at)


def give_back(
    session: Session,
    row_id: int,
    error: str,
    retry_at: datetime | None,
    released: list[int],
    now: datetime,
) -> None:
    """A failed send: its row waits until `retry_at` (None: given up); the `released` rows
    (the chat's next messages, claimed but not sent) are due again at once, behind it."""
    repo.mark_notification_failed(session, row_id, error, retry_at=retry_at)
    if released:
        session.execute(
            update(NotificationOutbox)
            .where(
                NotificationOutbox.id.in_(released),
                NotificationOutbox.status == OutboxStatus.pending.value,
            )
            .values(next_attempt_at=now)
        )


def hand_to_clerk(session: Session, applicant_id: int, row_id: int, reason: str) -> None:
    """The applicant cannot be reached on Telegram: a clerk phones them instead."""
    now = utcnow()
    repo.mark_unreachable(session, applicant_id, at=now)
    task = repo.add_staff_task(
        session,
        "phone_applicant",
        applicant_id=applicant_id,
        detail={"reason": reason, "channel": CHANNEL},
    )
    notifications = list(task.detail.get("notifications", []))
    task.detail = {**task.detail, "notifications": [*notifications, row_id]}
    repo.mark_notification_failed(
        session, row_id, f"{reason}: handed to staff task {task.id}", retry_at=None
    )
