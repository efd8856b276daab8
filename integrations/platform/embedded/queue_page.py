"""The clerk's queue: open cases, those with an overdue item first, then oldest first; one page
in a bounded number of statements, whose cost follows the page and the number of late cases,
not the number of cases nor how deep the page is (keyset paging, `cases.keyset`).

The queue is two runs, each in (received_at, case_number) order:
- the late cases: pending items due before now (`ix_platform_emb_items_status_due`, a range),
  their open cases: as many as are late, normally a handful, read whole;
- the others, straight from the partial index of open cases (`ix_platform_emb_cases_open_queue`:
  received_at, case_number), a range from the page's position on, the late ones left out as
  they pass (they are few).
A page after a case reads on in that case's run and then the runs after it; a page before it,
backwards, in its run and then the runs before it; the last page is the whole queue read
backwards; the two runs are glued in one statement, with the forms of just the page's rows.
The position's case is looked up first (its time and whether it is late), and the count,
bounded at "1000+", is a read of the same index. A jump straight to page K (`--page K`) has
no position: it skips in the index alone, then makes up for the late cases it passed
(`_jump`), its cost growing with K.

SQLite is told to read the open cases through that index (`INDEXED BY`, the documented way
to pin the plan of a time-critical query): without table statistics its planner takes the
index on the status column instead and sorts every open case for each page (2.3 s at 50,000
cases on this machine, against a few milliseconds). PostgreSQL's planner has statistics.

The console's queue page and `python main.py staff queue` both read it (the CLI adds, in a
second statement bounded by the page, which of each late case's items are late), on Core
tables: the CLI reads it on a plain connection, without the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, column, func, literal, or_, select, text, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import TableClause

from cases.keyset import FIRST, Position, Seek, plan, window
from cases.paging import bounded_count
from cases.tables.platform import OPEN_CASES, OPEN_STATUSES, emb_cases, emb_items
from integrations.platform.embedded.sealing import applicant_label

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

QUEUE_INDEX = "ix_platform_emb_cases_open_queue"


@dataclass(frozen=True)
class QueueLine:
    case_number: str
    status: str
    received_at: datetime
    applicant: str  # name and masked ID number
    overdue: bool
    late_items: tuple[str, ...] = ()  # filled by `late_items_of` where the reader shows them


@dataclass(frozen=True)
class QueuePage:
    lines: list[QueueLine]
    total: int
    page: int | None  # its number, where known (a last page past the count's cap has none)
    pages: int  # of the counted rows: more follow when `more`
    more: bool = False  # more open cases than `total` (the count stops at COUNT_CAP)
    earlier: bool = False  # cases before this page (上一页)
    later: bool = False  # cases after it (下一页)


def _filters(cases: Any, status: str, search: str) -> list[Any]:
    # The partial index's own condition, word for word, so that the index may serve.
    where = [cases.c.status.in_(OPEN_STATUSES)]
    if status in OPEN_STATUSES:
        where.append(cases.c.status == status)
    wanted = _like(search)
    if wanted:
        where.append(cases.c.case_number.like(wanted, escape="\\"))
    return where


class _OpenCases(TableClause):
    """`platform_emb_cases`, read through the queue's index on SQLite (`INDEXED BY`)."""

    inherit_cache = True


@compiles(_OpenCases)
def _open_cases(element: _OpenCases, compiler: Any, **kw: Any) -> str:
    pinned = compiler.dialect.name == "sqlite" and kw.get("asfrom")
    return f"{element.name} INDEXED BY {QUEUE_INDEX}" if pinned else str(element.name)


def _open(status: str, search: str) -> tuple[Any, tuple[Any, Any]]:
    """The open cases, and their order's keys: read through the partial index alone (its
    condition given as literal SQL, which is what lets SQLite use it)."""
    cases = _OpenCases(
        "platform_emb_cases", column("case_number"), column("received_at"), column("status")
    )
    where: list[Any] = [text(OPEN_CASES)]
    if status in OPEN_STATUSES:
        where.append(cases.c.status == status)
    wanted = _like(search)
    if wanted:
        where.append(cases.c.case_number.like(wanted, escape="\\"))
    rows = select(cases.c.case_number, literal(0).label("overdue"), cases.c.received_at)
    return rows.where(*where), (cases.c.received_at, cases.c.case_number)


def _on_time(status: str, search: str, late_numbers: Any) -> tuple[Any, tuple[Any, Any]]:
    """The open cases that are not late, and their order's keys."""
    rows, keys = _open(status, search)
    return rows.where(keys[1].not_in(late_numbers)), keys


def _late(where: list[Any], late_numbers: Any) -> tuple[Any, tuple[Any, Any]]:
    """The open cases with a late item, and their order's keys."""
    # Driven from the late items (a derived table first, joined on the case number): a planner
    # left alone would read every open case and probe the short list of late ones.
    late_items = late_numbers.distinct().subquery("late_items")
    cases = emb_cases.c
    rows = (
        select(cases.case_number, literal(1).label("overdue"), cases.received_at)
        .select_from(late_items.join(emb_cases, cases.case_number == late_items.c.case_number))
        .where(*where)
    )
    return rows, (cases.received_at, cases.case_number)


def _like(search: str) -> str:
    wanted = search.strip().upper()
    if not wanted:
        return ""
    escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _anchor(
    session: Session | Connection, number: str, late_numbers: Any
) -> tuple[bool, datetime, str] | None:
    """The position's case: whether it is late (which run it is in) and its sort key."""
    cases = emb_cases.c
    found = session.execute(
        select(cases.case_number.in_(late_numbers), cases.received_at, cases.case_number).where(
            cases.case_number == number.strip().upper()
        )
    ).first()
    return (bool(found[0]), found[1], found[2]) if found else None


