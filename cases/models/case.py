"""The case (申请), its material pages and the per-item results."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column

from cases.models.base import Base, ItemStatus, JsonType, PageStatus, utcnow
from cases.tables.store import cases


class Case(Base):
    """One application. `number` (YJ-YYYYMMDD-NNNN) is given on first submission; a draft
    exists earlier so that uploaded pages have a home. `form` is the one-form data: it never
    holds the raw ID number, which lives (encrypted) on the applicant."""

    __table__ = cases

    id: Mapped[int]
    number: Mapped[str | None]
    applicant_id: Mapped[int]
    form: Mapped[dict[str, Any]]
    status: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    results_ready_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    notice_sha256: Mapped[str | None]

    def __repr__(self) -> str:
        return f"Case(id={self.id}, number={self.number!r}, status={self.status!r})"


class CaseCounter(Base):
    """The last case number given on one day: one row per day, bumped atomically
    (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), so concurrent workers never collide."""

    __tablename__ = "case_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int]


class MaterialPage(Base):
    """One uploaded page of one material, stored by content hash in the file store.
    Pages belong to the applicant's draft case, created when uploads start."""

    __tablename__ = "material_pages"
    __table_args__ = (
        # The same photo sent twice for the same material is one page.
        UniqueConstraint("case_id", "material_code", "sha256"),
        Index("ix_material_pages_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    material_code: Mapped[str] = mapped_column(String(48))
    sha256: Mapped[str | None] = mapped_column(String(64))  # None for a "lost" declaration
    mime_type: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]
    width: Mapped[int | None]
    height: Mapped[int | None]
    page_no: Mapped[int] = mapped_column(default=1)
    page_count: Mapped[int | None]  # pages in the file (a PDF may hold several); None: one
    status: Mapped[str] = mapped_column(String(16), default=PageStatus.ok)
    reject_reason: Mapped[str | None] = mapped_column(String(200))
    supplement: Mapped[bool] = mapped_column(default=False)  # sent after submission (补正)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    purged_at: Mapped[datetime | None]  # the photo was deleted under the retention rule

    def __repr__(self) -> str:
        return (
            f"MaterialPage(id={self.id}, case_id={self.case_id}, "
            f"material={self.material_code!r}, page={self.page_no}, status={self.status!r})"
        )


class ItemResult(Base):
    """The state of one item (事项) of a case at its office (经办机构)."""

    __tablename__ = "item_results"
    __table_args__ = (UniqueConstraint("case_id", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_code: Mapped[str] = mapped_column(String(48))
    office_code: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.pending)
    due_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]] = mapped_column(MutableDict.as_mutable(JsonType), default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"ItemResult(case_id={self.case_id}, item={self.item_code!r}, {self.status!r})"
