"""The supervisor's figures (电子监察), read-only: open cases by state, cases received per day,
how long each item takes at its office, and the ratings; and the ratings page, where the
clerk also closes a bad rating's follow-up (the outcome is sent to the worker word for word).

Times per item run from dispatch to the office's answer, in hours on the wall clock (the
2-office-hour limit itself is watched by the overdue flags on the overview); the median and
the slowest tenth over the last `ITEM_DAYS` days. Nothing here names a person: the ratings'
comments were masked when they were written, and the supervisor reads case numbers only.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aftercare import reports
from aftercare.followups import close_followup
from app.clock import LOCAL_TZ
from cases.keyset import Position, Window
from cases.models.platform import OPEN_STATUSES, EmbCase, EmbItem
from staffweb.accounts import CLERK, SUPERVISOR
from staffweb.core import console_of, need, pager, position_of, render

DAYS = 14  # cases received per day, over this many days
ITEM_DAYS = 90  # item times over answers of this many days


@dataclass(frozen=True)
class ItemTime:
    item: str
    answered: int
    median_hours: float
    slowest_tenth_hours: float  # the 90th percentile


@dataclass
class Figures:
    open_cases: dict[str, int] = field(default_factory=dict)
    per_day: list[tuple[str, int]] = field(default_factory=list)  # (local date, received)
    item_times: list[ItemTime] = field(default_factory=list)
    ratings: dict[str, Any] = field(default_factory=dict)


def figures(session: Session, now: datetime, items: tuple[str, ...]) -> Figures:
    out = Figures()
    counts = dict(
        session.execute(
            select(EmbCase.status, func.count())
            .where(EmbCase.status.in_(OPEN_STATUSES))
            .group_by(EmbCase.status)
        ).all()
    )
    out.open_cases = {s: int(counts.get(s, 0)) for s in OPEN_STATUSES}
    today = now.astimezone(LOCAL_TZ).date()
    days = {today - timedelta(days=n): 0 for n in range(DAYS - 1, -1, -1)}
    since = datetime.combine(min(days), datetime.min.time(), tzinfo=LOCAL_TZ)
    for (received,) in session.execute(
        select(EmbCase.received_at).where(EmbCase.received_at >= since)
    ):
        day = received.astimezone(LOCAL_TZ).date()
        if day in days:
            days[day] += 1
    out.per_day = [(d.isoformat(), n) for d, n in days.items()]
    out.item_times = _item_times(session, now, items)
    out.ratings = reports.rating_summary(session, now=now)
    return out


def _item_times(session: Session, now: datetime, items: tuple[str, ...]) -> list[ItemTime]:
    hours: dict[str, list[float]] = {code: [] for code in items}
    rows = session.execute(
        select(EmbItem.item, EmbItem.dispatched_at, EmbItem.answered_at).where(
            EmbItem.answered_at >= now - timedelta(days=ITEM_DAYS),
            EmbItem.dispatched_at.is_not(None),
        )
    )
    for item, dispatched, answered in rows:
        if dispatched is not None and answered is not None:
            hours.setdefault(item, []).append((answered - dispatched).total_seconds() / 3600)
    out = []
    for item, taken in hours.items():
        if not taken:
            out.append(ItemTime(item, 0, 0.0, 0.0))
            continue
        tenth = statistics.quantiles(taken, n=10)[-1] if len(taken) > 1 else taken[0]
        out.append(ItemTime(item, len(taken), statistics.median(taken), tenth))
    return out


async def ratings_page(request: web.Request, *, error: str | None = None) -> web.Response:
    """Every rating with its follow-up; the clerk closes the open follow-ups here."""
    need(request, CLERK, SUPERVISOR)
    console = console_of(request)
    size = console.settings.page_size
    found, summary = await console.db.run(_ratings, console.clock(), position_of(request), size)
    rows = found.rows
    edges = (rows[0].case_number, rows[-1].case_number) if rows else None
    return render(
        request,
        "ratings.html",
        status=400 if error else 200,
        rows=rows,
        summary=summary,
        pager=pager("/ratings", {}, found, edges, max(1, -(-summary["total"] // size))),
        levels=reports.LEVEL_ZH,
        error=error,
    )


def _ratings(
    session: Session, now: datetime, at: Position, size: int
) -> tuple[Window[reports.RatingRow], dict[str, Any]]:
    """One page of ratings, and the counts of all of them (a bounded number of statements)."""
    summary = reports.rating_summary(session, now=now)
    found = reports.ratings_page(session, now=now, at=at, size=size, total=summary["total"])
    return found, summary


async def close_followup_action(request: web.Request) -> web.StreamResponse:
    who = need(request, CLERK)
    console = console_of(request)
    form = await request.post()
    outcome = str(form.get("outcome", "")).strip()
    if not outcome:
        return await ratings_page(request, error=console.tr("web.ratings.outcome_needed"))
    try:
        await console.db.run(
            close_followup,
            int(request.match_info["task"]),
            outcome,
            who.username,
            at=console.clock(),
        )
    except (LookupError, ValueError):
        return await ratings_page(request, error=console.tr("web.ratings.already_closed"))
    raise web.HTTPSeeOther("/ratings?done=1")
