"""Processed channel updates: a duplicated delivery of the same update changes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import BigInteger, Table, bindparam, delete, func, select
from sqlalchemy.orm import Session

from cases.models import ProcessedUpdate, utcnow
from cases.repositories._sql import execute_count, insert_if_absent

_MARKS = cast(Table, ProcessedUpdate.__table__)


def mark_update_processed(
    session: Session, channel: str, update_id: str | int, *, at: datetime | None = None
) -> bool:
    """Record the update in the caller's transaction. True: first time, handle it.
    False: a duplicate, handle nothing. Because the mark commits (or rolls back) together
    with the handling, a crash in between leaves the update unmarked and it is handled again."""
    params = {
        "channel": channel,
        "update_id": update_number(update_id),
        "processed_at": at or utcnow(),
    }
    statement = insert_if_absent(session.get_bind().dialect.name, _MARKS, tuple(params))
    # On the session's connection: no ORM execution layer, no autoflush (nothing is pending
    # this early in a unit of work, and the mark touches no mapped object).
    return session.connection().execute(statement, params).rowcount == 1


def update_number(update_id: str | int) -> int:
    """Telegram's update ids are integers; other channels' ids are hashed into 63 bits."""
    if isinstance(update_id, int):
        return update_id
    if update_id.isdigit() and len(update_id) < 19:
        return int(update_id)
    return int.from_bytes(hashlib.blake2b(update_id.encode(), digest_size=8).digest()) >> 1


def forget_processed_updates(session: Session, before: datetime) -> int:
    """Drop marks older than any redelivery window (Telegram keeps updates for 24 hours)."""
    stmt = delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
    return execute_count(session, stmt)


# Built once, the key a parameter: a statement built per call is also compiled per call.
_KEY = bindparam("key", type_=BigInteger)
_TRY_LOCK = select(func.pg_try_advisory_xact_lock(_KEY))
_LOCK = select(func.pg_advisory_xact_lock(_KEY))


def lock_applicant(session: Session, channel: str, user_id: str) -> bool:
    """On PostgreSQL, hold the applicant's advisory lock until the transaction ends, so that
    workers on other processes handle one applicant's events one at a time (they wait here
    instead of losing the conversation's version check). True when another worker held it
    (a lock conflict: this one waited). On SQLite, nothing: one process writes at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    params = {"key": applicant_lock_key(channel, user_id)}
    connection = session.connection()
    if connection.scalar(_TRY_LOCK, params):
        return False
    connection.scalar(_LOCK, params)
    return True


@dataclass(frozen=True, slots=True)
class Arrival:
    """How an inbound event's transaction began (`cases.repositories.event_start`)."""

    duplicate: bool  # the update was handled before: handle nothing
    waited: bool  # another worker held the applicant (a lock conflict): this one waited


def take_update(
    session: Session, channel: str, user_id: str, update_id: str | int | None, *, at: datetime
) -> Arrival:
    """Hold the applicant's lock (`lock_applicant`), then mark the update processed
    (`mark_update_processed`, when it has an id). `begin_event` does this and the event's
    first read in one round trip on PostgreSQL."""
    waited = lock_applicant(session, channel, user_id)
    first = update_id is None or mark_update_processed(session, channel, update_id, at=at)
    return Arrival(duplicate=not first, waited=waited)


def wait_for_applicant(session: Session, channel: str, user_id: str) -> None:
    """On PostgreSQL, wait for the applicant's advisory lock (held until the transaction
    ends), whoever holds it now."""
    session.connection().scalar(_LOCK, {"key": applicant_lock_key(channel, user_id)})


def applicant_lock_key(channel: str, user_id: str) -> int:
    """The advisory lock's 64-bit key: a hash of the applicant (the chat) on the channel."""
    digest = hashlib.blake2b(f"{channel}:{user_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, signed=True)
