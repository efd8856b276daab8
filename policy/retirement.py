"""Statutory retirement age and month, minimum contribution, flexible window (POLICY §1–§3).

Everything works in whole months, as the reform's annex tables do: the statutory retirement
month is the birth month plus the statutory age ("改革后退休时间"), whatever the day of birth.

"Reached" means: today's month is the statutory retirement month or later. The annex names a
month, not a day, and the offices process a retirement in that month (the pension starts from
it); counting from the birthday instead would tell someone born on the 31st that they must wait
until the last day of the month that the official table gives them. The pre-check is advisory
either way; the birth date itself is provisional until the personnel archive confirms it.

The calendar month itself is `policy/year_month.py`; the cases the rules do not decide (§4)
are `policy/special_routes.py`, the pension divisor (§5) `policy/pension.py`.

Results depend only on the birth *month*, so they are cached per (category, birth month, today's
month, contribution): a batch of 100,000 staff lines costs a few hundred real computations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from policy.pension import pension_divisor
from policy.special_routes import NeedsPerson, Route, special_route
from policy.year_month import YearMonth

# Re-exported: callers know these as part of the retirement rules.
__all__ = [
    "CATEGORIES",
    "FEMALE_CATEGORIES",
    "FLEXIBLE_MONTHS",
    "REFORM_START",
    "Assessment",
    "Category",
    "NeedsPerson",
    "Route",
    "YearMonth",
    "assess",
    "assessment_notes",
    "flexible_window",
    "min_contribution_months",
    "pension_divisor",
    "special_route",
    "statutory_age",
    "statutory_retirement_month",
]

Category = Literal["male", "female_cadre", "female_worker"]
CATEGORIES: tuple[Category, ...] = ("male", "female_cadre", "female_worker")
FEMALE_CATEGORIES: tuple[Category, ...] = ("female_cadre", "female_worker")

# Flexible retirement: at most this many months either side of the statutory month (§3).
FLEXIBLE_MONTHS = 36


@dataclass(frozen=True, slots=True)
class _Rule:
    old_age: int  # years, before the reform
    step: int  # +1 month of age per this many birth months
    first_delayed: YearMonth  # first birth month that retires later
    cap: int  # months of delay at most


# §1 [V]/[C]: the article-1 rule that reproduces every transcription of the annex tables.
_RULES: dict[str, _Rule] = {
    "male": _Rule(60, 4, YearMonth(1965, 1), 36),
    "female_cadre": _Rule(55, 4, YearMonth(1970, 1), 36),
    "female_worker": _Rule(50, 2, YearMonth(1975, 1), 60),
}


def _rule(category: str) -> _Rule:
    try:
        return _RULES[category]
    except KeyError:
        raise ValueError(f"unknown category {category!r}; one of {CATEGORIES}") from None


def _birth_month(birth: date | YearMonth) -> YearMonth:
    return birth if isinstance(birth, YearMonth) else YearMonth.of(birth)


def _age_months(category: str, birth: YearMonth) -> int:
    rule = _rule(category)
    n = birth.index - rule.first_delayed.index
    delay = 0 if n < 0 else min(n // rule.step + 1, rule.cap)
    return rule.old_age * 12 + delay


def statutory_age(category: Category, birth: date | YearMonth) -> tuple[int, int]:
    """Statutory retirement age as (years, months)."""
    return divmod(_age_months(category, _birth_month(birth)), 12)


def statutory_retirement_month(category: Category, birth: date | YearMonth) -> YearMonth:
    month = _birth_month(birth)
    return month.add_months(_age_months(category, month))


def min_contribution_months(year: int) -> int:
    """§2 [V]: by the year of the statutory retirement month; 15 years to 2029, then +6 months
    a year up to 20 years from 2039."""
    return 180 if year <= 2029 else min(180 + 6 * (year - 2029), 240)


# The reform (全国人大常委会 2024-09-13 决定) took effect on 2025-01-01: flexible retirement
# and the delayed ages start then.
REFORM_START = YearMonth(2025, 1)


def flexible_window(
    category: Category, birth: date | YearMonth
) -> tuple[YearMonth, YearMonth] | None:
    """§3 [V]: (earliest, latest) month. Early: up to 3 years before the statutory month, never
    below the old age (60/55/50); only with the minimum contribution. Late: up to 3 years after,
    only with the employer's agreement. Flexible retirement exists from the reform's start
    (2025-01-01): nobody retires flexibly before it, and who reached the statutory month before
    it has no window at all (None: they may apply now)."""
    month = _birth_month(birth)
    statutory = statutory_retirement_month(category, month)
    if statutory < REFORM_START:
        return None
    old_age_month = month.add_months(_rule(category).old_age * 12)
    earliest = max(statutory.add_months(-FLEXIBLE_MONTHS), old_age_month, REFORM_START)
    return earliest, statutory.add_months(FLEXIBLE_MONTHS)


def _month_or_none(month: YearMonth | None) -> str | None:
    return str(month) if month is not None else None


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything the pre-check says about one applicant in one category."""

    category: Category
    statutory_age: tuple[int, int]  # years, months
    statutory_retirement_month: YearMonth
    min_contribution_months: int
    earliest_flexible_month: YearMonth | None  # None: statutory month before the reform
    latest_flexible_month: YearMonth | None
    reached_statutory_age: bool
    months_until_statutory: int  # 0 once reached
    contribution_shortfall_months: int | None  # None when contribution months are unknown
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, field names as in the precheck contract."""
        years, months = self.statutory_age
        return {
            "category": self.category,
            "statutory_age": {"years": years, "months": months},
            "statutory_retirement_month": str(self.statutory_retirement_month),
            "min_contribution_months": self.min_contribution_months,
            "earliest_flexible_month": _month_or_none(self.earliest_flexible_month),
            "latest_flexible_month": _month_or_none(self.latest_flexible_month),
            "reached_statutory_age": self.reached_statutory_age,
            "months_until_statutory": self.months_until_statutory,
            "contribution_shortfall_months": self.contribution_shortfall_months,
            "notes": list(self.notes),
        }


def assess(
    category: Category,
    birth_date: date | YearMonth,
    today: date | YearMonth,
    contribution_months: int | None = None,
) -> Assessment:
    """The pre-check for one category. Notes (stable codes, text under `retirement.note.*`):
    birth_date_provisional (always: the archive decides), female_category_to_confirm,
    contribution_short, past_latest_flexible_month."""
    if contribution_months is not None and contribution_months < 0:
        raise ValueError("contribution_months must not be negative")
    birth, now = _birth_month(birth_date), _birth_month(today)
    return _assess(category, birth.year, birth.month, now.year, now.month, contribution_months)


@lru_cache(maxsize=65536)
def _assess(
    category: Category, by: int, bm: int, ty: int, tm: int, contribution: int | None
) -> Assessment:
    birth, now = YearMonth(by, bm), YearMonth(ty, tm)
    statutory = statutory_retirement_month(category, birth)
    minimum = min_contribution_months(statutory.year)
    window = flexible_window(category, birth)
    earliest, latest = window if window is not None else (None, None)
    left = now.months_until(statutory)
    shortfall = None if contribution is None else max(0, minimum - contribution)
    return Assessment(
        category=category,
        statutory_age=statutory_age(category, birth),
        statutory_retirement_month=statutory,
        min_contribution_months=minimum,
        earliest_flexible_month=earliest,
        latest_flexible_month=latest,
        reached_statutory_age=left <= 0,
        months_until_statutory=max(0, left),
        contribution_shortfall_months=shortfall,
        notes=assessment_notes(
            category, bool(shortfall), latest is not None and now > latest, window is None
        ),
    )


@lru_cache(maxsize=64)
def assessment_notes(
    category: Category, contribution_short: bool, past_latest: bool, before_reform: bool = False
) -> tuple[str, ...]:
    """The notes of an assessment, in their fixed order."""
    notes = ["birth_date_provisional"]
    if before_reform:
        notes.append("reached_before_reform")
    if category != "male":
        # The post decides 55 or 58 against 50 or 55: asked, and confirmed by the office.
        notes.append("female_category_to_confirm")
    if contribution_short:
        notes.append("contribution_short")
    if past_latest:
        notes.append("past_latest_flexible_month")
    return tuple(notes)
