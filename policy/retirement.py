"""Statutory retirement age and month, minimum contribution, flexible window (POLICY §1–§5).

Everything works in whole months, as the reform's annex tables do: the statutory retirement
month is the birth month plus the statutory age ("改革后退休时间"), whatever the day of birth.

"Reached" means: today's month is the statutory retirement month or later. The annex names a
month, not a day, and the offices process a retirement in that month (the pension starts from
it); counting from the birthday instead would tell someone born on the 31st that they must wait
until the last day of the month that the official table gives them. The pre-check is advisory
either way; the birth date itself is provisional until the personnel archive confirms it.

Results depend only on the birth *month*, so they are cached per (category, birth month, today's
month, contribution): a batch of 100,000 staff lines costs a few hundred real computations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import Literal

Category = Literal["male", "female_cadre", "female_worker"]
CATEGORIES: tuple[Category, ...] = ("male", "female_cadre", "female_worker")
FEMALE_CATEGORIES: tuple[Category, ...] = ("female_cadre", "female_worker")
Route = Literal["illness_disability", "special_work_type"]

# Flexible retirement: at most this many months either side of the statutory month (§3).
FLEXIBLE_MONTHS = 36


@dataclass(frozen=True, slots=True, order=True)
class YearMonth:
    """A calendar month; ordered, printable as YYYY-MM."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, not {self.month}")

    @classmethod
    def of(cls, day: date) -> YearMonth:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        """`YYYY-MM`."""
        year, _, month = text.partition("-")
        return cls(int(year), int(month))

    @property
    def index(self) -> int:
        """Months since year 0: differences of these are month counts."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> YearMonth:
        return cls(index // 12, index % 12 + 1)

    def add_months(self, months: int) -> YearMonth:
        return YearMonth.from_index(self.index + months)

    def months_until(self, other: YearMonth) -> int:
        """How many months from self to other (negative when other is earlier)."""
        return other.index - self.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


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


@dataclass(frozen=True, slots=True)
class NeedsPerson:
    """A case the rules do not decide (§4): explained, then routed to a member of staff.
    Deliberately has no date field: no early date is ever computed for these routes."""

    route: Route
    reason_code: str
    explanation_key: str
    # Materials to collect if the applicant already has them (policy/materials codes).
    collect_if_available: tuple[str, ...] = ()
    needs_person: bool = True


_ROUTES: dict[str, NeedsPerson] = {
    # §4 [C]/[?]: since 2025 the illness/disability allowance replaces early retirement on
    # illness for enterprise employees; its conditions are not confirmed.
    "illness_disability": NeedsPerson(
        route="illness_disability",
        reason_code="illness_disability_allowance",
        explanation_key="retirement.route.illness_disability",
        collect_if_available=("labour_capacity_appraisal",),
    ),
    # §4 [?]: post-2025 ages for special work types are not confirmed.
    "special_work_type": NeedsPerson(
        route="special_work_type",
        reason_code="special_work_type_unconfirmed",
        explanation_key="retirement.route.special_work_type",
    ),
}


def special_route(route: Route) -> NeedsPerson:
    try:
        return _ROUTES[route]
    except KeyError:
        raise ValueError(f"unknown route {route!r}; one of {tuple(_ROUTES)}") from None


# §5 [C]: 计发月数 by whole age; ages with months interpolate linearly, rounded to 0.1, which
# matches the one official reply found (60y1m -> 138.4, 50y1m -> 194.6).
_DIVISORS: tuple[tuple[int, float], ...] = (
    (50, 195),
    (55, 170),
    (58, 152),
    (60, 139),
    (61, 132),
    (62, 125),
    (63, 117),
)


def pension_divisor(years: int, months: int = 0) -> float:
    """Months over which the personal account is paid out (an estimate's divisor), for ages
    50y0m..63y0m; outside that range the table in POLICY.md says nothing, so ValueError."""
    if not 0 <= months <= 11:
        raise ValueError("months must be 0..11")
    age = years * 12 + months
    for (low_age, low), (high_age, high) in pairwise(_DIVISORS):
        if low_age * 12 <= age <= high_age * 12:
            fraction = (age - low_age * 12) / ((high_age - low_age) * 12)
            return round(low + (high - low) * fraction, 1)
    raise ValueError(f"no divisor for age {years}y{months}m (table covers 50y..63y)")
