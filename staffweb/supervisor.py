"""The supervisor (电子监察): per office, the items overdue (red) and due within the hour
(yellow), with their cases and due times. Read-only; no personal data on the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models.platform import EmbItem
from staffweb.accounts import SUPERVISOR
from staffweb.core import console_of, need, render

DUE_SOON = timedelta(hours=1)


@dataclass
class OfficeLine:
    office: str
    pending: int = 0
    overdue: list[tuple[str, str, datetime]] = field(default_factory=list)  # case, item, due
    due_soon: list[tuple[str, str, datetime]] = field(default_factory=list)


def overview(session: Session, now: datetime, offices: tuple[str, ...]) -> list[OfficeLine]:
    """Every office of the items file, with its pending items sorted into red and yellow."""
    lines = {office: OfficeLine(office) for office in offices}
    rows = session.execute(
        select(EmbItem.office, EmbItem.case_number, EmbItem.item, EmbItem.due_at)
        .where(EmbItem.status == "pending")
        .order_by(EmbItem.due_at)
    )
    for office, number, item, due in rows:
        line = lines.setdefault(office, OfficeLine(office))
        line.pending += 1
        if due is None:
            continue
        if due < now:
            line.overdue.append((number, item, due))
        elif due < now + DUE_SOON:
            line.due_soon.append((number, item, due))
    return list(lines.values())


async def overview_page(request: web.Request) -> web.StreamResponse:
    need(request, SUPERVISOR)
    console = console_of(request)
    from staffweb.accounts import office_codes

    lines = await console.db.run(overview, console.clock(), office_codes())
    return render(request, "supervisor.html", lines=lines)
