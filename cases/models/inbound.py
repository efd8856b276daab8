"""Updates taken in but not yet handled, shared by every worker of a deployment on one
database: what keeps one applicant's updates in order and an album whole when a front spreads
them over several processes (`bot.shared_intake`). Rows live seconds: each is deleted once
its update is handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from cases.models.base import Base, utcnow


class InboundUpdate(Base):
    """An update some worker has received and not yet handled: a later update of the same
    applicant waits for it (the update id order). `payload` is the update's JSON, encrypted
    with the data key, for the sweep to handle if its worker dies (None: an album part, kept
    in `AlbumPart`); `claimed_at` when a worker last took it on."""

    __tablename__ = "inbound_updates"
    __table_args__ = (Index("ix_inbound_updates_user", "channel", "user_id", "update_id"),)

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[str] = mapped_column(String(64))
    arrived_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    claimed_at: Mapped[datetime | None] = mapped_column()


class InboundFloor(Base):
    """The update id at or below which every update of the channel was taken in (or given
    up for lost): Telegram numbers one bot's updates consecutively across all chats, so an
    id above it that has no `InboundUpdate` row is an update still on its way."""

    __tablename__ = "inbound_floor"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger)


class AlbumPart(Base):
    """One message of an album (a media group), kept until the album is handled as one.
    `payload` is the update's JSON, encrypted with the data key (names, captions)."""

    __tablename__ = "album_parts"
    __table_args__ = (Index("ix_album_parts_group", "channel", "group_id"),)

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[str] = mapped_column(String(64))
    group_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    arrived_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the worker handling it
    claimed_at: Mapped[datetime | None] = mapped_column()
