"""The case lifecycle table: legal paths, illegal moves, and the committed drawing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cases.errors import IllegalTransition
from cases.lifecycle import (
    DIAGRAM_PATH,
    OPEN_STATES,
    TABLE,
    CaseState,
    advance,
    allowed_triggers,
    document,
    machine,
)
from cases.models import Case

AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def _case(state: CaseState = CaseState.draft) -> Case:
    return Case(applicant_id=1, status=state.value, form={})


def test_the_whole_journey_stamps_each_step() -> None:
    case = _case()
    path = ["submit", "accept", "start_processing", "results_ready", "notify", "sign", "rate"]
    for trigger in [*path, "close"]:
        advance(case, trigger, at=AT)
    assert case.status == "closed"
    assert (case.submitted_at, case.accepted_at, case.results_ready_at, case.signed_at) == (
        AT,
        AT,
        AT,
        AT,
    )
    assert case.closed_at == AT


def test_a_returned_case_is_submitted_again() -> None:
    case = _case(CaseState.submitted)
    assert advance(case, "return_for_correction") is CaseState.returned_for_correction
    assert advance(case, "submit", at=AT) is CaseState.submitted
    assert case.submitted_at == AT


def test_declining_to_rate_closes_from_signed() -> None:
    case = _case(CaseState.signed)
    assert advance(case, "close") is CaseState.closed


@pytest.mark.parametrize("state", OPEN_STATES)
def test_every_open_case_can_be_withdrawn(state: CaseState) -> None:
    case = _case(state)
    assert advance(case, "withdraw", at=AT) is CaseState.withdrawn
    assert case.closed_at == AT


@pytest.mark.parametrize(
    ("state", "trigger"),
    [
        (CaseState.draft, "accept"),
        (CaseState.submitted, "sign"),
        (CaseState.results_ready, "withdraw"),
        (CaseState.closed, "submit"),
        (CaseState.withdrawn, "submit"),
        (CaseState.processing, "no_such_trigger"),
    ],
)
def test_illegal_moves_raise_naming_state_and_trigger(state: CaseState, trigger: str) -> None:
    case = _case(state)
    with pytest.raises(IllegalTransition) as caught:
        advance(case, trigger)
    assert f"'{state.value}'" in str(caught.value) and f"'{trigger}'" in str(caught.value)
    assert case.status == state.value  # unchanged


def test_every_state_is_reachable_from_draft() -> None:
    reached, frontier = {CaseState.draft}, [CaseState.draft]
    while frontier:
        state = frontier.pop()
        for _, sources, dest in TABLE:
            if state in sources and dest not in reached:
                reached.add(dest)
                frontier.append(dest)
    assert reached == set(CaseState)


def test_final_states_allow_nothing() -> None:
    assert allowed_triggers(CaseState.closed) == []
    assert allowed_triggers(CaseState.withdrawn) == []


def test_the_machine_is_built_once() -> None:
    assert machine() is machine()


def test_the_committed_drawing_matches_the_table() -> None:
    committed = DIAGRAM_PATH.read_text(encoding="utf-8")
    assert committed == document(), "run `python main.py db diagram` and commit the result"
