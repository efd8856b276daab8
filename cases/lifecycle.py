"""The case lifecycle (申请的生命周期) as ONE `transitions` table, built once and shared.

`advance(case, trigger)` moves a case and stamps the matching time; an illegal move raises
`IllegalTransition` naming the state and the trigger. The same table draws the mermaid
diagram committed in docs/case-lifecycle.md (`python main.py db diagram`); a test fails when
the drawing drifts from the table.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from transitions import Machine

from cases.errors import IllegalTransition
from cases.models.base import utcnow

if TYPE_CHECKING:
    from cases.models import Case


class CaseState(StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned_for_correction = "returned_for_correction"
    accepted = "accepted"
    processing = "processing"
    results_ready = "results_ready"
    notified = "notified"
    signed = "signed"
    rated = "rated"
    closed = "closed"
    withdrawn = "withdrawn"


S = CaseState
# Open: the applicant may still withdraw. Once results are ready there is nothing to stop.
OPEN_STATES = (S.draft, S.submitted, S.returned_for_correction, S.accepted, S.processing)
FINAL_STATES = (S.closed, S.withdrawn)

# trigger, sources, destination. Order is the order of the drawing.
TABLE: tuple[tuple[str, tuple[CaseState, ...], CaseState], ...] = (
    ("submit", (S.draft, S.returned_for_correction), S.submitted),
    ("accept", (S.submitted,), S.accepted),
    ("return_for_correction", (S.submitted,), S.returned_for_correction),
    ("start_processing", (S.accepted,), S.processing),
    ("results_ready", (S.processing,), S.results_ready),
    ("notify", (S.results_ready,), S.notified),
    ("sign", (S.notified,), S.signed),
    # A result changed after signing: the new notice has to be signed again (aftercare).
    ("renotify", (S.signed, S.rated), S.notified),
    ("rate", (S.signed,), S.rated),
    # From signed: the applicant declined to rate.
    ("close", (S.rated, S.signed), S.closed),
    ("withdraw", OPEN_STATES, S.withdrawn),
)

# Which timestamp a trigger stamps on the case.
_STAMPS = {
    "submit": "submitted_at",
    "accept": "accepted_at",
    "results_ready": "results_ready_at",
    "sign": "signed_at",
    "close": "closed_at",
    "withdraw": "closed_at",
}


@cache
def machine() -> Machine:
    """The shared machine: built on first use, never per case or per message. Cases are not
    attached to it; `advance` only reads its transitions, which is safe from any thread."""
    return Machine(
        model=None,
        states=CaseState,
        transitions=[
            {"trigger": trigger, "source": list(sources), "dest": dest}
            for trigger, sources, dest in TABLE
        ],
        initial=S.draft,
        auto_transitions=False,
    )


def allowed_triggers(state: str | CaseState) -> list[str]:
    name = CaseState(state).name
    return [t for t, event in machine().events.items() if event.transitions.get(name)]


def next_state(state: str | CaseState, trigger: str) -> CaseState:
    """Where `trigger` leads from `state`, or IllegalTransition."""
    current = CaseState(state)
    event = machine().events.get(trigger)
    moves = event.transitions.get(current.name) if event is not None else None
    if not moves:
        raise IllegalTransition(current.value, trigger, allowed_triggers(current))
    return CaseState[str(moves[0].dest)]


def advance(case: Case, trigger: str, *, at: datetime | None = None) -> CaseState:
    """Move `case` by `trigger`, stamping the matching time (submitted_at, accepted_at, ...)."""
    dest = next_state(case.status, trigger)
    case.status = dest.value
    if stamp := _STAMPS.get(trigger):
        setattr(case, stamp, at or utcnow())
    return dest


def is_open(case: Case) -> bool:
    return CaseState(case.status) in OPEN_STATES


# -- the drawing ---------------------------------------------------------------------------

DIAGRAM_PATH = Path(__file__).resolve().parent.parent / "docs" / "case-lifecycle.md"


def mermaid() -> str:
    """The lifecycle as a mermaid state diagram, drawn from the machine's own transitions."""
    m = machine()
    lines = ["stateDiagram-v2", f"    [*] --> {m.initial}"]
    for trigger, event in m.events.items():
        for source, moves in event.transitions.items():
            for move in moves:
                lines.append(f"    {source} --> {move.dest} : {trigger}")
    lines += [f"    {state.value} --> [*]" for state in FINAL_STATES]
    return "\n".join(lines) + "\n"


def document() -> str:
    """The whole docs/case-lifecycle.md, so that the committed file can be compared to it."""
    return (
        "# Case lifecycle (申请的生命周期)\n\n"
        "Generated from `cases/lifecycle.py` by `python main.py db diagram`; do not edit by "
        "hand.\nA test fails when this drawing and the table disagree.\n\n"
        "```mermaid\n" + mermaid() + "```\n"
    )


def write_document(path: Path = DIAGRAM_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document(), encoding="utf-8")
    return path
