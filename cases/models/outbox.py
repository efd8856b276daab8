"""Outboxes (written in the same transaction as the change that causes them) and the record
of processed channel updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cases.models.base import Base, JsonType, OutboxStatus, utcnow


class _OutboxColumns:
    """What every outbox row carries to be delivered at least once and retried with backoff."""

    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationOutbox(_OutboxColumns, Base):
    """A reply to push to an applicant (`payload` is `locales.replies.to_json(reply)`)."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"NotificationOutbox(id={self.id}, key={self.dedupe_key!r}, {self.status!r})"


class PlatformOutbox(_OutboxColumns, Base):
    """A call to the approval platform (submit, withdraw, supplement, ...)."""

    __tablename__ = "platform_outbox"
    __table_args__ = (Index("ix_platform_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    delivered_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"PlatformOutbox(id={self.id}, kind={self.kind!r}, {self.status!r})"


class ProcessedUpdate(Base):
    """A channel update already handled: a duplicate delivery is dropped."""

    __tablename__ = "processed_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
