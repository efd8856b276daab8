"""An office's inbox: its pending items, soonest due first, one page at a time; the same cost
for the first page of ten items as for the last of fifty thousand.

Two statements, whatever the table size:
- the page: the item ids read in order from the covering index `ix_platform_emb_items_inbox`
  (office, status, due_at, id): the offset is skipped inside the index without touching the
  table; then just those rows with their cases (a deferred join);
- the count, bounded: "1000+" rather than counting every pending item of a busy office on each
  page (`cases.paging`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models.platform import EmbCase, EmbItem
from cases.paging import Counted, bounded_count, offset


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
    session: Session, office: str, *, page: int = 1, size: int = 50
) -> tuple[list[InboxLine], Counted]:
    """One page of the office's pending items, soonest due first, and their bounded count."""
    mine = select(EmbItem.id).where(EmbItem.office == office, EmbItem.status == "pending")
    ids = (
        mine.order_by(EmbItem.due_at, EmbItem.id)
        .limit(size)
        .offset(offset(page, size))
        .subquery("page_ids")
    )
    query = (
        select(
            EmbCase.case_number,
            EmbCase.status,
            EmbCase.received_at,
            EmbCase.form,
            EmbItem.item,
            EmbItem.office,
            EmbItem.status.label("item_status"),
            EmbItem.due_at,
        )
        .select_from(ids)
        .join(EmbItem, EmbItem.id == ids.c.id)
        .join(EmbCase, EmbCase.case_number == EmbItem.case_number)
        .order_by(EmbItem.due_at, EmbItem.id)
    )
    lines = [InboxLine(*row) for row in session.execute(query)]
    return lines, bounded_count(session, mine)
