"""The operator's override of the working-day calendar (`policy/workdays_override.toml`).

A year the `chinese-calendar` package does not cover yet, or a correction, is written in this
file as one table per year; it is read and checked here, apart from the calendar that uses
it, so that a bad date is refused with the file and the year named.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class YearOverride:
    year: int
    official: bool
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]


def _parse_dates(values: object, year: int, what: str, source: Path) -> frozenset[date]:
    if not isinstance(values, list):
        raise ValueError(f"{source}: [{year}] {what} must be a list of YYYY-MM-DD dates")
    out: set[date] = set()
    for value in values:
        d = value if isinstance(value, date) else date.fromisoformat(str(value))
        if d.year != year:
            raise ValueError(f"{source}: {d} is listed under year {year}")
        out.add(d)
    return frozenset(out)


def parse_override(path: Path) -> dict[int, YearOverride]:
    """Read an override file: one table per year, see policy/workdays_override.toml."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    out: dict[int, YearOverride] = {}
    for key, table in data.items():
        if not key.isdigit() or not isinstance(table, dict):
            raise ValueError(f"{path}: expected a table per year such as [2027], got {key!r}")
        year = int(key)
        holidays = _parse_dates(table.get("holidays", []), year, "holidays", path)
        workdays = _parse_dates(table.get("workdays", []), year, "workdays", path)
        both = holidays & workdays
        if both:
            raise ValueError(f"{path}: {min(both)} is both a holiday and a working day")
        out[year] = YearOverride(
            year=year,
            official=bool(table.get("official", False)),
            source=str(table.get("source", "")),
            holidays=holidays,
            workdays=workdays,
        )
    return out
