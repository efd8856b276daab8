"""A worker who applied at the window takes the case over in the chat: `/start CODE` (or the
deep link `t.me/<bot>?start=CODE`) with the one-time code printed on their receipt.

Checked before the conversation sees the event: a good code moves the case to this chat's
applicant (`cases.walk_in.claim`) and the conversation continues as after a submission, with
the case's status as its answer. A code that is wrong (mistyped too), used by another chat or
expired changes nothing: the worker is told why, politely, and asked to check the receipt or
ask the window, and the conversation goes on as a plain /start (greeting, or where they were).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cases.models import Applicant
from cases.walk_in import LINK_DAYS, claim, might_be_code, refusal
from dialogs.events import Command, Event
from dialogs.machine import AFTER_RESULT, AFTER_SUBMISSION, State
from dialogs.state import ConversationData
from locales.replies import Msg, Reply


def take_over(
    session: Session, applicant_id: int, data: ConversationData, event: Event, now: datetime
) -> tuple[Event, list[Reply]]:
    """The event to hand the conversation (`/status <case>` after a take-over, a plain
    `/start` after a refused code, else `event`) and the replies to say before its answer."""
    if not (
        isinstance(event, Command) and event.name == "start" and might_be_code(event.argument)
    ):
        return event, []
    code = event.argument
    applicant = session.get(Applicant, applicant_id)  # only for a code: rarely, not per event
    assert applicant is not None
    if State(data.state) not in AFTER_SUBMISSION | AFTER_RESULT:  # one case per chat
        case = claim(session, applicant, code, at=now)
        if case is not None and case.number is not None:
            data.state = State.submitted.value
            data.material = None
            data.materials = {}
            return Command("status", case.number), []
    why = refusal(session, applicant, code, at=now)
    if why is None:  # their own code again: the status, as a /start after submission gives
        return Command("start"), []
    return Command("start"), [Reply(Msg(f"dialogs.walk_in_code.{why}", {"days": LINK_DAYS}))]
