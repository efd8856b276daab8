"""Updates taken in and not yet handled, and album parts, shared by every worker on one
database (see `cases.models.inbound` and `bot.shared_intake`). Each function is one short
unit of work for `Database.run`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from cases.crypto import vault_of
from cases.models import AlbumPart, InboundFloor, InboundUpdate, ProcessedUpdate, utcnow
from cases.repositories._sql import execute_count, upsert_insert
from cases.repositories.updates import mark_update_processed

_PART = b"album-part"  # the encryption context of a part's JSON
_UPDATE = b"inbound-update"  # and of an update's
REPLYING = timedelta(seconds=60)  # a handled update's replies are out well within this


def record_arrival(
    session: Session, channel: str, user_id: str, update_id: int, payload: str | None = None
) -> None:
    """An update some worker took in: kept (its JSON encrypted) until handled, so that it is
    acknowledged now and handled in turn, by the sweep if its worker dies. Album parts keep
    their JSON in `album_parts`. A redelivery records nothing new."""
    now = utcnow()
    row = {
        "channel": channel,
        "update_id": update_id,
        "user_id": user_id,
        "arrived_at": now,
        "claimed_at": now,
        "payload": None
        if payload is None
        else vault_of(session).encrypt(payload, context=_UPDATE),
    }
    session.execute(upsert_insert(session, InboundUpdate).values(row).on_conflict_do_nothing())


def claim_stale_updates(
    session: Session, channel: str, worker_since: datetime
) -> list[tuple[str, str]]:
    """Updates taken in whose worker has not handled them since `worker_since` (it died, or
    Telegram gave the update to another worker too): claimed for the caller, as (applicant,
    JSON) in update id order. Handled twice is harmless: the processed mark keeps one."""
    stmt = (
        update(InboundUpdate)
        .where(
            InboundUpdate.channel == channel,
            InboundUpdate.payload.is_not(None),
            InboundUpdate.claimed_at < worker_since,
        )
        .values(claimed_at=utcnow())
        .returning(InboundUpdate.update_id, InboundUpdate.user_id, InboundUpdate.payload)
    )
    vault = vault_of(session)
    rows = sorted(session.execute(stmt).all())
    return [(user, vault.decrypt(token, context=_UPDATE)) for _, user, token in rows if token]


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


@dataclass(frozen=True)
class Waiting:
    """An update (or an album: `first` and `last` its parts' ids) held by a worker."""

    first: int
    last: int
    user_id: str  # "": no applicant (a poll, a channel post)


def whose_turn(
    session: Session, channel: str, waiting: Sequence[Waiting], since: datetime
) -> tuple[int | None, set[int]]:
    """The floor, raised over every update id taken in since, and which of `waiting` may be
    handled now: every older update id taken in by some worker (update ids of one bot are
    consecutive across all chats: a missing one is an update still on its way), and none of
    the applicant's older updates unhandled (those that arrived before `since` are left-overs
    nobody will handle). The floor None: a new deployment, nothing known below."""
    floor = _raise_floor_over_taken(session, channel)
    if floor is None:
        return None, set()
    in_sequence = [w for w in waiting if w.last <= floor]
    users = {w.user_id for w in in_sequence if w.user_id}
    oldest: dict[str, int] = {}
    if users:
        handled = select(ProcessedUpdate.update_id).where(
            ProcessedUpdate.channel == channel,
            ProcessedUpdate.update_id == InboundUpdate.update_id,
        )
        query = (
            select(InboundUpdate.user_id, func.min(InboundUpdate.update_id))
            .where(
                InboundUpdate.channel == channel,
                InboundUpdate.user_id.in_(users),
                InboundUpdate.arrived_at >= since,
                # Handled but its row still there: its replies may be on their way (wait),
                # unless it arrived long ago (its worker died before forgetting it).
                or_(~handled.exists(), InboundUpdate.arrived_at >= utcnow() - REPLYING),
            )
            .group_by(InboundUpdate.user_id)
        )
        oldest = {user: first for user, first in session.execute(query)}
    ready = {w.first for w in in_sequence if oldest.get(w.user_id, w.first) >= w.first}
    return floor, ready


def newest_taken(session: Session, channel: str) -> int | None:
    """The highest update id any worker has taken in and not yet handled."""
    query = select(func.max(InboundUpdate.update_id)).where(InboundUpdate.channel == channel)
    return session.scalar(query)


def floor_reached(session: Session, channel: str, update_id: int) -> bool:
    """Whether every update id up to `update_id` has been taken in (the floor raised over
    the ids taken in since)."""
    floor = _raise_floor_over_taken(session, channel)
    return floor is not None and floor >= update_id


def _raise_floor_over_taken(session: Session, channel: str) -> int | None:
    """Raise the floor to the end of the unbroken run of ids taken in just above it."""
    floor = session.scalar(select(InboundFloor.update_id).where(InboundFloor.channel == channel))
    if floor is None:
        return None
    later = aliased(InboundUpdate)
    successor = (
        select(later.update_id)
        .where(later.channel == channel, later.update_id == InboundUpdate.update_id + 1)
        .exists()
    )
    taken = (InboundUpdate.channel == channel, InboundUpdate.update_id > floor)
    if (
        session.scalar(
            select(InboundUpdate.update_id)
            .where(*taken)
            .order_by(InboundUpdate.update_id)
            .limit(1)
        )
        != floor + 1
    ):
        return floor
    end = session.scalar(select(func.min(InboundUpdate.update_id)).where(*taken, ~successor))
    assert end is not None
    raise_floor(session, channel, end)
    return end


def missing_below(session: Session, channel: str, update_id: int, most: int = 5) -> list[int]:
    """Up to `most` ids above the floor and below `update_id` that no worker has taken in."""
    floor = session.scalar(select(InboundFloor.update_id).where(InboundFloor.channel == channel))
    if floor is None or update_id - floor > 10_000:
        return []  # nothing known below, or ids restarted after a quiet week
    taken = session.scalars(
        select(InboundUpdate.update_id).where(
            InboundUpdate.channel == channel,
            InboundUpdate.update_id > floor,
            InboundUpdate.update_id < update_id,
        )
    )
    return sorted(set(range(floor + 1, update_id)) - set(taken))[:most]


def raise_floor(session: Session, channel: str, update_id: int) -> None:
    """Every id up to `update_id` counts as taken in: the missing ones are given up."""
    insert = upsert_insert(session, InboundFloor).values(channel=channel, update_id=update_id)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=[InboundFloor.channel],
            set_={"update_id": update_id},
            where=InboundFloor.update_id < update_id,
        )
    )


def keep_claims(session: Session, channel: str, update_ids: Sequence[int]) -> None:
    """The worker holding these updates (and albums' parts) is alive: no sweep takes them."""
    now = utcnow()
    session.execute(
        update(InboundUpdate)
        .where(InboundUpdate.channel == channel, InboundUpdate.update_id.in_(update_ids))
        .values(claimed_at=now)
    )
    session.execute(
        update(AlbumPart)
        .where(
            AlbumPart.channel == channel,
            AlbumPart.update_id.in_(update_ids),
            AlbumPart.claimed_by.is_not(None),
        )
        .values(claimed_at=now)
    )


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
