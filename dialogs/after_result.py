"""The conversation service's side of the steps after the result: the record they decide
from, and the events from outside the chat that move them.

`result_view` reads the applicant's latest case (closed included) in the event's own
transaction: its status, the notice version delivered, the name it is made out to, whether
that version is signed and whether the case was rated. The engine decides from it; the use
cases check the same record again before they write (cases/after_result.py).

`happen` is how the aftercare workers move a conversation: they hand the engine an event
(`dialogs.happenings`) in the worker's transaction, and push the replies it returns. The
conversation row is saved under its optimistic lock, like an applicant's own event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.clock import LOCAL_TZ
from cases import repositories as repo
from cases.after_result import AfterResultApplier
from cases.ratings import rating_of
from cases.result import (
    approved_pension,
    call_day,
    latest_case,
    open_objection,
    signature_of,
    signer_of,
)
from cases.result_commands import AFTER_RESULT_COMMANDS
from dialogs import engine
from dialogs.happenings import Happening
from dialogs.machine import State
from dialogs.state import Context, ConversationData, ResultView
from locales.replies import Reply


def result_view(session: Session, applicant_id: int) -> ResultView | None:
    case = latest_case(session, applicant_id)
    if case is None:
        return None
    rating = rating_of(session, case)
    given = None if rating is None else (rating.level_code or "declined")
    objection = open_objection(session, case)
    return ResultView(
        number=case.number or "",
        status=case.status,
        notice_sha256=case.notice_sha256,
        signer=signer_of(session, case),
        signed=signature_of(session, case) is not None,
        rating=given,
        objection_call_by=call_day(objection) if objection is not None else None,
        monthly_pension=approved_pension(session, case),
    )


def happen(
    session: Session,
    applicant_id: int,
    happening: Happening,
    *,
    at: datetime,
    region: str,
    followup_days: int,
) -> list[Reply]:
    """Hand an event from outside the chat to the applicant's conversation, in the caller's
    transaction; the replies to push to the applicant (none when it did not apply here)."""
    conv = repo.load_conversation(session, applicant_id)
    data = ConversationData(State.start.value)
    if conv is not None:
        data = ConversationData.from_json(conv.state, conv.answers)
        data.failures = conv.failures or 0
    ctx = Context(
        today=at.astimezone(LOCAL_TZ).date(),
        result=result_view(session, applicant_id),
        region=region,
        followup_days=followup_days,
    )
    result = engine.happen(data, happening, ctx)
    apply = AfterResultApplier(session, applicant_id, at)
    for command in result.commands:
        if not isinstance(command, AFTER_RESULT_COMMANDS):
            raise TypeError(f"{type(command).__name__} from an event outside the chat")
        apply(command)
    new = result.data
    if (new.state, new.to_json()) != (data.state, data.to_json()):
        if conv is None:  # a case whose applicant never chatted: the conversation starts here
            conv = repo.load_or_start_conversation(session, applicant_id, State.start.value)
        repo.save_conversation(
            session, conv, state=new.state, answers=new.to_json(), failures=new.failures
        )
    return result.replies
