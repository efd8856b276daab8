"""The clerk's queue: open cases, those with an overdue item first, then oldest first; one page
in one statement, whose cost follows the page and the number of late cases, not the number of
cases.

The statement glues two ordered reads:
- the late cases: pending items due before now (`ix_platform_emb_items_status_due`, a range),
  their open cases in queue order: as many as are late, normally a handful;
- the others in queue order, straight from the partial index of open cases
  (`ix_platform_emb_cases_open_queue`: received_at, case_number): the page's offset less the
  late ones is skipped in the index alone, and the late ones are left out of the short
  window that follows (`_rest`);
and takes the page's rows from the two, overdue first, with the forms of just those rows and
the total (a count over the open cases' index) in the same statement.

SQLite is told to read the open cases through that index (`INDEXED BY`, the documented way
to pin the plan of a time-critical query): without table statistics its planner takes the
index on the status column instead and sorts every open case for each page (2.3 s at 50,000
cases on this machine, against a few milliseconds). PostgreSQL's planner has statistics.

The console's queue page and `python main.py staff queue` both read it (the CLI adds, in a
second statement bounded by the page, which of each late case's items are late).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, column, func, literal, or_, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from cases.models.platform import OPEN_CASES, OPEN_STATUSES, EmbCase, EmbItem
from cases.paging import COUNT_CAP
from integrations.platform.embedded.sealing import applicant_label

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
    page: int
    pages: int  # of the counted rows: more follow when `more`
    more: bool = False  # more open cases than `total` (the count stops at COUNT_CAP)


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


def _open_in_order(status: str, search: str) -> Any:
    """The open cases in queue order, read through the partial index alone (its condition
    given as literal SQL, which is what lets SQLite use it)."""
    cases = _OpenCases(
        "platform_emb_cases", column("case_number"), column("received_at"), column("status")
    )
    where: list[Any] = [text(OPEN_CASES)]
    if status in OPEN_STATUSES:
        where.append(cases.c.status == status)
    wanted = _like(search)
    if wanted:
        where.append(cases.c.case_number.like(wanted, escape="\\"))
    return (
        select(cases.c.case_number, cases.c.received_at)
        .where(*where)
        .order_by(cases.c.received_at, cases.c.case_number)
    )


def _rest(
    status: str, search: str, late_numbers: Any, late_cases: Any, skip: Any, reach: Any
) -> Any:
    """The open cases that are not late, in queue order, from the `skip`-th on.

    Testing each skipped case against the late ones cost as much as the skipping itself (at
    50,000 cases, 10 ms of a page's 15), so the skip runs on the index alone: the window of
    open cases from `skip` on, `size` + as many as are late; the late ones that the skip
    passed over (those before the window's first case) are then skipped among the window's
    others, which the window holds enough of."""
    window = _open_in_order(status, search).limit(reach).offset(skip).cte("open_window")
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
    return (
        select(window.c.case_number, literal(0).label("overdue"), window.c.received_at)
        .where(window.c.case_number.not_in(late_numbers))
        .order_by(window.c.received_at, window.c.case_number)
        .offset(passed)
    )


def _like(search: str) -> str:
    wanted = search.strip().upper()
    if not wanted:
        return ""
    escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def queue_page_rows(
    session: Session,
    now: datetime,
    *,
    page: int = 1,
    size: int = 50,
    search: str = "",
    status: str = "",
) -> QueuePage:
    """One page of open cases, overdue first, then oldest first: one statement."""
    page = max(page, 1)
    offset = (page - 1) * size
    cases = EmbCase.__table__
    where = _filters(cases, status, search)
    late_numbers = select(EmbItem.case_number).where(
        EmbItem.status == "pending", EmbItem.due_at < now
    )
    # Driven from the late items (a derived table first, joined on the case number): a planner
    # left alone would read every open case and probe the short list of late ones.
    late_items = late_numbers.distinct().subquery("late_items")
    late_cases = (
        select(cases.c.case_number, cases.c.received_at)
        .select_from(late_items.join(cases, cases.c.case_number == late_items.c.case_number))
        .where(*where)
        .subquery("late_cases")
    )
    late_count = select(func.count()).select_from(late_cases).scalar_subquery()
    late = (
        select(late_cases.c.case_number, literal(1).label("overdue"), late_cases.c.received_at)
        .order_by(late_cases.c.received_at, late_cases.c.case_number)
        .limit(size)
        .offset(offset)
        .subquery("late")
    )
    skip = case((late_count >= offset, 0), else_=offset - late_count)
    rest = (
        _rest(status, search, late_numbers, late_cases, skip, size + late_count)
        .limit(size)
        .subquery("rest")
    )
    both = select(*late.c).union_all(select(*rest.c)).subquery("both")
    # The count stops at COUNT_CAP ("1000+"): counting every open case on every page would
    # make each page cost as much as the whole queue.
    capped = select(cases.c.case_number).where(*where).limit(COUNT_CAP + 1).subquery("capped")
    total = select(func.count()).select_from(capped).scalar_subquery()
    query = (
        select(
            EmbCase.case_number,
            EmbCase.status,
            EmbCase.received_at,
            EmbCase.form,
            both.c.overdue,
            total.label("total"),
        )
        .join(both, both.c.case_number == EmbCase.case_number)
        .order_by(both.c.overdue.desc(), both.c.received_at, both.c.case_number)
        .limit(size)
    )
    rows = session.execute(query).all()
    found = min(rows[0].total if rows else session.scalar(select(total)) or 0, COUNT_CAP + 1)
    more = found > COUNT_CAP
    found = min(found, COUNT_CAP)
    lines = [
        QueueLine(r.case_number, r.status, r.received_at, applicant_label(r.form), bool(r.overdue))
        for r in rows
    ]
    return QueuePage(lines, found, page, max(1, -(-found // size)), more)


def late_items_of(session: Session, page: QueuePage, now: datetime) -> QueuePage:
    """The page with the late items of its overdue cases named: one statement, bounded by
    the page (the items' (status, due) index, then the case numbers of the page)."""
    # All the page's cases, not only the overdue ones: the same one statement for every
    # non-empty page (a page without late cases finds nothing, as cheaply).
    numbers = [line.case_number for line in page.lines]
    if not numbers:
        return page
    late: dict[str, list[str]] = {}
    for number, item in session.execute(
        select(EmbItem.case_number, EmbItem.item)
        .where(EmbItem.status == "pending", EmbItem.due_at < now)
        .where(EmbItem.case_number.in_(numbers))
        .order_by(EmbItem.case_number, EmbItem.item)
    ):
        late.setdefault(number, []).append(item)
    lines = [
        replace(line, late_items=tuple(late.get(line.case_number, ()))) for line in page.lines
    ]
    return replace(page, lines=lines)
