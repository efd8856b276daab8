"""The offices' working hours from settings: apart from `factory.py`, whose HTTP client pulls
in aiohttp, so that a staff command builds its desk without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from policy.workdays import OfficeHours

if TYPE_CHECKING:
    from app.settings import Settings


def office_hours(settings: Settings) -> OfficeHours:
    oh = settings.office_hours
    return OfficeHours.from_strings(
        [(oh.morning_start, oh.morning_end), (oh.afternoon_start, oh.afternoon_end)],
        timezone=oh.timezone,
    )
