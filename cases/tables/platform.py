"""The embedded platform's own record (`platform_emb_*`), in its own metadata: see
`cases.models.platform`, whose `EmbCase` and `EmbItem` map onto these tables."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from cases.tables.base import PLATFORM_METADATA, JsonDocument, JsonType, UtcDateTime, utcnow

OPEN_STATUSES = ("received", "returned", "accepted")  # cases on the clerk's queue
OPEN_CASES = "status IN ('received', 'returned', 'accepted')"

emb_cases = Table(
    "platform_emb_cases",
    PLATFORM_METADATA,
    Column("case_number", String(20), primary_key=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("platform_ref", String(40), nullable=False, unique=True),
    # What the applicant sent, the ID number sealed (integrations/platform/embedded/sealing.py)
    Column("form", JsonType, nullable=False, default=dict),
    # {code: {"sha256": [...], "mime": ..., "pages": n, "lost": bool, "returned": reason}}
    Column("materials", JsonType, nullable=False, default=dict),
    # received | returned | accepted | results_ready | withdrawn
    Column("status", String(20), nullable=False, default="received", index=True),
    Column("received_at", UtcDateTime(), nullable=False, default=utcnow),
    Column("accepted_at", UtcDateTime()),
    Column("accepted_by", String(64)),
    Column("withdrawn_reason", Text),
    # The clerk's queue's partial index (`ix_platform_emb_cases_open_queue`) is declared on
    # the model (cases/models/platform.py): its options for each database load both dialects.
)

emb_items = Table(
    "platform_emb_items",
    PLATFORM_METADATA,
    Column("id", Integer, primary_key=True),
    Column(
        "case_number",
        ForeignKey("platform_emb_cases.case_number", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("item", String(48), nullable=False),
    Column("office", String(48), nullable=False, index=True),
    # waiting (for another item) | pending (at the office) | done | supplement | refused | online
    Column("status", String(16), nullable=False, index=True),
    Column("dispatched_at", UtcDateTime()),
    Column("due_at", UtcDateTime()),
    Column("answered_at", UtcDateTime()),
    Column("answered_by", String(64)),
    Column("data", JsonType, nullable=False, default=dict),
    Column("reason", Text),
    Column("overdue_flagged_at", UtcDateTime()),
    # The office's supplement requests, one per round, oldest first: {"round", "asked_at",
    # "asked_by", "reason", "materials": [codes], "received": {code: {"pages", "lost", "at"}},
    # "back_at", "due_at"} (times ISO). None until the first request. (A type object of its
    # own: the models track `JsonType` columns as mutable dicts.)
    Column("rounds", JsonDocument()),
    UniqueConstraint("case_number", "item"),
    # Overdue items (pending, due before now): a range of this index, not a scan.
    Index("ix_platform_emb_items_status_due", "status", "due_at"),
    # An office's inbox: its pending items soonest due first, the page's ids read from the
    # index alone (`integrations/platform/embedded/inbox_page.py`).
    Index("ix_platform_emb_items_inbox", "office", "status", "due_at", "id"),
)
