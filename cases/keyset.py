"""Keyset ("seek") paging for the staff lists (issue 17): a page is read from a position, the
sort key of a row staff saw, so that page 1,000 costs what page 1 costs.

OFFSET reads and throws away every row before the page: the last page of 50,000 cases read
them all. Here the next page starts where the last one ended, a range of the list's covering
index from that row's key on; the last page is the same order read backwards, then flipped.

A position names its row as staff read it, a case number or a task number, never a database
key: the list looks up that row's sort key (one read of a unique key) and seeks from there.
A row that has left the list since (a case accepted, a task done) still has its key, so the
next page still follows it; a row that is gone altogether gives the first page.

A jump straight to page K (`--page K` of the staff commands, without `--after`) has no row to
start from: it skips K - 1 pages with OFFSET inside the index, the one read whose cost grows
with K. Every link the console and the commands print is a position, so paging on from any
page is a seek.

Each list reads one more row than the page holds: whether the list goes on that way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import and_, or_

from cases.paging import Counted

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Position:
    """Where a page starts: the first page, the page after the row `after` (下一页), the page
    before the row `before` (上一页), the last page (末页), or page `page` by a jump."""

    after: str | None = None
    before: str | None = None
    last: bool = False
    page: int | None = 1  # the page's number where it is known: a label, and a jump's target

    @property
    def anchor(self) -> str | None:
        return self.after or self.before


FIRST = Position()


@dataclass(frozen=True)
class Seek:
    """One read of a list: past the anchor's sort key (`values`; none: from an end), forwards
    or backwards, `take` rows (the page and one more) after skipping `skip`."""

    values: tuple[Any, ...] | None
    backward: bool
    take: int
    skip: int = 0
    page: int | None = 1  # the number of the page it reads, where known

    def where(self, keys: Sequence[Any], *, descending: bool = False) -> list[Any]:
        """The condition that starts the read past the anchor ([] from an end)."""
        if self.values is None:
            return []
        return [past(keys, self.values, later=self.backward == descending)]

    def order(self, keys: Sequence[Any], *, descending: bool = False) -> list[Any]:
        """The list's order, reversed for a backward read."""
        return [k.desc() if self.backward != descending else k.asc() for k in keys]

    def apply(self, query: Any, keys: Sequence[Any], *, descending: bool = False) -> Any:
        """`query` cut by this read: its condition, its order and its rows."""
        return (
            query.where(*self.where(keys, descending=descending))
            .order_by(*self.order(keys, descending=descending))
            .offset(self.skip or None)
            .limit(self.take)
        )


def past(keys: Sequence[Any], values: Sequence[Any], *, later: bool) -> Any:
    """The rows whose `keys` come after `values` (before them unless `later`), in the order of
    the keys compared one after the other. Written `k0 >= v0 AND (k0 > v0 OR ...)` rather than
    as a row value, so that both databases read a range of an index that starts with `k0`."""
    key, value = keys[0], values[0]
    beyond = key > value if later else key < value
    if len(keys) == 1:
        return beyond
    reached = key >= value if later else key <= value
    return and_(reached, or_(beyond, past(keys[1:], values[1:], later=later)))


def plan(
    position: Position, size: int, values: tuple[Any, ...] | None, counted: Counted | None
) -> Seek:
    """The read that serves `position`: `values` is its row's sort key (None when it names
    none, or a row that is gone: the first page); `counted` the list's bounded count, which
    sizes the last page so that it closes the numbering of the pages before it (past the
    count's cap the last page holds a full page and has no number)."""
    if position.last:
        if counted is None or counted.more or counted.total == 0:
            return Seek(None, backward=True, take=size + 1, page=None)
        pages = -(-counted.total // size)
        return Seek(None, True, take=counted.total - (pages - 1) * size + 1, page=pages)
    if position.anchor is not None and values is not None:
        return Seek(values, position.before is not None, take=size + 1, page=position.page)
    page = 1 if position.anchor is not None else max(position.page or 1, 1)
    return Seek(None, backward=False, take=size + 1, skip=(page - 1) * size, page=page)


class Paged(Protocol):
    """What the links under a page need to know of it (a `Window`, or a page built on one)."""

    @property
    def page(self) -> int | None: ...
    @property
    def earlier(self) -> bool: ...
    @property
    def later(self) -> bool: ...


@dataclass(frozen=True)
class Window(Generic[T]):
    """A page as read: its rows in the list's order, whether rows come before it and after it,
    and its number where that is known."""

    rows: list[T]
    earlier: bool
    later: bool
    page: int | None

    def map(self, shown: Callable[[T], U]) -> Window[U]:
        """The same page, each row as `shown` makes it."""
        return Window([shown(row) for row in self.rows], self.earlier, self.later, self.page)


def window(rows: Sequence[T], seek: Seek) -> Window[T]:
    """The page from the rows `seek` read (in the read's order, one more than the page when
    the list goes on that way)."""
    more = len(rows) >= seek.take
    page = list(rows[: seek.take - 1])
    if not seek.backward:
        return Window(
            page, earlier=seek.values is not None or seek.skip > 0, later=more, page=seek.page
        )
    page.reverse()
    if seek.values is None:  # the last page
        return Window(page, earlier=more, later=False, page=seek.page)
    # Back at the start of the list: the first page (short when the pages were counted from
    # a last page past the count's cap).
    return Window(page, earlier=more, later=True, page=seek.page if more else 1)
