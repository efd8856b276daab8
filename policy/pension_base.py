"""Inner Mongolia's yearly pension base (计发基数) and transitional coefficient, read from a
data file (`policy/pension_base.toml`, or SERVICE__PENSION_BASE_FILE) that operators update.

Each figure carries its year and its source: the estimate names both, and a year the file does
not hold is said plainly (`policy.pension_estimate`), never filled in by a guess.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

DEFAULT_BASE_FILE = Path(__file__).with_name("pension_base.toml")


class PensionBaseError(ValueError):
    """The base file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class BaseFigure:
    year: int
    yuan_per_month: Decimal
    source: str


@dataclass(frozen=True)
class BaseTable:
    bases: tuple[BaseFigure, ...] = ()  # by year, ascending
    transitional_percent: Decimal | None = None
    transitional_source: str | None = None

    def for_year(self, year: int) -> BaseFigure | None:
        """The year's figure, or else the latest one before it; None when there is none."""
        earlier = [b for b in self.bases if b.year <= year]
        return earlier[-1] if earlier else None


def _positive(value: object, where: str, what: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal(0)
    if isinstance(value, bool) or not amount.is_finite() or amount <= 0:
        raise PensionBaseError(f'{where}: {what} must be a positive number (a string: "7000")')
    return amount


def _source(raw: dict[str, object], where: str) -> str:
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise PensionBaseError(f"{where}: source is required (the document and where found)")
    return source.strip()


def _figure(raw: object, path: Path) -> BaseFigure:
    if not isinstance(raw, dict) or isinstance(raw.get("year"), bool):
        raise PensionBaseError(f"{path}: each [[base]] needs a year")
    year = raw.get("year")
    if not isinstance(year, int) or not 1996 <= year <= 2100:
        raise PensionBaseError(f"{path}: each [[base]] needs a year (1996..2100)")
    where = f"{path}: base {year}"
    amount = _positive(raw.get("yuan_per_month"), where, "yuan_per_month")
    return BaseFigure(year, amount, _source(raw, where))


def load_base_table(path: Path | None = None) -> BaseTable:
    """The figures of a base file, checked; raises PensionBaseError."""
    path = path or DEFAULT_BASE_FILE
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    raw_bases = data.get("base", [])
    if not isinstance(raw_bases, list):
        raise PensionBaseError(f"{path}: base must be [[base]] entries")
    bases = sorted((_figure(raw, path) for raw in raw_bases), key=lambda b: b.year)
    years = [b.year for b in bases]
    if len(set(years)) != len(years):
        raise PensionBaseError(f"{path}: a year is listed twice")
    raw_t = data.get("transitional")
    if raw_t is None:
        return BaseTable(tuple(bases))
    if not isinstance(raw_t, dict):
        raise PensionBaseError(f"{path}: [transitional] must be a table")
    where = f"{path}: [transitional]"
    percent = _positive(raw_t.get("coefficient_percent"), where, "coefficient_percent")
    return BaseTable(tuple(bases), percent, _source(raw_t, where))
