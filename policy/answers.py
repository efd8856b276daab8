"""The applicant's answers that decide the checklist, and the questionnaire that collects them.

Some questions matter only after an earlier answer (the handbook only if something was paid
before 1995-07), so the conversation asks `open_questions(answers)` one by one and, after an
edit, re-asks only `dependents(question)`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

HaveOrLost = Literal["have", "lost"]
HAVE_OR_LOST: tuple[str, ...] = ("have", "lost")
# "不知道" is an answer where an office can find out from its own records (issue 13): whether
# anything was paid before 1995-07 or made up before 1996 (the Social Insurance Center's
# payment records), whether the ID card's name is the archive's (the archive office).
YesNoUnknown = bool | Literal["unknown"]
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Answers:
    """What the applicant has said so far; None means "not asked (yet)".

    `illness_disability` has no question of its own here: it follows from the retirement route
    the applicant chose (early retirement on illness / non-work disability, POLICY §4).
    """

    has_employer: bool | None = None
    name_matches_archive: YesNoUnknown | None = None
    paid_before_1995_07: YesNoUnknown | None = None
    handbook: HaveOrLost | None = None
    lump_sum_before_1996: YesNoUnknown | None = None
    receipts: HaveOrLost | None = None
    veteran: bool | None = None
    illness_disability: bool | None = None

    def __post_init__(self) -> None:
        # Answers are stored and reloaded; a typo such as "los" must fail here, not silently
        # drop a material from the checklist.
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if f.name in _HAVE_OR_LOST_FIELDS:
                if value not in HAVE_OR_LOST:
                    raise ValueError(f"{f.name} must be 'have', 'lost' or None, not {value!r}")
            elif f.name in UNKNOWN_ALLOWED and value == UNKNOWN:
                continue
            elif not isinstance(value, bool):
                raise ValueError(f"{f.name} must be True, False or None, not {value!r}")


_HAVE_OR_LOST_FIELDS = frozenset({"handbook", "receipts"})
UNKNOWN_ALLOWED: tuple[str, ...] = (
    "name_matches_archive",
    "paid_before_1995_07",
    "lump_sum_before_1996",
)
ANSWER_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Answers))


# Question key -> the Answers field it fills, in the order they are asked.
QUESTIONS: dict[str, str] = {
    "ask_has_employer": "has_employer",
    "ask_name_matches_archive": "name_matches_archive",
    "ask_paid_before_1995_07": "paid_before_1995_07",
    "ask_handbook": "handbook",
    "ask_lump_sum_before_1996": "lump_sum_before_1996",
    "ask_receipts": "receipts",
    "ask_veteran": "veteran",
}

# A question that is asked only after a given answer to another one.
_ASKED_ONLY_IF: dict[str, tuple[str, object]] = {
    "ask_handbook": ("ask_paid_before_1995_07", True),
    "ask_receipts": ("ask_lump_sum_before_1996", True),
}


def _check_question(question_key: str) -> None:
    if question_key not in QUESTIONS:
        raise ValueError(f"unknown question {question_key!r}; known: {', '.join(QUESTIONS)}")


def _value(answers: Answers, question_key: str) -> object:
    return getattr(answers, QUESTIONS[question_key])


def questions_needed(answers: Answers) -> tuple[str, ...]:
    """The questions that matter given the answers so far, answered or not, in asking order."""
    out: list[str] = []
    for key in QUESTIONS:
        condition = _ASKED_ONLY_IF.get(key)
        if condition is not None:
            parent, wanted = condition
            if _value(answers, parent) != wanted:
                continue
        out.append(key)
    return tuple(out)


def open_questions(answers: Answers) -> tuple[str, ...]:
    """The questions that matter and have no answer yet, in asking order."""
    return tuple(k for k in questions_needed(answers) if _value(answers, k) is None)


def next_question(answers: Answers) -> str | None:
    """The next question to ask, or None when the checklist is final."""
    remaining = open_questions(answers)
    return remaining[0] if remaining else None


def dependents(question_key: str) -> tuple[str, ...]:
    """Questions whose relevance depends on this one (directly or further down), in order."""
    _check_question(question_key)
    out: list[str] = []
    frontier = [question_key]
    while frontier:
        parent = frontier.pop()
        for child, (depends_on, _) in _ASKED_ONLY_IF.items():
            if depends_on == parent and child not in out:
                out.append(child)
                frontier.append(child)
    order = list(QUESTIONS)
    return tuple(sorted(out, key=order.index))


def answer(answers: Answers, question_key: str, value: object) -> Answers:
    """Record one answer. A changed answer clears its dependents, so they are asked again."""
    _check_question(question_key)
    field_name = QUESTIONS[question_key]
    if getattr(answers, field_name) == value:
        return answers
    changes: dict[str, Any] = {QUESTIONS[d]: None for d in dependents(question_key)}
    changes[field_name] = value  # checked by Answers.__post_init__
    return dataclasses.replace(answers, **changes)
