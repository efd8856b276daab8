"""The staff queue as `python main.py staff queue` and the platform's desks read it: the
clerk's queue (`queue_page.py`) or an office's inbox (`inbox_page.py`), one page, after the
clock has flagged what is overdue, the view audited. Core tables only, so that the command
runs without the ORM and the platform's other desks (`views.py` calls this too)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert

from cases.keyset import FIRST, Position
from cases.tables.store import audit_log
from integrations.platform.embedded.errors import CLERK, StaffError
from integrations.platform.embedded.inbox_page import inbox_page_rows
from integrations.platform.embedded.overdue import flag_overdue_items
from integrations.platform.embedded.queue_page import late_items_of, queue_page_rows
from integrations.platform.embedded.sealing import applicant_label
from policy.towns import offices_of

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from policy.item_defs import ItemDef


@dataclass(frozen=True)
class QueueRow:
    case_number: str
    status: str
    received_at: datetime
    applicant: str  # name and masked ID number: staff lists never show the full number
    item: str | None = None
    office: str | None = None
    item_status: str | None = None
    due_at: datetime | None = None
    overdue: bool = False


@dataclass(frozen=True)
class StaffPage:
    """One page of a staff list: its rows, the count (`more`: at least `total`), the page's
    number where known, its size, and whether rows come before it and after it."""

    rows: list[QueueRow]
    total: int
    more: bool
    page: int | None
    size: int
    earlier: bool = False
    later: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def staff_queue_page(
    session: Session | Connection,
    actor: str,
    office: str | None,
    items: Sequence[ItemDef],
    *,
    now: datetime,
    at: Position = FIRST,
    size: int = 50,
) -> StaffPage:
    """One page of the clerk's queue (office None: overdue first, then oldest) or of an
    office's items (`items`: the item definitions, which say what an office may see), from
    the position `at` (`cases.keyset`). A bounded number of statements whatever the number
    of cases and however deep the page; the view is audited."""
    flag_overdue_items(session, now)
    size = max(size, 1)
    if office is None:
        result = _clerk_queue(session, now, at, size)
    else:
        check_office(items, office)
        result = _office_queue(session, {i.code: i for i in items}, office, now, at, size)
    # The platform's audit row (`core.audit`), without a case: one Core insert.
    detail = {"office": office or CLERK, "cases": len(result.rows), "page": result.page}
    session.execute(
        insert(audit_log).values(actor=actor, action="platform.view_queue", detail=detail)
    )
    return result


def check_office(items: Sequence[ItemDef], office: str) -> None:
    """A StaffError naming the known codes unless `office` is one: an item's own office, or
    a town's office for the items routed by the town."""
    offices = dict.fromkeys(o for i in items for o in (i.office, *offices_of(i)))
    if office not in offices:
        raise StaffError(
            "unknown_office", f"没有经办机构代码“{office}”。可用的代码：{'、'.join(offices)}。"
        )


def _clerk_queue(
    session: Session | Connection, now: datetime, at: Position, size: int
) -> StaffPage:
    found = late_items_of(session, queue_page_rows(session, now, at=at, size=size), now)
    rows = [
        QueueRow(
            line.case_number,
            line.status,
            line.received_at,
            line.applicant,
            item=",".join(line.late_items) or None,
            overdue=line.overdue,
        )
        for line in found.lines
    ]
    return StaffPage(rows, found.total, found.more, found.page, size, found.earlier, found.later)


def _office_queue(
    session: Session | Connection,
    by_code: dict[str, ItemDef],
    office: str,
    now: datetime,
    at: Position,
    size: int,
) -> StaffPage:
    read, counted = inbox_page_rows(session, office, at=at, size=size)
    rows: list[QueueRow] = []
    for line in read.rows:
        definition = by_code[line.item]
        # Only what the item may see: the name, and the ID number if the item needs it.
        visible = definition.visible_fields(line.form)
        if "id_number" in definition.fields:
            visible["id_number_masked"] = line.form.get("id_number_masked")
        rows.append(
            QueueRow(
                line.case_number,
                line.status,
                line.received_at,
                applicant_label(visible),
                line.item,
                line.office,
                line.item_status,
                line.due_at,
                overdue=line.due_at is not None and line.due_at < now,
            )
        )
    return StaffPage(rows, counted.total, counted.more, read.page, size, read.earlier, read.later)
