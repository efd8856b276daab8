"""The case store's tables that the quick staff commands touch (`cases.models` maps `Case`,
`AuditLog`, `StaffTask` and `StaffAccount` onto them): who may act, what they saw, the
tasks the clock raises, and the case's id by its number."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, func

from cases.tables.base import STORE_METADATA, JsonType, TaskStatus, UtcDateTime, utcnow

cases = Table(
    "cases",
    STORE_METADATA,
    Column("id", Integer, primary_key=True),
    Column("number", String(20), unique=True),
    Column("applicant_id", Integer, ForeignKey("applicants.id"), nullable=False, index=True),
    Column("form", JsonType, nullable=False, default=dict),
    Column("status", String(32), nullable=False, default="draft", index=True),
    Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
    Column("updated_at", UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    Column("submitted_at", UtcDateTime()),
    Column("accepted_at", UtcDateTime()),
    Column("results_ready_at", UtcDateTime()),
    Column("signed_at", UtcDateTime()),
    Column("closed_at", UtcDateTime()),
    Column("notice_sha256", String(64)),
)

# Who saw or changed what, when. `detail` is masked before it is written. The chain
# (cases/audit_chain.py): rows are sealed shortly after they are written, in seal order, each
# seal covering the row and the seal before it.
audit_log = Table(
    "audit_log",
    STORE_METADATA,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime(), nullable=False, default=utcnow, index=True),
    Column("actor", String(64), nullable=False),  # "applicant:12", "account:wang", "system"
    Column("action", String(64), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), index=True),
    Column("item_code", String(48)),
    Column("detail", JsonType, nullable=False, default=dict),
    Column("seal_seq", Integer, unique=True),
    Column("seal", String(64)),
)

# Work for a person at the window: phone an unreachable applicant, chase an overdue item,
# follow up a poor rating.
staff_tasks = Table(
    "staff_tasks",
    STORE_METADATA,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), index=True),
    Column("applicant_id", Integer, ForeignKey("applicants.id"), index=True),
    Column("kind", String(32), nullable=False),  # phone_applicant | overdue | rating_followup
    Column("detail", JsonType, nullable=False, default=dict),
    Column("status", String(16), nullable=False, default=TaskStatus.open, index=True),
    Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
    Column("due_at", UtcDateTime()),
    Column("done_at", UtcDateTime()),
)

# Open tasks, most urgent first: by due time, or by creation for a task without one. The
# clerk's task list reads a page in this order from the index (`cases.tasks`). The two times
# close it so that it covers the page's query: a page deep in the list skips index entries
# only (an index-only scan on PostgreSQL), not the rows behind them.
URGENCY = func.coalesce(staff_tasks.c.due_at, staff_tasks.c.created_at)
Index(
    "ix_staff_tasks_open_order",
    staff_tasks.c.status,
    URGENCY,
    staff_tasks.c.id,
    staff_tasks.c.due_at,
    staff_tasks.c.created_at,
)
# The open tasks of one kind, by due time: the ratings report counts the open and the overdue
# rating follow-ups from it (`rating_counts`), a bounded range each.
Index("ix_staff_tasks_kind_due", staff_tasks.c.kind, staff_tasks.c.status, staff_tasks.c.due_at)

# An account of the staff console: one role, `clerk` (the window), `supervisor` (read-only
# overview) or an office code of `policy/items.toml` (that office's items only). Passwords
# are kept as argon2 hashes.
staff_accounts = Table(
    "staff_accounts",
    STORE_METADATA,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("role", String(48), nullable=False),  # clerk | supervisor | <office code>
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
    Column("disabled_at", UtcDateTime()),
    Column("failed_logins", Integer, nullable=False, default=0),  # consecutive, since the last
    Column("locked_until", UtcDateTime()),
    Column("last_login_at", UtcDateTime()),
)