def _runs(seek: Seek, runs: list[tuple[Any, tuple[Any, Any]]], anchored: int) -> Any:
    """The queue's runs as one read: the anchor's run (`anchored`) cut at the position, the
    runs after it whole (before it, read backwards), each at most the read's rows."""
    step = -1 if seek.backward else 1
    members = []
    for i, (rows, keys) in enumerate(runs):
        if (i - anchored) * step < 0:
            continue  # a run on the other side of the position
        cut = seek if i == anchored else replace(seek, values=None)
        read = cut.apply(rows, keys).offset(None).limit(seek.skip + seek.take)
        members.append(select(*read.subquery(f"run{i}").c))
    return union_all(*members).subquery("runs")


def _jump(seek: Seek, late: Any, status: str, search: str, late_numbers: Any) -> Any:
    """The queue from its `seek.skip`-th case on, for a jump straight to a page (`--page K`).

    Testing each skipped case against the late ones cost as much as the skipping itself (at
    50,000 cases, 10 ms of a page's 15), so the skip runs on the index alone: the window of
    open cases from the skip less the late ones on, the page + as many as are late; the late
    ones that the skip passed over (those before the window's first case) are then skipped
    among the window's others, which the window holds enough of."""
    late_cases = late.subquery("late_cases")
    late_count = select(func.count()).select_from(late_cases).scalar_subquery()
    skip = case((late_count >= seek.skip, 0), else_=seek.skip - late_count)
    reach = seek.take + late_count
    opened, order = _open(status, search)
    window = opened.order_by(*order).limit(reach).offset(skip).cte("open_window")
    first = select(window.c.received_at, window.c.case_number).order_by(
        window.c.received_at, window.c.case_number
    )
    first_at = first.with_only_columns(window.c.received_at).limit(1).scalar_subquery()
    first_number = first.with_only_columns(window.c.case_number).limit(1).scalar_subquery()
    received, number = late_cases.c.received_at, late_cases.c.case_number
    passed = (
        select(func.count())
        .select_from(late_cases)
        .where(or_(received < first_at, and_(received == first_at, number < first_number)))
        .scalar_subquery()
    )
    rest = (
        select(window.c.case_number, window.c.overdue, window.c.received_at)
        .where(window.c.case_number.not_in(late_numbers))
        .order_by(window.c.received_at, window.c.case_number)
        .offset(passed)
        .limit(seek.take)
        .subquery("rest")
    )
    early = (
        select(*late_cases.c)
        .order_by(late_cases.c.received_at, late_cases.c.case_number)
        .offset(seek.skip)
        .limit(seek.take)
        .subquery("late")
    )
    return union_all(select(*early.c), select(*rest.c)).subquery("runs")


def queue_page_rows(
    session: Session | Connection,
    now: datetime,
    *,
    at: Position = FIRST,
    size: int = 50,
    search: str = "",
    status: str = "",
) -> QueuePage:
    """One page of open cases, overdue first, then oldest first, from the position `at`."""
    cases, items = emb_cases, emb_items.c
    where = _filters(cases, status, search)
    late_numbers = select(items.case_number).where(items.status == "pending", items.due_at < now)
    # The count stops at COUNT_CAP ("1000+"): counting every open case on every page would
    # make each page cost as much as the whole queue.
    counted = bounded_count(session, select(cases.c.case_number).where(*where))
    anchor = _anchor(session, at.anchor, late_numbers) if at.anchor else None
    seek = plan(at, size, anchor[1:] if anchor else None, counted)
    runs = [_late(where, late_numbers), _on_time(status, search, late_numbers)]
    # Without a position the read starts at an end: before the first run, or after the last.
    anchored = (0 if anchor[0] else 1) if anchor else (len(runs) if seek.backward else -1)
    if seek.skip:
        both = _jump(seek, runs[0][0], status, search, late_numbers)
    else:
        both = _runs(seek, runs, anchored)
    # Overdue first (a late case is 1), then the runs' own order; all reversed backwards.
    order = [
        both.c.overdue.asc() if seek.backward else both.c.overdue.desc(),
        *seek.order((both.c.received_at, both.c.case_number)),
    ]
    columns = (cases.c.case_number, cases.c.status, cases.c.received_at, cases.c.form)
    query = (
        select(*columns, both.c.overdue)
        .join(both, both.c.case_number == cases.c.case_number)
        .order_by(*order)
        .limit(seek.take)
    )
    read = window(session.execute(query).all(), seek)
    lines = [
        QueueLine(r.case_number, r.status, r.received_at, applicant_label(r.form), bool(r.overdue))
        for r in read.rows
    ]
    pages = max(1, -(-counted.total // size))
    return QueuePage(
        lines, counted.total, read.page, pages, counted.more, read.earlier, read.later
    )


def late_items_of(session: Session | Connection, page: QueuePage, now: datetime) -> QueuePage:
    """The page with the late items of its overdue cases named: one statement, bounded by
    the page (the items' (status, due) index, then the case numbers of the page)."""
    # All the page's cases, not only the overdue ones: the same one statement for every
    # non-empty page (a page without late cases finds nothing, as cheaply).
    numbers = [line.case_number for line in page.lines]
    if not numbers:
        return page
    late: dict[str, list[str]] = {}
    items = emb_items.c
    for number, item in session.execute(
        select(items.case_number, items.item)
        .where(items.status == "pending", items.due_at < now)
        .where(items.case_number.in_(numbers))
        .order_by(items.case_number, items.item)
    ):
        late.setdefault(number, []).append(item)
    lines = [
        replace(line, late_items=tuple(late.get(line.case_number, ()))) for line in page.lines
    ]
    return replace(page, lines=lines)
