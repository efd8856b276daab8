"""Conversations, saved under optimistic locking."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from cases.errors import StaleConversation
from cases.models import Conversation


def load_conversation(session: Session, applicant_id: int) -> Conversation | None:
    query = select(Conversation).where(Conversation.applicant_id == applicant_id)
    return session.scalars(query).one_or_none()


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


def save_conversation(
    session: Session,
    conversation: Conversation,
    *,
    state: str | None = None,
    answers: dict[str, Any] | None = None,
    failures: int | None = None,
) -> None:
    """Write the conversation now (flush) so that a stale copy fails here, as
    StaleConversation, rather than later at commit. Fields given are set first."""
    if state is not None:
        conversation.state = state
    if answers is not None:
        conversation.answers = answers
    if failures is not None:
        conversation.failures = failures
    session.add(conversation)
    # Read before the flush: after a failed flush the object is expired and unreadable.
    ident = conversation.id
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleConversation(
            f"conversation {ident} was saved by someone else meanwhile"
        ) from exc
