"""Tables of the approval platform, in their own metadata.

The embedded platform stands in for an external system: it keeps its own record of what it
received (`platform_emb_*`), apart from our case store, even when both live in one database.
Our side keeps the events it has applied (`platform_inbox`, the inbox pattern that makes a
redelivered event harmless) and the nonces it has seen (`platform_nonces`, replay refusal).

Declared here, beside the migrations that create them (revision 0002 of `cases/migrations`):
one database, one migration history, so the record owns every table's shape and `cases`
never imports the adapter that uses them (`integrations.platform` imports these models).
They keep their own metadata, so that a deployment against the real platform could drop the
embedded one's tables without touching the case store's models. `cases.schema` hands both
metadata to Alembic and to `Database.create_all`. Nothing creates them on first use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cases.models.base import NAMING_CONVENTION, JsonType, UtcDateTime, utcnow

OPEN_STATUSES = ("received", "returned", "accepted")  # cases on the clerk's queue
OPEN_CASES = "status IN ('received', 'returned', 'accepted')"


class PlatformBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads it as a class attr
        datetime: UtcDateTime(),
        dict[str, Any]: JsonType,
    }


# --- the embedded platform's own record ------------------------------------------------------


class EmbCase(PlatformBase):
    """A case as the platform received it. `form` holds what the applicant sent, including
    the ID number: only office views filtered by item (least privilege) ever show it."""

    __tablename__ = "platform_emb_cases"
    # The clerk's queue: open cases oldest first, read in index order and counted from the
    # index alone, however many cases are closed (a partial index on both databases).
    __table_args__ = (
        Index(
            "ix_platform_emb_cases_open_queue",
            "received_at",
            "case_number",
            "status",  # covering: the ordered read never visits the table
            sqlite_where=text(OPEN_CASES),
            postgresql_where=text(OPEN_CASES),
        ),
    )

    case_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    platform_ref: Mapped[str] = mapped_column(String(40), unique=True)
    form: Mapped[dict[str, Any]] = mapped_column(MutableDict.as_mutable(JsonType), default=dict)
    materials: Mapped[dict[str, Any]] = mapped_column(
        MutableDict.as_mutable(JsonType), default=dict
    )  # {code: {"sha256": [...], "mime": ..., "pages": n, "lost": bool, "returned": reason}}
    # received | returned | accepted | results_ready | withdrawn
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[str | None] = mapped_column(String(64))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"EmbCase({self.case_number!r}, {self.status!r})"


class EmbItem(PlatformBase):
    """One item of a case at its office."""

    __tablename__ = "platform_emb_items"
    __table_args__ = (
        UniqueConstraint("case_number", "item"),
        # Overdue items (pending, due before now): a range of this index, not a scan.
        Index("ix_platform_emb_items_status_due", "status", "due_at"),
        # An office's inbox: its pending items soonest due first, the page's ids read from
        # the index alone (`integrations/platform/embedded/inbox_page.py`).
        Index("ix_platform_emb_items_inbox", "office", "status", "due_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(
        ForeignKey("platform_emb_cases.case_number", ondelete="CASCADE"), index=True
    )
    item: Mapped[str] = mapped_column(String(48))
    office: Mapped[str] = mapped_column(String(48), index=True)
    # waiting (for another item) | pending (at the office) | done | supplement | refused | online
    status: Mapped[str] = mapped_column(String(16), index=True)
    dispatched_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(MutableDict.as_mutable(JsonType), default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    overdue_flagged_at: Mapped[datetime | None]
    # The office's supplement requests, one per round, oldest first: {"round", "asked_at",
    # "asked_by", "reason", "materials": [codes], "received": {code: {"pages", "lost", "at"}},
    # "back_at", "due_at"} (times ISO). None until the first request.
    # (A type of its own: `JsonType` is tracked as a mutable dict wherever it is used.)
    rounds: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql")
    )


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
