"""Audit log, reminders and staff tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from cases.models.base import Base, JsonType, TaskStatus, utcnow


class AuditLog(Base):
    """Who saw or changed what, when. `detail` is masked before it is written."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # "applicant:12", "clerk:wang", "system"
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    item_code: Mapped[str | None] = mapped_column(String(48))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # The chain (cases/audit_chain.py): rows are sealed shortly after they are written, in
    # seal order, each seal covering the row and the seal before it.
    seal_seq: Mapped[int | None] = mapped_column(unique=True)
    seal: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"AuditLog(id={self.id}, actor={self.actor!r}, action={self.action!r})"


class Reminder(Base):
    """A dated reminder to an applicant (e.g. 90 days before the statutory retirement month)."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("applicant_id", "kind", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    due_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]


class StaffTask(Base):
    """Work for a person at the window: phone an unreachable applicant, chase an overdue
    item, follow up a poor rating."""

    __tablename__ = "staff_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # phone_applicant | overdue | rating_followup
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.open, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"StaffTask(id={self.id}, kind={self.kind!r}, status={self.status!r})"


# Open tasks, most urgent first: by due time, or by creation for a task without one. The
# clerk's task list reads a page in this order from the index (`cases.tasks`). The two times
# close it so that it covers the page's query: a page deep in the list skips index entries
# only (an index-only scan on PostgreSQL), not the rows behind them.
URGENCY = func.coalesce(StaffTask.due_at, StaffTask.created_at)
Index(
    "ix_staff_tasks_open_order",
    StaffTask.status,
    URGENCY,
    StaffTask.id,
    StaffTask.due_at,
    StaffTask.created_at,
)
# The open tasks of one kind, by due time: the ratings report counts the open and the overdue
# rating follow-ups from it (`rating_counts`), a bounded range each.
Index("ix_staff_tasks_kind_due", StaffTask.kind, StaffTask.status, StaffTask.due_at)
