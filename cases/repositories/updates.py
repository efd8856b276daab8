"""Processed channel updates: a duplicated delivery of the same update changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from cases.models import ProcessedUpdate, utcnow
from cases.repositories._sql import execute_count, upsert_insert


def mark_update_processed(
    session: Session, channel: str, update_id: int, *, at: datetime | None = None
) -> bool:
    """Record the update in the caller's transaction. True: first time, handle it.
    False: a duplicate, handle nothing. Because the mark commits (or rolls back) together
    with the handling, a crash in between leaves the update unmarked and it is handled again."""
    stmt = upsert_insert(session, ProcessedUpdate).values(
        channel=channel, update_id=update_id, processed_at=at or utcnow()
    )
    return execute_count(session, stmt.on_conflict_do_nothing()) == 1


def forget_processed_updates(session: Session, before: datetime) -> int:
    """Drop marks older than any redelivery window (Telegram keeps updates for 24 hours)."""
    stmt = delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
    return execute_count(session, stmt)
