"""Staff lists read one page at a time: the rows of the page, and a count that stops at a cap
("1000+"), so that neither grows with the table (issue 17)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

COUNT_CAP = 1000  # rows counted exactly; past it a list says "1000+"


@dataclass(frozen=True)
class Counted:
    """A count that stops at a cap: `more` when there are more than `total`."""

    total: int
    more: bool

    def __str__(self) -> str:
        return f"{self.total}+" if self.more else str(self.total)

    def to_json(self) -> int | str:
        """The number, or "1000+" where the count stopped."""
        return str(self) if self.more else self.total

    @classmethod
    def of(cls, found: int | None, cap: int = COUNT_CAP) -> Counted:
        """From what `capped_count` found (at most `cap + 1`)."""
        return cls(min(found or 0, cap), (found or 0) > cap)


def capped_count(query: Any, cap: int = COUNT_CAP) -> Any:
    """A scalar subquery: how many rows `query` (a select) has, up to `cap + 1`; so that
    several bounded counts can share one statement."""
    limited = query.limit(cap + 1).subquery("capped")
    return select(func.count()).select_from(limited).scalar_subquery()


def bounded_count(session: Session, query: Any, cap: int = COUNT_CAP) -> Counted:
    """How many rows `query` (a select) has, reading no more than `cap + 1` of them."""
    return Counted.of(session.scalar(select(capped_count(query, cap))), cap)


def offset(page: int, size: int) -> int:
    return (max(page, 1) - 1) * max(size, 1)
