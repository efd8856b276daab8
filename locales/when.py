"""Dates and durations as people read them (issue 13): 2025年4月, 2025年4月3日, 5年1个月, never
`2025-04` or `61个月`.

Each function gives a message key and its parameters, to become a `Msg` where replies are
built (`Msg(*when.duration(61))`) or a string where a translator is at hand
(`when.text(tr, when.day(d))`). Whole numbers only, so the texts of every language carry the same
placeholders (`locales/*/when.toml`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Protocol

from locales import Translator

Spec = tuple[str, dict[str, int]]
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


class _YearMonth(Protocol):
    @property
    def year(self) -> int: ...

    @property
    def month(self) -> int: ...


def month(value: _YearMonth | str) -> Spec:
    """A month: policy's YearMonth, or "2025-04" as stored."""
    if isinstance(value, str):
        m = _YEAR_MONTH.fullmatch(value.strip())
        if m is None:
            raise ValueError(f"not a year and month: {value!r}")
        return "when.month", {"year": int(m[1]), "month": int(m[2])}
    return "when.month", {"year": value.year, "month": value.month}


def moment(value: datetime) -> Spec:
    """A day and a time of day (already on the clock it is to be read on)."""
    return "when.moment", {
        "year": value.year,
        "month": value.month,
        "day": value.day,
        "hour": value.hour,
        "minute": value.minute,
    }


def staff_moment(value: datetime | None, tz: tzinfo) -> str:
    """What staff read (in Chinese): 2025年4月3日 14:05 on `tz`'s clock; "-" for none."""
    if value is None:
        return "-"
    return text(Translator("zh_CN"), moment(value.astimezone(tz)))


def day(value: date | datetime) -> Spec:
    """A day (a datetime is read on its own clock: convert it to China time first)."""
    return "when.day", {"year": value.year, "month": value.month, "day": value.day}


def duration(months: int) -> Spec:
    """A number of months in years and months: 61 → 5年1个月, 60 → 5年, 7 → 7个月."""
    years, rest = divmod(max(int(months), 0), 12)
    if years and rest:
        return "when.years_months", {"years": years, "months": rest}
    if years:
        return "when.years", {"years": years}
    return "when.months", {"months": rest}


def counted_months(tr: Translator, months: int) -> str:
    """A count of months as staff check it against the records, in years too:
    372 → 31年（372个月）, 183 → 15年3个月（183个月）."""
    return tr("when.counted_months", duration=text(tr, duration(months)), months=int(months))


def age(years: int, months: int) -> Spec:
    """An age: 63岁, 55岁6个月 (never "60岁0个月")."""
    if months:
        return "when.age_years_months", {"years": years, "months": months}
    return "when.age_years", {"years": years}


def text(tr: Translator, spec: Spec) -> str:
    key, params = spec
    return tr(key, **params)
