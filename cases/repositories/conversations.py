"""Conversations, saved under optimistic locking.

This is the hot path (one load and one save per inbound event). The conversation service
reads the applicant and the conversation as plain rows (`load_for_event`: one prebuilt Core
SELECT of the columns an event needs, no ORM object, no identity map) and writes the state
back with one prebuilt UPDATE ... WHERE version = :seen. See benchmarks/event_path.py for
what that costs against the raw driver doing the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from cases.errors import StaleConversation
from cases.models import Applicant, Conversation, utcnow
from cases.repositories.applicants import get_or_create_applicant

_APPLICANTS = cast(Table, Applicant.__table__)
_TABLE = cast(Table, Conversation.__table__)


@dataclass(frozen=True, slots=True)
class ApplicantRow:
    """What one event reads of the applicant; the ORM object (`get_applicant`) is loaded only
    by the rarer events that change or show the record."""

    id: int
    language: str | None
    holds_card_number: bool  # a number read from a card photo awaits confirmation


@dataclass(slots=True)
class ConversationRow:
    """A conversation as a plain row. `id` None: not stored yet (its first save inserts it)."""

    applicant_id: int
    state: str
    answers: dict[str, Any]
    failures: int = 0
    version: int = 0
    id: int | None = None


_LOAD = select(Conversation).where(Conversation.applicant_id == bindparam("applicant_id"))


def load_conversation(session: Session, applicant_id: int) -> Conversation | None:
    return session.scalars(_LOAD, {"applicant_id": applicant_id}).one_or_none()


def load_or_start_conversation(
    session: Session, applicant_id: int, initial_state: str
) -> Conversation:
    found = load_conversation(session, applicant_id)
    if found is not None:
        return found
    conversation = Conversation(
        applicant_id=applicant_id, state=initial_state, answers={}, failures=0
    )
    session.add(conversation)
    return conversation


# The first read of every inbound event: the applicant and the conversation, one round trip
# (on PostgreSQL `begin_event` also marks the update and tries the lock in it).
EVENT_ROWS = (
    select(
        _APPLICANTS.c.id,
        _APPLICANTS.c.language,
        _APPLICANTS.c.card_number_enc.is_not(None),
        _TABLE.c.id,
        _TABLE.c.state,
        _TABLE.c.answers,
        _TABLE.c.failures,
        _TABLE.c.version,
    )
    .select_from(_APPLICANTS.outerjoin(_TABLE, _TABLE.c.applicant_id == _APPLICANTS.c.id))
    .where(
        _APPLICANTS.c.channel == bindparam("channel"),
        _APPLICANTS.c.external_user_id == bindparam("user_id"),
    )
)


def load_for_event(
    session: Session, channel: str, external_user_id: str, initial_state: str
) -> tuple[ApplicantRow, ConversationRow]:
    """The applicant behind a channel user and their conversation, as rows; both created on
    first contact (the new conversation, in `initial_state`, is inserted by its first save).
    One round trip for anyone seen before."""
    params = {"channel": channel, "user_id": external_user_id}
    row = session.connection().execute(EVENT_ROWS, params).first()
    return event_rows(session, row, channel, external_user_id, initial_state)


def event_rows(
    session: Session,
    row: Sequence[Any] | None,
    channel: str,
    external_user_id: str,
    initial_state: str,
) -> tuple[ApplicantRow, ConversationRow]:
    """`load_for_event` from a row of EVENT_ROWS' columns already read (None or a null
    applicant id: first contact, the applicant is created now)."""
    if row is None or row[0] is None:
        created = get_or_create_applicant(session, channel, external_user_id)
        return ApplicantRow(created.id, created.language, False), ConversationRow(
            created.id, initial_state, {}
        )
    applicant = ApplicantRow(row[0], row[1], bool(row[2]))
    if row[3] is None:
        return applicant, ConversationRow(row[0], initial_state, {})
    return applicant, ConversationRow(row[0], row[4], row[5], row[6] or 0, row[7], row[3])


_SAVE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("id_"), _TABLE.c.version == bindparam("seen"))
    .values(
        state=bindparam("state"),
        answers=bindparam("answers", type_=_TABLE.c.answers.type),
        failures=bindparam("failures"),
        version=bindparam("version"),
        updated_at=bindparam("updated_at", type_=_TABLE.c.updated_at.type),
    )
)
_INSERT = insert(_TABLE).values(
    applicant_id=bindparam("applicant_id"),
    state=bindparam("state"),
    answers=bindparam("answers", type_=_TABLE.c.answers.type),
    failures=bindparam("failures"),
    version=bindparam("version"),
    updated_at=bindparam("updated_at", type_=_TABLE.c.updated_at.type),
)
_SAVED = ("state", "answers", "failures", "version")


def save_conversation(
    session: Session,
    conversation: Conversation | ConversationRow,
    *,
    state: str | None = None,
    answers: dict[str, Any] | None = None,
    failures: int | None = None,
) -> None:
    """Write the conversation's state, answers and failures now, under the optimistic lock:
    a copy loaded before someone else's save raises StaleConversation here (not later at
    commit), and the transaction must then be abandoned. Fields given are set first; the
    current values of all three are written either way, so in-place changes count too."""
    if isinstance(conversation, Conversation) and conversation.id is None:
        _add(session, conversation, state, answers, failures)
        return
    seen = conversation.version
    values = {
        "state": conversation.state if state is None else state,
        "answers": dict(conversation.answers if answers is None else answers),
        "failures": conversation.failures if failures is None else failures,
        "version": seen + 1,
        "updated_at": utcnow(),
    }
    # On the session's connection: no ORM execution layer and no autoflush (the ORM would
    # write the same change first, as a second UPDATE).
    connection = session.connection()
    if conversation.id is None:  # a new row: its first save inserts it, at version 1
        values["applicant_id"] = conversation.applicant_id
        key = connection.execute(_INSERT, values).inserted_primary_key
        assert key is not None
        conversation.id = key[0]
    elif connection.execute(_SAVE, {**values, "id_": conversation.id, "seen": seen}).rowcount != 1:
        raise StaleConversation(
            f"conversation {conversation.id} was saved by someone else meanwhile"
        )
    if isinstance(conversation, ConversationRow):
        for key in _SAVED:
            setattr(conversation, key, values[key])
        return
    # The ORM object now matches the row, version included. set_committed_value writes without
    # change history, so the commit finds nothing to flush (a full ORM flush of this object
    # would cost as much as the rest of the round trip).
    for key in (*_SAVED, "updated_at"):
        set_committed_value(conversation, key, values[key])


def _add(
    session: Session,
    conversation: Conversation,
    state: str | None,
    answers: dict[str, Any] | None,
    failures: int | None,
) -> None:
    """A new ORM conversation: the ORM inserts it and sets version 1."""
    if state is not None:
        conversation.state = state
    if answers is not None:
        conversation.answers = answers
    if failures is not None:
        conversation.failures = failures
    session.add(conversation)
    session.flush()
