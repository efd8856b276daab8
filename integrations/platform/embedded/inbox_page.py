"""An office's inbox: its pending items, soonest due first, one page at a time; the same cost
for the first page of ten items as for the last of fifty thousand, and for any page reached
from another (`cases.keyset`).

At most three statements, whatever the table size:
- the position's row (a case number: a case has one item per office) read for its sort key,
  (due_at, id), on a page reached from another;
- the page: the item ids read in order from the covering index `ix_platform_emb_items_inbox`
  (office, status, due_at, id), a range from the position on (or from an end), without
  touching the table; then just those rows with their cases (a deferred join);
- the count, bounded: "1000+" rather than counting every pending item of a busy office on each
  page (`cases.paging`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from cases.keyset import FIRST, Position, Window, plan, window
from cases.paging import Counted, bounded_count
from cases.tables.platform import emb_cases, emb_items

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class InboxLine:
    case_number: str
    status: str
    received_at: datetime
    form: dict[str, Any]  # the caller shows only what the item may see
    item: str
    office: str
    item_status: str
    due_at: datetime | None


def inbox_page_rows(
    session: Session | Connection, office: str, *, at: Position = FIRST, size: int = 50
) -> tuple[Window[InboxLine], Counted]:
    """One page of the office's pending items, soonest due first, and their bounded count."""
    cases, items = emb_cases.c, emb_items.c
    keys = (items.due_at, items.id)
    mine = select(items.id).where(items.office == office, items.status == "pending")
    counted = bounded_count(session, mine)
    anchor = None
    if at.anchor is not None:
        anchor = session.execute(
            select(*keys).where(items.office == office, items.case_number == at.anchor)
        ).first()
    seek = plan(at, size, tuple(anchor) if anchor else None, counted)
    ids = seek.apply(mine, keys).subquery("page_ids")
    query = (
        select(
            cases.case_number,
            cases.status,
            cases.received_at,
            cases.form,
            items.item,
            items.office,
            items.status.label("item_status"),
            items.due_at,
        )
        .select_from(ids)
        .join(emb_items, items.id == ids.c.id)
        .join(emb_cases, cases.case_number == items.case_number)
        .order_by(*seek.order(keys))
    )
    return window([InboxLine(*row) for row in session.execute(query)], seek), counted
