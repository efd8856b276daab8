"""Time, in one place: the applicants' time zone and the one reader of the wall clock.

Everything else is handed a `Clock` (tests hand in a fake one), so rules and use cases stay
pure and a test never waits for real time to pass.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# Ejin Horo Banner keeps Beijing time (UTC+8, no daylight saving).
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The system clock, aware and in UTC: the default `Clock`."""
    return datetime.now(UTC)


def local_today(clock: Clock = utc_now) -> date:
    """Today's date where the applicants live; the server may run on UTC, which is still
    yesterday there until 08:00."""
    return clock().astimezone(LOCAL_TZ).date()


def at_local(day: date, hour: int) -> datetime:
    """That day's hour on the banner's clock, in UTC (a task due by the office's close)."""
    return datetime.combine(day, time(hour), LOCAL_TZ).astimezone(UTC)
