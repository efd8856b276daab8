"""Audit log, reminders and staff tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cases.models.base import Base
from cases.tables.store import audit_log, staff_tasks


class AuditLog(Base):
    """Who saw or changed what, when (`cases.tables.store.audit_log`)."""

    __table__ = audit_log

    id: Mapped[int]
    at: Mapped[datetime]
    actor: Mapped[str]
    action: Mapped[str]
    case_id: Mapped[int | None]
    item_code: Mapped[str | None]
    detail: Mapped[dict[str, Any]]
    seal_seq: Mapped[int | None]
    seal: Mapped[str | None]

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
    """Work for a person at the window (`cases.tables.store.staff_tasks`)."""

    __table__ = staff_tasks

    id: Mapped[int]
    case_id: Mapped[int | None]
    applicant_id: Mapped[int | None]
    kind: Mapped[str]
    detail: Mapped[dict[str, Any]]
    status: Mapped[str]
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"StaffTask(id={self.id}, kind={self.kind!r}, status={self.status!r})"
