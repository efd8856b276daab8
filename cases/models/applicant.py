"""The applicant (申请人) and their conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column

from cases.models.base import Base, JsonType, utcnow


class Applicant(Base):
    """One person on one channel. Phone and ID numbers are stored encrypted (AES-GCM) and
    found by a keyed hash; see `cases.crypto` and `cases.repositories.applicants`."""

    __tablename__ = "applicants"
    __table_args__ = (UniqueConstraint("channel", "external_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_user_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    full_name: Mapped[str | None] = mapped_column(String(64))
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_tail: Mapped[str | None] = mapped_column(String(4))  # for masked display only
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    id_number_tail: Mapped[str | None] = mapped_column(String(4))  # for masked display only
    # The key that made both numbers' ciphertexts and hashes (a hash carries no key id of its
    # own); None before key ids, or while a rotation has not reached the row.
    key_id: Mapped[str | None] = mapped_column(String(16), index=True)
    # A number read from a photo of the ID card, held (encrypted) until the worker confirms
    # it; then it becomes the ID number above, as if typed (issue 18).
    card_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    consent_version: Mapped[str | None] = mapped_column(String(32))
    consented_at: Mapped[datetime | None]
    consent_scope: Mapped[str | None] = mapped_column(String(200))
    consent_withdrawn_at: Mapped[datetime | None]
    reachable: Mapped[bool] = mapped_column(default=True)
    unreachable_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def masked_phone(self) -> str | None:
        return None if self.phone_tail is None else f"*******{self.phone_tail}"

    @property
    def masked_id_number(self) -> str | None:
        return None if self.id_number_tail is None else f"**************{self.id_number_tail}"

    def __repr__(self) -> str:
        return (
            f"Applicant(id={self.id}, channel={self.channel!r}, "
            f"phone={self.masked_phone!r}, id_number={self.masked_id_number!r})"
        )


class Conversation(Base):
    """Where the applicant is in the conversation. `version` is SQLAlchemy's optimistic lock:
    a save from a stale copy raises (surfaced as `cases.errors.StaleConversation`)."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(
        ForeignKey("applicants.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(64))
    # Reassign or mutate the top level only: nested changes are not tracked.
    answers: Mapped[dict[str, Any]] = mapped_column(MutableDict.as_mutable(JsonType), default=dict)
    failures: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __repr__(self) -> str:
        # Answers may hold personal data: never in a repr.
        return (
            f"Conversation(id={self.id}, applicant_id={self.applicant_id}, "
            f"state={self.state!r}, version={self.version})"
        )
