"""The day to remind a worker of their retirement date (the pre-check's "remind me").

A set time before the date (the setting `reminder_days_before`, 90 days by default), so that
there is time to gather the materials. When that day has already passed, a shorter lead (30,
then 7 days before) and at the latest the first day of the month itself; never today or a day
gone by: a reminder that fires the moment it is asked for reminds nobody. None when the month
has begun: there is nothing to wait for, the worker may apply now.
"""

from __future__ import annotations

from datetime import date, timedelta

SHORTER_LEADS = (30, 7, 0)  # days before the month, tried in turn when the set lead is past


def reminder_day(month_start: date, today: date, lead_days: int) -> date | None:
    """The first of `lead_days`, 30, 7 and 0 days before `month_start` that is after today."""
    for lead in (lead_days, *(d for d in SHORTER_LEADS if d < lead_days)):
        day = month_start - timedelta(days=lead)
        if day > today:
            return day
    return None
