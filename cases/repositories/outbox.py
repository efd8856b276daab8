"""The two outboxes: rows written in the same transaction as the change that causes them,
then delivered at least once by a worker: claim (with a lease), send, mark sent or failed.

A reply that carries an ID or mobile number (the number read from a card's photo, shown in
full for the worker to confirm) is kept sealed: its payload is encrypted with the data key,
as every such number at rest, and opened only to be sent (`notification_payload`)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.personal_numbers import find_numbers
from cases.crypto import vault_of
from cases.models import Applicant, NotificationOutbox, OutboxStatus, PlatformOutbox, utcnow
from cases.models.walk_in import WINDOW_CHANNEL
from cases.repositories._sql import execute_count, insert_if_absent
from cases.repositories.case_records import current_case
from cases.repositories.tasks import add_staff_task

Row = TypeVar("Row", NotificationOutbox, PlatformOutbox)

DEFAULT_LEASE = timedelta(seconds=60)
SEALED = "sealed"  # a sealed payload: {"sealed": base64 of the vault's token of its JSON}
PAYLOAD_CONTEXT = b"notification_outbox.payload"


def enqueue_notification(
    session: Session,
    applicant_id: int,
    payload: dict[str, Any],
    dedupe_key: str,
    *,
    not_before: datetime | None = None,
) -> bool:
    """Queue a reply (`locales.replies.to_json(reply)`) for an applicant. Idempotent on
    `dedupe_key`: True when queued now, False when that key was already queued."""
    now = utcnow()
    values = {
        "applicant_id": applicant_id,
        "payload": seal_payload(session, payload),
        "dedupe_key": dedupe_key,
        "status": OutboxStatus.pending.value,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "created_at": now,
    }
    queued = _insert(session, NotificationOutbox, values)
    if queued:
        _phone_if_no_chat(session, applicant_id, dedupe_key)
    return queued


WALK_IN_TASK = "phone_walk_in"
_CHANNEL = select(Applicant.channel).where(Applicant.id == bindparam("id_"))  # built once


def _phone_if_no_chat(session: Session, applicant_id: int, dedupe_key: str) -> None:
    """A walk-in case not yet taken over in a chat has no chat to push to: its message would
    wait for nobody. The clerk gets a task to phone the worker instead (one open task per
    case, listing the messages), and the row is closed at once, naming the task."""
    channel = session.connection().scalar(_CHANNEL, {"id_": applicant_id})
    if channel != WINDOW_CHANNEL:
        return
    row = session.scalars(
        select(NotificationOutbox).where(NotificationOutbox.dedupe_key == dedupe_key)
    ).one()
    case = current_case(session, applicant_id)
    task = add_staff_task(
        session,
        WALK_IN_TASK,
        case_id=case.id if case is not None else None,
        applicant_id=applicant_id,
        detail={"reason": "walk_in_not_linked", "channel": WINDOW_CHANNEL},
    )
    waiting = list(task.detail.get("notifications", []))
    task.detail = {**task.detail, "notifications": [*waiting, row.id]}
    _failed(row, f"walk-in case not linked to a chat: staff task {task.id}", None)


def seal_payload(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as stored: sealed when it holds an ID or mobile number, else as it is."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    if not find_numbers(text):
        return payload
    token = vault_of(session).encrypt(text, context=PAYLOAD_CONTEXT)
    return {SEALED: base64.b64encode(token).decode()}


def notification_payload(session: Session, row: NotificationOutbox) -> dict[str, Any]:
    """The reply to send (`locales.replies.from_json`), opened when it was sealed."""
    sealed = row.payload.get(SEALED)
    if sealed is None:
        return row.payload
    text = vault_of(session).decrypt(base64.b64decode(sealed), context=PAYLOAD_CONTEXT)
    return json.loads(text)  # type: ignore[no-any-return]


def open_payloads(session: Session, rows: list[NotificationOutbox]) -> None:
    """Each row's payload opened in memory for its sender, never written back as such."""
    for row in rows:
        set_committed_value(row, "payload", notification_payload(session, row))


