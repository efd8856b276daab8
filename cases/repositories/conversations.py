"""Conversations, saved under optimistic locking.

This is the hot path (one load and one save per inbound event), so both statements are built
once and the save is a single Core UPDATE ... WHERE version = :seen; see
benchmarks/case_store.py for what that buys over a full ORM flush.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from cases.errors import StaleConversation
from cases.models import Applicant, Conversation, utcnow
from cases.repositories.applicants import get_or_create_applicant

_LOAD = select(Conversation).where(Conversation.applicant_id == bindparam("applicant_id"))
_TABLE = cast(Table, Conversation.__table__)
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


# Applicant and conversation in ONE prebuilt SELECT: the first read of every inbound event.
_LOAD_BOTH = (
    select(Applicant, Conversation)
    .outerjoin(Conversation, Conversation.applicant_id == Applicant.id)
    .where(
        Applicant.channel == bindparam("channel"),
        Applicant.external_user_id == bindparam("user_id"),
    )
)


def load_applicant_and_conversation(
    session: Session, channel: str, external_user_id: str, initial_state: str
) -> tuple[Applicant, Conversation]:
    """The applicant behind a channel user and their conversation, both created on first
    contact (the new conversation, in `initial_state`, is inserted by its first save).
    One round trip for anyone seen before."""
    params = {"channel": channel, "user_id": external_user_id}
    row = session.execute(_LOAD_BOTH, params).first()
    if row is not None and row[1] is not None:
        return row[0], row[1]
    applicant = (
        row[0] if row is not None else get_or_create_applicant(session, channel, external_user_id)
    )
    return applicant, load_or_start_conversation(session, applicant.id, initial_state)


def save_conversation(
    session: Session,
    conversation: Conversation,
    *,
    state: str | None = None,
    answers: dict[str, Any] | None = None,
    failures: int | None = None,
) -> None:
    """Write the conversation's state, answers and failures now, under the optimistic lock:
    a copy loaded before someone else's save raises StaleConversation here (not later at
    commit), and the transaction must then be abandoned. Fields given are set first; the
    current values of all three are written either way, so in-place changes count too."""
    if conversation.id is None:
        # A new conversation: the ORM inserts it and sets version 1.
        if state is not None:
            conversation.state = state
        if answers is not None:
            conversation.answers = answers
        if failures is not None:
            conversation.failures = failures
        session.add(conversation)
        session.flush()
        return
    seen = conversation.version
    values = {
        "id_": conversation.id,
        "seen": seen,
        "state": conversation.state if state is None else state,
        "answers": dict(conversation.answers if answers is None else answers),
        "failures": conversation.failures if failures is None else failures,
        "version": seen + 1,
        "updated_at": utcnow(),
    }
    # On the session's connection: no ORM execution layer and no autoflush (the ORM would
    # write the same change first, as a second UPDATE).
    matched = session.connection().execute(_SAVE, values).rowcount
    if matched != 1:
        raise StaleConversation(
            f"conversation {conversation.id} was saved by someone else meanwhile"
        )
    # The object now matches the row, version included. set_committed_value writes without
    # change history, so the commit finds nothing to flush (a full ORM flush of this object
    # would cost as much as the rest of the round trip).
    for key in ("state", "answers", "failures", "version", "updated_at"):
        set_committed_value(conversation, key, values[key])
