"""A case registered at the window (一窗受理) and the one-time code that lets its worker follow
it in a chat later. The code itself is printed for the worker and never stored: only its
sha256 is (a copy of the database holds no usable code)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cases.models.base import Base, utcnow

# The channel of the applicant a walk-in case belongs to until a chat takes it over: no chat
# to push to, so its pushes become a phone task for the clerk (`cases.repositories.outbox`).
WINDOW_CHANNEL = "window"


class WalkInLink(Base):
    __tablename__ = "walk_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    registered_by: Mapped[str] = mapped_column(String(64))  # the clerk's account
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"))

    def __repr__(self) -> str:  # never the hash
        return f"WalkInLink(case_id={self.case_id}, claimed={self.claimed_at is not None})"
