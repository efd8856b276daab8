"""Updates taken in and not yet handled, and album parts, shared by every worker on one
database (see `cases.models.inbound` and `bot.shared_intake`). Each function is one short
unit of work for `Database.run`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from cases.crypto import vault_of
from cases.models import AlbumPart, InboundUpdate, ProcessedUpdate, utcnow
from cases.repositories._sql import execute_count, upsert_insert
from cases.repositories.updates import mark_update_processed

_PART = b"album-part"  # the encryption context of a part's JSON
REPLYING = timedelta(seconds=60)  # a handled update's replies are out well within this


def record_arrival(session: Session, channel: str, user_id: str, update_id: int) -> None:
    """An update some worker is about to handle (a redelivery records nothing new)."""
    row = {"channel": channel, "update_id": update_id, "user_id": user_id, "arrived_at": utcnow()}
    session.execute(upsert_insert(session, InboundUpdate).values(row).on_conflict_do_nothing())


def record_album_part(
    session: Session, channel: str, user_id: str, update_id: int, group_id: str, payload: str
) -> bool:
    """One message of an album, kept (encrypted) until the album is handled as one. False:
    a part delivered again after its album was handled (`finish_album`), kept no more."""
    done = select(ProcessedUpdate.update_id).where(
        ProcessedUpdate.channel == channel, ProcessedUpdate.update_id == update_id
    )
    if session.scalar(done) is not None:
        return False
    record_arrival(session, channel, user_id, update_id)
    token = vault_of(session).encrypt(payload, context=_PART)
    row = {
        "channel": channel,
        "update_id": update_id,
        "user_id": user_id,
        "group_id": group_id,
        "payload": token,
        "arrived_at": utcnow(),
    }
    session.execute(upsert_insert(session, AlbumPart).values(row).on_conflict_do_nothing())
    return True


def earlier_waiting(
    session: Session, channel: str, user_id: str, update_id: int, since: datetime
) -> int:
    """How many of the applicant's updates older than `update_id` are taken in but not yet
    handled (those that arrived before `since` are left-overs nobody will handle)."""
    handled = select(ProcessedUpdate.update_id).where(
        ProcessedUpdate.channel == channel, ProcessedUpdate.update_id == InboundUpdate.update_id
    )
    query = select(func.count()).where(
        InboundUpdate.channel == channel,
        InboundUpdate.user_id == user_id,
        InboundUpdate.update_id < update_id,
        InboundUpdate.arrived_at >= since,
        # Handled but its row still there: its replies may be on their way (wait), unless it
        # arrived long ago (its worker died before forgetting it).
        or_(~handled.exists(), InboundUpdate.arrived_at >= utcnow() - REPLYING),
    )
    return session.scalar(query) or 0


def forget_arrivals(session: Session, channel: str, update_ids: Sequence[int]) -> None:
    """The updates are handled: later ones no longer wait for them."""
    where = (InboundUpdate.channel == channel, InboundUpdate.update_id.in_(update_ids))
    session.execute(delete(InboundUpdate).where(*where))
    parts = (AlbumPart.channel == channel, AlbumPart.update_id.in_(update_ids))
    session.execute(delete(AlbumPart).where(*parts))


def finish_album(session: Session, channel: str, update_ids: Sequence[int]) -> None:
    """The album is handled: every part counts as processed (the event was marked by its
    first part's id), so a part Telegram delivers again is not a new upload."""
    now = utcnow()
    for update_id in update_ids:
        mark_update_processed(session, channel, update_id, at=now)
    forget_arrivals(session, channel, update_ids)


def last_part_at(session: Session, channel: str, group_id: str) -> datetime | None:
    """When the newest unclaimed part of the album arrived; None once it is claimed."""
    query = select(func.max(AlbumPart.arrived_at)).where(
        AlbumPart.channel == channel,
        AlbumPart.group_id == group_id,
        AlbumPart.claimed_by.is_(None),
    )
    return session.scalar(query)


def claim_album(
    session: Session, channel: str, group_id: str, worker: str, stale_before: datetime
) -> list[str]:
    """Take the album's parts for `worker` to handle (none when another worker has them,
    unless its claim is older than `stale_before`: that worker died). The parts' JSON, in
    the order of their update ids."""
    stmt = (
        update(AlbumPart)
        .where(
            AlbumPart.channel == channel,
            AlbumPart.group_id == group_id,
            or_(AlbumPart.claimed_by.is_(None), AlbumPart.claimed_at < stale_before),
        )
        .values(claimed_by=worker, claimed_at=utcnow())
        .returning(AlbumPart.update_id, AlbumPart.payload)
    )
    rows = sorted(session.execute(stmt).all())
    vault = vault_of(session)
    return [vault.decrypt(payload, context=_PART) for _, payload in rows]


def orphan_albums(
    session: Session, channel: str, quiet_before: datetime, stale_before: datetime
) -> list[tuple[str, str]]:
    """Albums nobody is gathering, as (group, applicant): quiet since `quiet_before` and
    unclaimed, or claimed by a worker that has not finished since `stale_before`."""
    unclaimed = AlbumPart.claimed_by.is_(None)
    query = (
        select(AlbumPart.group_id, AlbumPart.user_id)
        .where(AlbumPart.channel == channel)
        .group_by(AlbumPart.group_id, AlbumPart.user_id)
        .having(
            or_(
                func.max(AlbumPart.arrived_at) < quiet_before,
                func.max(AlbumPart.claimed_at) < stale_before,
            )
        )
        .where(or_(unclaimed, AlbumPart.claimed_at < stale_before))
    )
    return [(group, user) for group, user in session.execute(query)]


def forget_stale_inbound(session: Session, before: datetime) -> int:
    """Left-overs of killed workers (their updates come again from Telegram)."""
    gone = execute_count(session, delete(InboundUpdate).where(InboundUpdate.arrived_at < before))
    return gone + execute_count(session, delete(AlbumPart).where(AlbumPart.arrived_at < before))
