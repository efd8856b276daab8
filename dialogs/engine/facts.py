"""What the rules say about this applicant (policy/ glue), and the model the shared machine
moves, whose conditions (named in machine.TABLE) read those facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from dialogs.machine import State
from dialogs.questions import QUESTIONS as ROWS
from dialogs.state import Context, ConversationData
from policy.materials import ANSWER_FIELDS, QUESTIONS, Answers, checklist
from policy.materials import dependents as own_dependents
from policy.materials import office_checks as checks
from policy.retirement import YearMonth, assess


def policy_answers(d: ConversationData) -> Any:

    a = d.answers
    values = {k: a.get(k) for k in ANSWER_FIELDS if k in a}
    values["illness_disability"] = a.get("retirement_type") == "illness_disability" or None
    return Answers(**values)


def requirements(d: ConversationData) -> tuple[Any, ...]:
    return _checklist(policy_answers(d))


def office_checks(d: ConversationData) -> tuple[Any, ...]:
    """The answers this applicant did not know, which the offices look up."""

    return checks(policy_answers(d))


@lru_cache(maxsize=1024)
def _checklist(answers: Any) -> tuple[Any, ...]:
    # A handful of answer combinations exist; each checklist is computed once per process.

    return checklist(answers)


def requirement(d: ConversationData, code: str) -> Any:
    return next((r for r in requirements(d) if r.code == code), None)


def pending(d: ConversationData) -> list[str]:
    """Materials still to upload (for a supplement: only those returned or asked for)."""
    if d.state == State.supplementing or d.supplement:
        codes = d.supplement
    else:
        codes = [r.code for r in requirements(d) if not r.lost]
    return [c for c in codes if d.materials.get(c, {}).get("status", "pending") == "pending"]


def assessment(d: ConversationData, ctx: Context | None) -> Any:

    ident = d.answers.get("id_number")
    category = d.answers.get("category")
    if not ident or not category or ctx is None:
        return None
    months = d.answers.get("contribution_months")
    return assess(category, date.fromisoformat(ident["birth_date"]), ctx.today, months)


def may_retire_early(d: ConversationData, ctx: Context | None) -> bool:
    a = assessment(d, ctx)
    if a is None or ctx is None:
        return False

    if a.earliest_flexible_month is None:
        return False  # reached the statutory date before the reform: no early retirement
    return (
        YearMonth.of(ctx.today) >= a.earliest_flexible_month
        and a.contribution_shortfall_months == 0
    )


def dependents(question: str) -> tuple[str, ...]:
    own = own_dependents(question) if question in QUESTIONS else ()
    row = ROWS.get(question)
    return own + (row.clears if row is not None else ())


@dataclass
class Step:
    """The model the shared machine moves: one per worker thread, re-pointed per event."""

    d: ConversationData = field(default_factory=ConversationData)
    ctx: Context | None = None
    state: Any = None

    # ---- conditions named in machine.TABLE ----
    def is_woman(self) -> bool:
        return (self.d.answers.get("id_number") or {}).get("sex") == "female"

    def needs_person_route(self) -> bool:
        return self.d.answers.get("retirement_type") in ("illness_disability", "special_work_type")

    def before_statutory_age(self) -> bool:
        a = assessment(self.d, self.ctx)
        return a is not None and not a.reached_statutory_age

    def continues_early(self) -> bool:
        return bool(self.d.answers.get("early"))

    def has_employer(self) -> bool:
        return self.d.answers.get("has_employer") is True

    def paid_before_1995_07(self) -> bool:
        return self.d.answers.get("paid_before_1995_07") is True

    def made_lump_sum(self) -> bool:
        return self.d.answers.get("lump_sum_before_1996") is True

    def materials_pending(self) -> bool:
        return bool(pending(self.d))

    def returned_for_correction(self) -> bool:
        case = self.ctx.case if self.ctx else None
        return case is not None and case.status == "returned_for_correction"

    def office_asks_supplement(self) -> bool:
        """An office asked for more material on its item, and some is still to send."""
        case = self.ctx.case if self.ctx else None
        return case is not None and bool(case.asks)

    def rated_before(self) -> bool:
        """The case was rated (or the rating declined) before this signature: asked once."""
        result = self.ctx.result if self.ctx else None
        return result is not None and result.rating is not None

    def online_steps_pending(self) -> bool:
        """Online steps still to ask about (kept by dialogs/engine/online_steps.py)."""
        kept = self.d.answers.get("aftercare")
        return isinstance(kept, dict) and bool(kept.get("online_steps"))

    def needs_supplement(self) -> bool:
        """Something to upload after submission: a return for correction or an office's ask."""
        case = self.ctx.case if self.ctx else None
        if case is None:
            return False
        return bool(case.asks) or (self.returned_for_correction() and bool(case.rejected))
