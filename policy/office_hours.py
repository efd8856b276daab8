"""The opening periods of an office's working day, and its time zone.

Deadlines in office hours run only inside these periods (POLICY §7); they are checked when
built so that a bad setting fails at start-up rather than at the first deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class OfficeHours:
    """Opening periods of a working day, in the office's time zone (default Ordos: Beijing)."""

    periods: tuple[tuple[time, time], ...] = (
        (time(8, 30), time(12, 0)),
        (time(14, 30), time(18, 0)),
    )
    timezone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("office hours need at least one period")
        previous_end = time.min
        for opens, closes in self.periods:
            if not opens < closes:
                raise ValueError(f"office period {opens}-{closes} must open before it closes")
            if opens < previous_end:
                raise ValueError("office periods must be in order and must not overlap")
            previous_end = closes
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:  # fail at start-up, not at a deadline
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_strings(
        cls, periods: Iterable[tuple[str, str]], timezone: str = "Asia/Shanghai"
    ) -> OfficeHours:
        """Build from "HH:MM" pairs, e.g. the settings' morning/afternoon start and end."""
        return cls(
            periods=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in periods),
            timezone=timezone,
        )