def enqueue_platform_call(
    session: Session,
    case_id: int,
    kind: str,
    payload: dict[str, Any],
    idempotency_key: str,
    *,
    not_before: datetime | None = None,
) -> bool:
    """Queue a call to the approval platform (submit, withdraw, supplement, ...). Idempotent
    on `idempotency_key`, which is also sent to the platform so it can drop a repeat."""
    now = utcnow()
    values = {
        "case_id": case_id,
        "kind": kind,
        "payload": payload,
        "idempotency_key": idempotency_key,
        "status": OutboxStatus.pending.value,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "created_at": now,
    }
    return _insert(session, PlatformOutbox, values)


def _insert(session: Session, model: type[Row], values: dict[str, Any]) -> bool:
    """One outbox row, unless its key is queued already (True: queued now)."""
    dialect = session.get_bind().dialect.name
    statement = insert_if_absent(dialect, cast(Table, model.__table__), tuple(values))
    return execute_count(session, statement, values) == 1


def _claim(
    session: Session, model: type[Row], now: datetime, limit: int, lease: timedelta
) -> list[Row]:
    # SKIP LOCKED lets several workers claim disjoint rows on PostgreSQL (SQLite ignores it:
    # it has one writer anyway). The lease pushes next_attempt_at forward, so a row whose
    # worker dies mid-send becomes due again: delivery is at least once.
    query = (
        select(model)
        .where(model.status == OutboxStatus.pending.value, model.next_attempt_at <= now)
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease
    session.flush()
    return rows


def claim_due_notifications(
    session: Session, now: datetime, limit: int = 50, *, lease: timedelta = DEFAULT_LEASE
) -> list[NotificationOutbox]:
    rows = _claim(session, NotificationOutbox, now, limit, lease)
    open_payloads(session, rows)
    return rows


def claim_due_platform_calls(
    session: Session, now: datetime, limit: int = 20, *, lease: timedelta = DEFAULT_LEASE
) -> list[PlatformOutbox]:
    return _claim(session, PlatformOutbox, now, limit, lease)


def mark_notification_sent(session: Session, row_id: int, *, at: datetime | None = None) -> None:
    row = session.get(NotificationOutbox, row_id)
    if row is not None:
        row.status, row.sent_at, row.last_error = OutboxStatus.sent.value, at or utcnow(), None


def mark_platform_delivered(session: Session, row_id: int, *, at: datetime | None = None) -> None:
    row = session.get(PlatformOutbox, row_id)
    if row is not None:
        row.status, row.delivered_at = OutboxStatus.sent.value, at or utcnow()
        row.last_error = None


def _failed(row: Any, error: str, retry_at: datetime | None) -> None:
    row.last_error = error[:2000]
    if retry_at is None:
        row.status = OutboxStatus.failed.value  # given up: a person looks at it
    else:
        row.next_attempt_at = retry_at


def mark_notification_failed(
    session: Session, row_id: int, error: str, *, retry_at: datetime | None
) -> None:
    """Record a failed attempt; `retry_at=None` gives up for good (status failed)."""
    row = session.get(NotificationOutbox, row_id)
    if row is not None:
        _failed(row, error, retry_at)


def mark_platform_failed(
    session: Session, row_id: int, error: str, *, retry_at: datetime | None
) -> None:
    row = session.get(PlatformOutbox, row_id)
    if row is not None:
        _failed(row, error, retry_at)


def pending_notifications(session: Session, applicant_id: int) -> list[NotificationOutbox]:
    query = (
        select(NotificationOutbox)
        .where(
            NotificationOutbox.applicant_id == applicant_id,
            NotificationOutbox.status == OutboxStatus.pending.value,
        )
        .order_by(NotificationOutbox.id)
    )
    rows = list(session.scalars(query))
    open_payloads(session, rows)
    return rows


def platform_calls_of(session: Session, case_id: int) -> list[PlatformOutbox]:
    query = select(PlatformOutbox).where(PlatformOutbox.case_id == case_id)
    return list(session.scalars(query.order_by(PlatformOutbox.id)))
