"""Dates and durations as people read them (issue 13): 2025年4月, 2025年4月3日, 5年1个月, never
`2025-04` or `61个月`.

Each function gives a message key and its parameters, to become a `Msg` where replies are
built (`Msg(*when.duration(61))`) or a string where a translator is at hand
(`when.text(tr, when.day(d))`). Whole numbers only, so the texts of every language carry the same
placeholders (`locales/*/when.toml`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from typing import Protocol

from locales import Translator
from policy.office_hours import OfficeHours

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


def deadline(due: datetime, now: datetime, day_ends: time | None = None) -> Spec:
    """By when, as the worker reads it on `now`'s day (both already on China time): 今天16:08前,
    明天10:00前, 12月10日（含）前 for a due at the office's closing time (a whole working day),
    else 12月10日15:30前; with the year only when it is not this one. Every push that says
    when to expect an answer says it with this."""
    ends = day_ends or OfficeHours().periods[-1][1]
    at = {"hour": due.hour, "minute": due.minute}
    days = (due.date() - now.date()).days
    if days == 0:
        return "when.by_today", at
    if days == 1:
        return "when.by_tomorrow", at
    whole_day = due.time().replace(second=0, microsecond=0) == ends
    on = {"month": due.month, "day": due.day} | ({} if whole_day else at)
    kind = "day_end" if whole_day else "day_time"
    if due.year != now.year:
        return f"when.by_{kind}_year", {"year": due.year} | on
    return f"when.by_{kind}", on


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
