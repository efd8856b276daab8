"""The start of every inbound event's transaction: the update's mark, the applicant's lock and
the event's first read (the applicant and the conversation, as rows).

On PostgreSQL the three go in ONE round trip, a data-modifying WITH:

    WITH mark AS (INSERT INTO processed_updates ... ON CONFLICT DO NOTHING
                  RETURNING pg_try_advisory_xact_lock(:key) AS free)
    SELECT mark.free, found.* FROM (the event's read) AS found FULL JOIN mark ON true

A statement reads the snapshot taken when it began, before its lock was tried. Two cases
follow. The lock held by another worker (`free` false), or the update a duplicate (nothing
marked, the lock not tried): wait for the lock and read again, after that worker's commit.
The lock free, but the worker that held it committed in the instant between the snapshot and
the try: the row read is one event old, and the conversation's version check at the save
turns that into a conflict, which the service retries from a fresh read (every event that
changes the applicant's rows saves the conversation, so bumps its version); a first contact
(no conversation in the snapshot) is read again at once, lest it be inserted twice. The round
trip saved is a fifth of an event's database work on PostgreSQL (benchmarks/event_path.py).

Elsewhere (SQLite, one writer at a time; an event without an update id): `take_update`, then
`load_for_event`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import BigInteger, Table, bindparam, func, select, true
from sqlalchemy.orm import Session

from cases.models import ProcessedUpdate
from cases.repositories._sql import insert_if_absent
from cases.repositories.conversations import (
    EVENT_ROWS,
    ApplicantRow,
    ConversationRow,
    event_rows,
    load_for_event,
)
from cases.repositories.updates import (
    Arrival,
    applicant_lock_key,
    lock_applicant,
    take_update,
    update_number,
    wait_for_applicant,
)


@dataclass(frozen=True, slots=True)
class EventStart:
    arrival: Arrival
    applicant: ApplicantRow
    conversation: ConversationRow


def begin_event(
    session: Session,
    channel: str,
    user_id: str,
    update_id: str | int | None,
    initial_state: str,
    *,
    at: datetime,
) -> EventStart:
    """Mark the update, hold the applicant and read them with their conversation (a new
    conversation starts in `initial_state`); see the module docstring."""
    if update_id is None or session.get_bind().dialect.name != "postgresql":
        arrival = take_update(session, channel, user_id, update_id, at=at)
        return EventStart(arrival, *load_for_event(session, channel, user_id, initial_state))
    params = {
        "channel": channel,
        "user_id": user_id,
        "update_id": update_number(update_id),
        "processed_at": at,
        "key": applicant_lock_key(channel, user_id),
    }
    row = session.connection().execute(_mark_lock_read(), params).first()
    free = None if row is None else row[0]
    if free is None:  # a duplicate: nothing marked, the lock not tried
        arrival = Arrival(duplicate=True, waited=lock_applicant(session, channel, user_id))
    elif not free:
        wait_for_applicant(session, channel, user_id)
        arrival = Arrival(duplicate=False, waited=True)
    else:
        arrival = Arrival(duplicate=False, waited=False)
        assert row is not None
        if row[_CONVERSATION_ID] is not None:  # the row read is the event's
            return EventStart(
                arrival, *event_rows(session, row[1:], channel, user_id, initial_state)
            )
        # First contact as this statement's snapshot saw it: read again in a fresh snapshot,
        # so that a first event committed meanwhile is found, not inserted a second time.
    return EventStart(arrival, *load_for_event(session, channel, user_id, initial_state))


_CONVERSATION_ID = 4  # mark.free, then EVENT_ROWS' columns: applicant id, language, card, ...


@cache
def _mark_lock_read() -> Any:
    marks = cast(Table, ProcessedUpdate.__table__)
    key = bindparam("key", type_=BigInteger)
    columns = ("channel", "update_id", "processed_at")
    mark = (
        insert_if_absent("postgresql", marks, columns)
        .returning(func.pg_try_advisory_xact_lock(key).label("free"))
        .cte("mark")
    )
    found = EVENT_ROWS.subquery("found")
    # FULL JOIN ON true: one row whether the update was marked, the applicant found, or both.
    return select(mark.c.free, *found.c).select_from(found).join(mark, true(), full=True)
