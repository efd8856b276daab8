"""A worker who applied at the window takes the case over in the chat: `/start CODE` (or the
deep link `t.me/<bot>?start=CODE`) with the one-time code printed on their receipt.

Checked before the conversation sees the event: a good code moves the case to this chat's
applicant (`cases.walk_in.claim`) and the conversation continues as after a submission, with
the case's status as its answer; anything else goes on as the command it was (a code that is
wrong, used or expired changes nothing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cases.models import Applicant
from cases.walk_in import claim, looks_like_code
from dialogs.events import Command, Event
from dialogs.machine import AFTER_RESULT, AFTER_SUBMISSION, State
from dialogs.state import ConversationData


def take_over(
    session: Session, applicant: Applicant, data: ConversationData, event: Event, now: datetime
) -> Event:
    """The event to hand the conversation: `/status <case>` after a take-over, else `event`."""
    if not (
        isinstance(event, Command) and event.name == "start" and looks_like_code(event.argument)
    ):
        return event
    if State(data.state) in AFTER_SUBMISSION | AFTER_RESULT:
        return event  # a case of their own is under way: one case per chat
    case = claim(session, applicant, event.argument, at=now)
    if case is None or case.number is None:
        return event
    data.state = State.submitted.value
    data.material = None
    data.materials = {}
    return Command("status", case.number)
