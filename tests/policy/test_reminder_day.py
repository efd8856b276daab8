"""The retirement reminder falls a set time before the date, never today or in the past."""

from __future__ import annotations

from datetime import date

import pytest

from policy.reminder_day import reminder_day

# (first day of the retirement month, today, lead days) -> the reminder's day (None: none)
CASES = [
    (date(2031, 10, 1), date(2026, 11, 26), 90, date(2031, 7, 3)),  # the usual: 90 days before
    # The case: a 2027-01 date asked on 2026-12-02 was reminded "today".
    (date(2027, 1, 1), date(2026, 12, 2), 90, date(2026, 12, 25)),  # 30 days = today: 7 days
    (date(2027, 1, 1), date(2026, 12, 1), 90, date(2026, 12, 2)),  # 30 days before: tomorrow
    (date(2027, 1, 1), date(2026, 10, 2), 90, date(2026, 10, 3)),  # 90 days: the next day
    (date(2027, 1, 1), date(2026, 10, 3), 90, date(2026, 12, 2)),  # 90 days = today: 30
    (date(2027, 1, 1), date(2026, 12, 28), 90, date(2027, 1, 1)),  # the month's first day
    (date(2027, 1, 1), date(2027, 1, 1), 90, None),  # the month has begun: apply now
    (date(2027, 1, 1), date(2027, 3, 5), 90, None),
    (date(2027, 1, 1), date(2026, 12, 20), 14, date(2026, 12, 25)),  # a shorter setting
    (date(2027, 1, 1), date(2026, 12, 20), 0, date(2027, 1, 1)),
]


@pytest.mark.parametrize(("month", "today", "lead", "expected"), CASES)
def test_reminder_day(month: date, today: date, lead: int, expected: date | None) -> None:
    day = reminder_day(month, today, lead)
    assert day == expected
    if day is not None:
        assert today < day <= month
