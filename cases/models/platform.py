"""Tables of the approval platform, in their own metadata.

The embedded platform stands in for an external system: it keeps its own record of what it
received (`platform_emb_*`), apart from our case store, even when both live in one database.
Our side keeps the events it has applied (`platform_inbox`, the inbox pattern that makes a
redelivered event harmless) and the nonces it has seen (`platform_nonces`, replay refusal).

The record's two tables that the quick staff commands read are Core tables
(`cases.tables.platform`) that `EmbCase` and `EmbItem` map onto; the others are declared here.
All are created by the migrations (revision 0002 of `cases/migrations`):
one database, one migration history, so the record owns every table's shape and `cases`
never imports the adapter that uses them (`integrations.platform` imports these models).
They keep their own metadata, so that a deployment against the real platform could drop the
embedded one's tables without touching the case store's models. `cases.schema` hands both
metadata to Alembic and to `Database.create_all`. Nothing creates them on first use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cases.tables.base import PLATFORM_METADATA, JsonType, UtcDateTime, utcnow
from cases.tables.platform import OPEN_CASES, OPEN_STATUSES, emb_cases, emb_items

__all__ = [
    "OPEN_CASES",
    "OPEN_STATUSES",
    "EmbCase",
    "EmbEvent",
    "EmbItem",
    "EmbSupplement",
    "InboxEvent",
    "PlatformBase",
    "SeenNonce",
]

# The JSON objects of these models are tracked in place (`case.form["x"] = ...` is saved).
MutableDict.as_mutable(JsonType)


# The clerk's queue: open cases oldest first, read in index order and counted from the index
# alone, however many cases are closed (a partial index on both databases). Declared here, not
# with the table: options for a database load its dialect, and the quick commands on SQLite
# never load PostgreSQL's (the queue names the index, it needs no object).
Index(
    "ix_platform_emb_cases_open_queue",
    emb_cases.c.received_at,
    emb_cases.c.case_number,
    emb_cases.c.status,  # covering: the ordered read never visits the table
    sqlite_where=text(OPEN_CASES),
    postgresql_where=text(OPEN_CASES),
)


class PlatformBase(DeclarativeBase):
    metadata = PLATFORM_METADATA
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads it as a class attr
        datetime: UtcDateTime(),
        dict[str, Any]: JsonType,
    }


# --- the embedded platform's own record ------------------------------------------------------


class EmbCase(PlatformBase):
    """A case as the platform received it. `form` holds what the applicant sent, including
    the ID number: only office views filtered by item (least privilege) ever show it."""

    __table__ = emb_cases

    case_number: Mapped[str]
    idempotency_key: Mapped[str]
    platform_ref: Mapped[str]
    form: Mapped[dict[str, Any]]
    materials: Mapped[dict[str, Any]]
    status: Mapped[str]
    received_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[str | None]
    withdrawn_reason: Mapped[str | None]

    def __repr__(self) -> str:
        return f"EmbCase({self.case_number!r}, {self.status!r})"


class EmbItem(PlatformBase):
    """One item of a case at its office."""

    __table__ = emb_items

    id: Mapped[int]
    case_number: Mapped[str]
    item: Mapped[str]
    office: Mapped[str]
    status: Mapped[str]
    dispatched_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None]
    data: Mapped[dict[str, Any]]
    reason: Mapped[str | None]
    overdue_flagged_at: Mapped[datetime | None]
    rounds: Mapped[list[dict[str, Any]] | None]


class EmbSupplement(PlatformBase):
    __tablename__ = "platform_emb_supplements"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    case_number: Mapped[str] = mapped_column(
        ForeignKey("platform_emb_cases.case_number", ondelete="CASCADE"), index=True
    )
    material_code: Mapped[str] = mapped_column(String(48))
    pages: Mapped[dict[str, Any]] = mapped_column(JsonType)  # {"pages": [{sha256, mime}]}
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmbEvent(PlatformBase):
    """An event waiting to be pushed to the callback URL of a remote bot (serve mode)."""

    __tablename__ = "platform_emb_events"
    __table_args__ = (Index("ix_platform_emb_events_due", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    case_number: Mapped[str] = mapped_column(String(20), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]


# --- our side --------------------------------------------------------------------------------


class InboxEvent(PlatformBase):
    """A platform event already applied to the case store: a redelivery changes nothing."""

    __tablename__ = "platform_inbox"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)


class SeenNonce(PlatformBase):
    """A request nonce seen within the freshness window (both the callback endpoint and the
    platform server refuse a second use). Rows older than the window may be deleted."""

    __tablename__ = "platform_nonces"

    nonce: Mapped[str] = mapped_column(String(80), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)
