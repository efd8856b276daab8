"""Recording an answer: the recorders and moves that the question rows name
(`records` and `moves` in dialogs/questions.py).

A recorder validates one answer and records it; True means "recorded, move on", False that it
already replied (a hint and the question again, or a different path). A move is an answer that
changes where the applicant is rather than what is known about them (submit, edit, cancel,
the reminder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialogs.engine import eligibility, identity, review, special_cases
from dialogs.engine.flow import forward
from dialogs.engine.turn import Turn
from dialogs.questions import Question

Recorder = Callable[[Turn, Question, Any], bool]


def _as_is(t: Turn, row: Question, value: Any) -> bool:
    """The choice id as chosen (a category, a town code, "have" or "lost")."""
    t.d.answers[row.answer or row.key] = value
    return True


def _flag(t: Turn, row: Question, value: Any) -> bool:
    """Yes or no as a bool; "unknown" kept (an office finds out)."""
    t.d.answers[row.answer or row.key] = "unknown" if value == "unknown" else value == "yes"
    return True


def _own(record: Callable[[Turn, Any], bool]) -> Recorder:
    """A recorder that knows its own answer key."""
    return lambda t, row, value: record(t, value)


RECORDERS: dict[str, Recorder] = {
    "as_is": _as_is,
    "flag": _flag,
    "language": _own(identity.record_language),
    "consent": _own(identity.record_consent),
    "name": _own(identity.record_name),
    "id_number": _own(identity.record_id_number),
    "phone": _own(identity.record_phone),
    "retirement_type": _own(eligibility.record_retirement_type),
    "contribution": _own(eligibility.record_contribution),
    "employer_name": _own(special_cases.record_employer_name),
}


def _reminder(t: Turn, value: Any) -> None:
    """Reminded (or not) and waiting for the date; or going on now (flexible retirement)."""
    if eligibility.reminder(t, value):
        forward(t)


MOVES: dict[str, Callable[[Turn, Any], None]] = {
    "reminder": _reminder,
    "review": review.review,
    "edit": review.edit,
    "cancel": review.cancel,
}
