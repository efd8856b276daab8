"""养老金测算: a monthly pension estimate from a worker's own answers (POLICY §5,
国发〔2005〕38号).

    basic pension        = base x (1 + average index) / 2 x contribution years x 1%
    account pension      = personal account balance / divisor (计发月数 by age at retirement)
    transitional pension = base x average index x years before 1996 x regional coefficient %

Pure: the base figures come in as a `BaseTable` (policy/pension_base.py). Always a range: the
average index a worker states is approximate, so it is taken as a band of +/-0.1 (0.6..1.0
when unknown, as most workers pay near the floor). What cannot be computed honestly is left
out and named in `notes` (no base figure, no balance, no coefficient), never guessed.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from decimal import ROUND_HALF_UP, Decimal

from policy.pension import pension_divisor
from policy.pension_base import BaseTable
from policy.year_month import YearMonth

INDEX_MIN, INDEX_MAX = Decimal("0.6"), Decimal("3.0")
_INDEX_BAND = Decimal("0.1")
_UNKNOWN_INDEX = (Decimal("0.6"), Decimal("1.0"))
_FEN = Decimal("0.01")
LABEL_ZH = "估算，以社保经办机构核定为准"


@dataclass(frozen=True)
class EstimateInputs:
    contribution_months: int  # all of them, deemed years (视同缴费) included
    index: Decimal | None  # average contribution index (平均缴费指数); None: not known
    _: KW_ONLY
    account_balance: Decimal | None = None  # personal account (个人账户储存额); None: not known
    age_years: int
    age_months: int = 0
    retirement_year: int
    months_before_1996: int = 0  # of contribution_months, those before 1996-01


@dataclass(frozen=True)
class MoneyRange:
    low: Decimal
    high: Decimal

    def __add__(self, other: MoneyRange) -> MoneyRange:
        return MoneyRange(self.low + other.low, self.high + other.high)

    def shifted(self, amount: Decimal) -> MoneyRange:
        return MoneyRange(self.low + amount, self.high + amount)


@dataclass(frozen=True)
class PensionEstimate:
    requested_year: int
    base_year: int | None  # the figure used; None: the file has none for that year or before
    base: Decimal | None
    base_source: str | None
    divisor: float
    index_low: Decimal
    index_high: Decimal
    basic: MoneyRange | None
    account: Decimal | None
    transitional: MoneyRange | None
    total: MoneyRange | None  # None without a base figure: the main part is missing
    notes: tuple[str, ...]  # base_missing | base_from_earlier_year | index_assumed |
    # balance_unknown | transitional_not_in_file

    def to_dict(self) -> dict[str, object]:
        def money(r: MoneyRange | None) -> dict[str, str] | None:
            return None if r is None else {"low": str(r.low), "high": str(r.high)}

        return {
            "label": LABEL_ZH,
            "requested_year": self.requested_year,
            "base_year": self.base_year,
            "base_yuan_per_month": None if self.base is None else str(self.base),
            "base_source": self.base_source,
            "divisor": self.divisor,
            "index": {"low": str(self.index_low), "high": str(self.index_high)},
            "basic": money(self.basic),
            "account": None if self.account is None else str(self.account),
            "transitional": money(self.transitional),
            "total": money(self.total),
            "notes": list(self.notes),
        }


def retirement_point(
    birth: YearMonth, statutory: YearMonth, today: YearMonth
) -> tuple[int, int, int]:
    """(age years, age months, year) at retirement: the statutory month, or this month for
    whoever has passed it (they retire when they apply)."""
    month = max(statutory, today)
    age = birth.months_until(month)
    return age // 12, age % 12, month.year


def index_band(index: Decimal | None) -> tuple[Decimal, Decimal]:
    """The band of average indexes the estimate spans; ValueError outside 0.6..3.0."""
    if index is None:
        return _UNKNOWN_INDEX
    if not INDEX_MIN <= index <= INDEX_MAX:
        raise ValueError(f"average contribution index must be {INDEX_MIN}..{INDEX_MAX}")
    return max(INDEX_MIN, index - _INDEX_BAND), min(INDEX_MAX, index + _INDEX_BAND)


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(_FEN, rounding=ROUND_HALF_UP)


def _basic(base: Decimal, index: Decimal, months: int) -> Decimal:
    return _fen(base * (1 + index) / 2 * Decimal(months) / 12 / 100)


def _transitional(base: Decimal, index: Decimal, months: int, percent: Decimal) -> Decimal:
    return _fen(base * index * Decimal(months) / 12 * percent / 100)


def estimate(inputs: EstimateInputs, table: BaseTable) -> PensionEstimate:
    """The estimate for these answers with these base figures (see the module's formula)."""
    if not 0 <= inputs.months_before_1996 <= inputs.contribution_months:
        raise ValueError("months before 1996 must be within the contribution months")
    low, high = index_band(inputs.index)
    divisor = pension_divisor(inputs.age_years, inputs.age_months)
    notes: list[str] = [] if inputs.index is not None else ["index_assumed"]
    account = None
    if inputs.account_balance is None:
        notes.append("balance_unknown")
    else:
        account = _fen(inputs.account_balance / Decimal(str(divisor)))
    figure = table.for_year(inputs.retirement_year)
    basic = transitional = total = None
    if figure is None:
        notes.insert(0, "base_missing")
    else:
        if figure.year != inputs.retirement_year:
            notes.insert(0, "base_from_earlier_year")
        base, months = figure.yuan_per_month, inputs.contribution_months
        basic = MoneyRange(_basic(base, low, months), _basic(base, high, months))
        total = basic
        early = inputs.months_before_1996
        if early and table.transitional_percent is None:
            notes.append("transitional_not_in_file")
        elif early and table.transitional_percent is not None:
            pct = table.transitional_percent
            transitional = MoneyRange(
                _transitional(base, low, early, pct), _transitional(base, high, early, pct)
            )
            total = total + transitional
        if account is not None:
            total = total.shifted(account)
    return PensionEstimate(
        requested_year=inputs.retirement_year,
        base_year=None if figure is None else figure.year,
        base=None if figure is None else figure.yuan_per_month,
        base_source=None if figure is None else figure.source,
        divisor=divisor,
        index_low=low,
        index_high=high,
        basic=basic,
        account=account,
        transitional=transitional,
        total=total,
        notes=tuple(notes),
    )
