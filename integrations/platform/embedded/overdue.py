"""The clock's one write on a read: items past their due time are flagged to the clerk once
each (a staff task), in three statements whatever their number. Core tables, so that
`staff queue` (which flags before it reads) runs without the ORM."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from cases.tables.platform import emb_items
from cases.tables.store import cases, staff_tasks

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session


def flag_overdue_items(session: Session | Connection, now: datetime) -> list[tuple[str, str]]:
    """Flag the pending items due before `now` not flagged yet; their (case, item)."""
    items = emb_items.c
    # One read for every newly late item and its case id (not one look-up per item).
    late = session.execute(
        select(items.id, items.case_number, items.item, items.office, items.due_at, cases.c.id)
        .select_from(emb_items.outerjoin(cases, cases.c.number == items.case_number))
        .where(
            items.status == "pending",
            items.due_at < now,
            items.overdue_flagged_at.is_(None),
        )
        .order_by(items.id)
    ).all()
    if not late:
        return []
    ids = [row[0] for row in late]
    session.execute(update(emb_items).where(items.id.in_(ids)).values(overdue_flagged_at=now))
    session.execute(
        insert(staff_tasks),
        [
            {
                "case_id": case_id,
                "kind": "overdue",
                "due_at": due_at,
                "detail": {
                    "case_number": number,
                    "item": item,
                    "office": office,
                    "due_at": due_at.isoformat() if due_at else None,
                },
            }
            for _, number, item, office, due_at, case_id in late
        ],
    )
    return [(number, item) for _, number, item, *_ in late]
