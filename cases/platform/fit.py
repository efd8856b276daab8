"""Does a platform event fit the case as it stands? Checked by `handlers.apply_event` after the
redelivery check and before anything is written, so a refused event leaves no trace (not
even in the inbox): when it fits later, its next delivery applies.

Which states an event fits is read from the case lifecycle (`cases.lifecycle.TABLE`):

- accepted / returned_for_correction: the lifecycle move they make must be allowed now
  (a second acceptance of a case in processing is refused);
- item_dispatched: while the case is processing;
- item_answered, all_answered: from processing until the case is closed (an office may correct
  a result after the notice went out: aftercare sends a new version);
- result_notice_ready: once the results are ready, until the case is closed;
- never after the case is closed or withdrawn.

An item event must also name an item the acceptance dispatched to this case; an item that
waits for another one can only be refused, and an item done online takes no answer.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cases.errors import IllegalTransition
from cases.lifecycle import FINAL_STATES, TABLE, CaseState, allowed_triggers, next_state
from cases.models import Case, ItemStatus
from cases.platform.events import (
    Accepted,
    AllAnswered,
    ItemAnswered,
    ItemDispatched,
    PlatformEvent,
    ResultNoticeReady,
    ReturnedForCorrection,
)
from cases.repositories.results import get_item_result


class EventDoesNotFit(IllegalTransition):
    """The event cannot apply to the case as it stands (HTTP 409 with `code`); the same
    transaction changes nothing. An IllegalTransition, so staff commands that apply events
    in their own transaction (the embedded platform) report it as before."""

    def __init__(self, code: str, case: Case, event: PlatformEvent, message: str) -> None:
        super().__init__(case.status, event.kind, allowed_triggers(case.status))
        self.code = code
        self.message = message
        self.args = (message,)


def _onwards(start: CaseState) -> tuple[CaseState, ...]:
    """`start` and every state the lifecycle can reach from it, except the final ones."""
    seen = [start]
    for state in seen:
        for _, sources, dest in TABLE:
            if state in sources and dest not in seen:
                seen.append(dest)
    return tuple(s for s in seen if s not in FINAL_STATES)


ITEM_STATES = _onwards(CaseState.processing)  # offices are at work or have answered
RESULT_STATES = _onwards(CaseState.results_ready)  # every item is answered

# The lifecycle move an event makes, for the events that move the case.
_MOVES = {Accepted: "accept", ReturnedForCorrection: "return_for_correction"}
_STATES: dict[type, tuple[CaseState, ...]] = {
    ItemDispatched: (CaseState.processing,),
    ItemAnswered: ITEM_STATES,
    AllAnswered: ITEM_STATES,
    ResultNoticeReady: RESULT_STATES,
}


def check_event_fits(session: Session, case: Case, event: PlatformEvent) -> None:
    """Raise EventDoesNotFit unless `event` can apply to `case` now."""
    state = CaseState(case.status)
    number = case.number or event.case_number
    if state in FINAL_STATES:
        raise EventDoesNotFit(
            "case_closed", case, event, f"case {number} is {state.value}: no {event.kind} now"
        )
    trigger = _MOVES.get(type(event))
    if trigger is not None:
        try:
            next_state(state, trigger)
        except IllegalTransition:
            raise EventDoesNotFit(
                "out_of_order",
                case,
                event,
                f"case {number} is {state.value}: {event.kind} fits only a case in "
                + ", ".join(_sources(trigger)),
            ) from None
        return
    fits = _STATES[type(event)]
    if state not in fits:
        raise EventDoesNotFit(
            "out_of_order",
            case,
            event,
            f"case {number} is {state.value}: {event.kind} fits only a case in "
            + ", ".join(s.value for s in fits),
        )
    if isinstance(event, ItemDispatched | ItemAnswered):
        _check_item(session, case, event)


def _sources(trigger: str) -> list[str]:
    return [s.value for t, sources, _ in TABLE if t == trigger for s in sources]


def _check_item(session: Session, case: Case, event: ItemDispatched | ItemAnswered) -> None:
    number = case.number or event.case_number
    row = get_item_result(session, case.id, event.item)
    if row is None:
        raise EventDoesNotFit(
            "item_not_in_case",
            case,
            event,
            f"item {event.item} was not dispatched for case {number}",
        )
    status = ItemStatus(row.status)
    if status == ItemStatus.online:
        raise EventDoesNotFit(
            "out_of_order",
            case,
            event,
            f"item {event.item} of case {number} is done online by the applicant",
        )
    if isinstance(event, ItemDispatched) and status in (ItemStatus.done, ItemStatus.refused):
        raise EventDoesNotFit(
            "out_of_order",
            case,
            event,
            f"item {event.item} of case {number} is already answered ({status.value})",
        )
    if (
        isinstance(event, ItemAnswered)
        and status == ItemStatus.waiting
        and event.result != "refused"
    ):
        raise EventDoesNotFit(
            "out_of_order",
            case,
            event,
            f"item {event.item} of case {number} waits for another item: "
            "it can be refused, not answered, before it is dispatched",
        )
