"""Working days on the Chinese calendar, and deadlines counted in office hours.

Sources, in order of precedence:
1. the operator's override file (`policy/workdays_override.toml`, or a path given to
   `load_calendar`): holidays and make-up working days for a year the package does not cover
   yet, or a correction;
2. the `chinese-calendar` package, which carries the State Council's yearly arrangements
   (holidays and make-up working days, 调休) and raises for a year it has no data for;
3. otherwise Monday to Friday minus the fixed-date public holidays of the 全国年节及纪念日放假办法
   (New Year's Day, 1-2 May, 1-3 October; the lunar ones cannot be placed without the notice),
   and the date is flagged with a `CalendarGap` so that a deadline in such a year is shown as
   provisional.

`chinese-calendar` is preferred to `holidays`: it knows the make-up working days and refuses to
guess a year without an official arrangement, where `holidays` silently guesses without them.

The opening periods of an office day are `policy/office_hours.py`; reading the override file
is `policy/workdays_override.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import chinese_calendar

from policy.office_hours import OfficeHours
from policy.workdays_override import YearOverride, parse_override

# Re-exported: callers know these as part of the working-day calendar.
__all__ = [
    "DEFAULT_OVERRIDE_FILE",
    "CalendarGap",
    "OfficeHours",
    "WorkCalendar",
    "YearOverride",
    "add_working_days",
    "calendar_gaps",
    "deadline_in_office_hours",
    "has_official_data",
    "is_working_day",
    "load_calendar",
    "parse_override",
    "working_days_between",
]

DEFAULT_OVERRIDE_FILE = Path(__file__).with_name("workdays_override.toml")
_ONE_DAY = timedelta(days=1)
# A deadline search that finds no office time within ten years means a broken configuration
# (e.g. an override that marks every day a holiday), not a long wait.
_MAX_DAYS_SEARCHED = 3660
# Public holidays on fixed solar dates (放假办法 as revised 2024-11, in force 2025): a year
# without an arrangement still never treats New Year's Day as a working day.
_FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


@dataclass(frozen=True)
class CalendarGap:
    """A year whose working days are estimated (weekends off), not officially arranged."""

    year: int
    note_key: str = "workdays.gap"

    @property
    def params(self) -> dict[str, object]:
        return {"year": self.year}


class WorkCalendar:
    """The Chinese working-day calendar plus the operator's overrides (one table per year)."""

    def __init__(self, overrides: Mapping[int, YearOverride] | None = None) -> None:
        self.overrides: Mapping[int, YearOverride] = dict(overrides or {})
        # chinese_calendar.is_workday costs ~15 µs a call; deadlines ask about the same few
        # hundred days again and again, so remember each answer (a day is ~100 bytes).
        self._known: dict[date, bool] = {}

    def has_official_data(self, year: int) -> bool:
        """True when the year's holidays and make-up days are known (package or override)."""
        override = self.overrides.get(year)
        if override is not None and override.official:
            return True
        return _package_covers(year)

    def is_working_day(self, d: date) -> bool:
        d = _as_date(d)
        known = self._known.get(d)
        if known is None:
            known = self._known[d] = self._decide(d)
        return known

    def _decide(self, d: date) -> bool:
        override = self.overrides.get(d.year)
        if override is not None:
            if d in override.workdays:
                return True
            if d in override.holidays:
                return False
        if _package_covers(d.year):
            return bool(chinese_calendar.is_workday(d))
        return d.weekday() < 5 and (d.month, d.day) not in _FIXED_HOLIDAYS

    def gaps(self, start: date, end: date) -> tuple[CalendarGap, ...]:
        """The years between two dates (inclusive, either order) without official data."""
        lo, hi = sorted((_as_date(start).year, _as_date(end).year))
        return tuple(CalendarGap(y) for y in range(lo, hi + 1) if not self.has_official_data(y))

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`, counting from the next day (POLICY §7).

        n = 0 gives `start` itself; a negative n counts backwards.
        """
        d = _as_date(start)
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: the inverse of add_working_days.

        Negative when `end` lies before `start`.
        """
        a, b = _as_date(start), _as_date(end)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        d = a + _ONE_DAY
        while d <= b:
            count += self.is_working_day(d)
            d += _ONE_DAY
        return sign * count

    def next_working_day(self, d: date) -> date:
        """`d` itself when it is a working day, else the first working day after it."""
        d = _as_date(d)
        return d if self.is_working_day(d) else self.add_working_days(d, 1)

    def deadline_in_office_hours(
        self, start: datetime, hours: float, office_hours: OfficeHours | None = None
    ) -> datetime:
        """When a clock of `hours` office hours that starts at `start` runs out.

        The clock runs only inside office hours on working days: accepted at 17:30 on a Friday
        with a 2-hour clock, half an hour runs that evening and the rest on the next working
        day, due at 10:00. A naive `start` is taken as office-local time. The result is in the
        office's time zone.
        """
        if hours < 0:
            raise ValueError("hours must not be negative")
        oh = office_hours or OfficeHours()
        local = start.astimezone(oh.tz) if start.tzinfo else start.replace(tzinfo=oh.tz)
        # Wall-clock arithmetic: office periods are defined on the local clock.
        cursor = local.replace(tzinfo=None)
        remaining = timedelta(hours=hours)
        day = cursor.date()
        for _ in range(_MAX_DAYS_SEARCHED):
            if self.is_working_day(day):
                for opens, closes in oh.periods:
                    period_start = datetime.combine(day, opens)
                    period_end = datetime.combine(day, closes)
                    begin = max(period_start, cursor)
                    if begin >= period_end:
                        continue
                    available = period_end - begin
                    if remaining <= available:
                        return (begin + remaining).replace(tzinfo=oh.tz)
                    remaining -= available
            day += _ONE_DAY
            cursor = datetime.combine(day, time.min)
        raise ValueError("no office hours found within ten years: check the calendar override")

    def end_of_office_day(self, d: date, office_hours: OfficeHours | None = None) -> datetime:
        """Closing time of the office on a day: a working-day deadline ends there."""
        oh = office_hours or OfficeHours()
        return datetime.combine(_as_date(d), oh.periods[-1][1], tzinfo=oh.tz)


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


@cache
def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _default_calendar() -> WorkCalendar:
    return WorkCalendar(parse_override(DEFAULT_OVERRIDE_FILE))


def load_calendar(override_path: Path | None = None) -> WorkCalendar:
    """The calendar with the default override file (cached), or with another file."""
    if override_path is None:
        return _default_calendar()
    return WorkCalendar(parse_override(override_path))


# Module-level shortcuts on the default calendar (or on one passed in).


def is_working_day(d: date, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or load_calendar()).is_working_day(d)


def has_official_data(year: int, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or load_calendar()).has_official_data(year)


def calendar_gaps(
    start: date, end: date, calendar: WorkCalendar | None = None
) -> tuple[CalendarGap, ...]:
    return (calendar or load_calendar()).gaps(start, end)


def add_working_days(start: date, n: int, calendar: WorkCalendar | None = None) -> date:
    return (calendar or load_calendar()).add_working_days(start, n)


def working_days_between(start: date, end: date, calendar: WorkCalendar | None = None) -> int:
    return (calendar or load_calendar()).working_days_between(start, end)


def deadline_in_office_hours(
    start: datetime,
    hours: float,
    office_hours: OfficeHours | None = None,
    calendar: WorkCalendar | None = None,
) -> datetime:
    return (calendar or load_calendar()).deadline_in_office_hours(start, hours, office_hours)
