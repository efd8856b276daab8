"""A calendar month, the unit of the retirement rules.

The reform's annex tables count in whole months (birth month plus statutory age), so the
rules compute on month indexes rather than dates: differences of indexes are month counts,
and no day-of-month arithmetic can shift a result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True, order=True)
class YearMonth:
    """A calendar month; ordered, printable as YYYY-MM."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, not {self.month}")

    @classmethod
    def of(cls, day: date) -> YearMonth:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        """`YYYY-MM`."""
        year, _, month = text.partition("-")
        return cls(int(year), int(month))

    @property
    def index(self) -> int:
        """Months since year 0: differences of these are month counts."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> YearMonth:
        return cls(index // 12, index % 12 + 1)

    def add_months(self, months: int) -> YearMonth:
        return YearMonth.from_index(self.index + months)

    def months_until(self, other: YearMonth) -> int:
        """How many months from self to other (negative when other is earlier)."""
        return other.index - self.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
