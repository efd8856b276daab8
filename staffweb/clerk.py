"""The window clerk: the queue (one query per page), the whole case with every page as a
picture, accept or return with a reason per material, and the task list.

The material pages are also served here, to the clerk and to an office whose item may see the
material (`EmbeddedPlatform.show` decides, the same least privilege as everywhere else)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from cases.models.platform import EmbCase, EmbItem
from cases.platform.events import MaterialIssue
from cases.tasks import TaskError, list_tasks
from cases.tasks import close_task as close
from integrations.platform.embedded import StaffError
from integrations.platform.embedded.sealing import applicant_label
from staffweb.accounts import CLERK
from staffweb.core import Refused, console_of, need, refusal_for, render

OPEN_STATUSES = ("received", "returned", "accepted")
_MIME_OK = {"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"}


@dataclass(frozen=True)
class QueueLine:
    case_number: str
    status: str
    received_at: datetime
    applicant: str  # name and masked ID number
    overdue: bool


@dataclass(frozen=True)
class QueuePage:
    lines: list[QueueLine]
    total: int
    page: int
    pages: int


def queue_page_rows(
    session: Session,
    now: datetime,
    *,
    page: int = 1,
    size: int = 50,
    search: str = "",
    status: str = "",
) -> QueuePage:
    """One page of open cases, overdue first, then oldest first: one query (the total comes
    with the rows, by a window function), whatever the number of cases."""
    overdue = exists().where(
        and_(
            EmbItem.case_number == EmbCase.case_number,
            EmbItem.status == "pending",
            EmbItem.due_at < now,
        )
    )
    late = case((overdue, 1), else_=0)
    statuses = (status,) if status in OPEN_STATUSES else OPEN_STATUSES
    keys = select(
        EmbCase.case_number.label("number"),
        late.label("overdue"),
        func.count().over().label("total"),  # the total, in the same statement
    ).where(EmbCase.status.in_(statuses))
    wanted = search.strip().upper()
    if wanted:
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        keys = keys.where(EmbCase.case_number.like(f"%{escaped}%", escape="\\"))
    page = max(page, 1)
    # Sort and count narrow rows (number, flag), then read the page's forms only: a deferred
    # join, one statement.
    ordered = (
        keys.order_by(late.desc(), EmbCase.received_at, EmbCase.case_number)
        .limit(size)
        .offset((page - 1) * size)
        .subquery("page")
    )
    query = (
        select(
            EmbCase.case_number,
            EmbCase.status,
            EmbCase.received_at,
            EmbCase.form,
            ordered.c.overdue,
            ordered.c.total,
        )
        .join(ordered, ordered.c.number == EmbCase.case_number)
        .order_by(ordered.c.overdue.desc(), EmbCase.received_at, EmbCase.case_number)
    )
    rows = session.execute(query).all()
    found = rows[0].total if rows else 0
    lines = [
        QueueLine(r.case_number, r.status, r.received_at, applicant_label(r.form), bool(r.overdue))
        for r in rows
    ]
    return QueuePage(lines, found, page, max(1, -(-found // size)))


async def queue_page(request: web.Request) -> web.StreamResponse:
    need(request, CLERK)
    console = console_of(request)
    try:
        page = int(request.query.get("page", "1"))
    except ValueError:
        page = 1
    search = request.query.get("q", "")[:40]
    status = request.query.get("status", "")
    result = await console.db.run(
        queue_page_rows,
        console.clock(),
        page=page,
        size=console.settings.page_size,
        search=search,
        status=status,
    )
    return render(
        request,
        "queue.html",
        queue=result,
        search=search,
        status_filter=status,
        statuses=OPEN_STATUSES,
    )


async def case_page(request: web.Request, *, error: str | None = None) -> web.StreamResponse:
    who = need(request, CLERK)
    console = console_of(request)
    number = request.match_info["number"]
    try:
        view = await console.db.run(console.platform.show, number, who.actor, None)
    except StaffError as exc:
        raise refusal_for(exc, office=False, tr=console.tr) from exc
    return render(
        request,
        "clerk_case.html",
        status=400 if error else 200,
        view=view,
        form_rows=console.labels.form_rows(view.fields, mask_id=True),
        materials=_materials(view.materials),
        error=error,
    )


def _materials(materials: dict[str, Any]) -> list[dict[str, Any]]:
    """Each material with its pages numbered from 1 (no hashes), PDF or picture."""
    out = []
    for code, m in materials.items():
        count = len(m.get("sha256") or [])
        out.append(
            {
                "code": code,
                "pages": list(range(1, count + 1)),
                "pdf": m.get("mime") == "application/pdf",
                "lost": bool(m.get("lost")),
                "returned": m.get("returned"),
            }
        )
    return out


async def material_page(request: web.Request) -> web.StreamResponse:
    """One page of a material, to the clerk or an office whose item may see it; 403 for any
    other account, `Cache-Control: no-store` (set for every response of the console)."""
    who = need(request, CLERK, "office")
    console = console_of(request)
    number = request.match_info["number"]
    code = request.match_info["code"]
    index = int(request.match_info["page"])
    try:
        view = await console.db.run(console.platform.show, number, who.actor, who.office)
    except StaffError as exc:
        raise refusal_for(exc, office=who.office is not None, tr=console.tr) from exc
    material = view.materials.get(code)
    if material is None:
        if who.office is not None:
            raise Refused(403, console.tr("web.error.not_yours"))
        raise Refused(404, console.tr("web.error.no_page"))
    hashes = material.get("sha256") or []
    if not 1 <= index <= len(hashes):
        raise Refused(404, console.tr("web.error.no_page"))
    sha = hashes[index - 1]
    if not console.files.exists(sha):
        raise Refused(404, console.tr("web.error.page_missing"))
    mime = str(material.get("mime") or "image/jpeg")
    if mime not in _MIME_OK:
        mime = "application/octet-stream"
    headers = {"Content-Type": mime}
    if mime == "application/pdf" or mime == "application/octet-stream":
        ext = "pdf" if mime == "application/pdf" else "bin"
        headers["Content-Disposition"] = (
            f'attachment; filename="{view.case_number}-{code}-{index}.{ext}"'
        )
    return web.Response(body=console.files.read(sha), headers=headers)


async def accept(request: web.Request) -> web.StreamResponse:
    who = need(request, CLERK)
    console = console_of(request)
    number = request.match_info["number"]
    try:
        await console.db.run(console.platform.accept, number, who.actor)
    except StaffError as exc:
        if exc.code in ("unknown_case", "bad_case_number"):
            raise refusal_for(exc, office=False, tr=console.tr) from exc
        return await case_page(request, error=exc.message)
    raise web.HTTPSeeOther(f"/cases/{number}?done=accepted")


async def return_case(request: web.Request) -> web.StreamResponse:
    """Return for correction: one reason per material that must be sent again."""
    who = need(request, CLERK)
    console = console_of(request)
    number = request.match_info["number"]
    form = await request.post()
    issues = [
        MaterialIssue(key.removeprefix("reason."), str(value).strip())
        for key, value in form.items()
        if key.startswith("reason.") and str(value).strip()
    ]
    if not issues:
        return await case_page(request, error=console.tr("web.clerk.return_needs_reason"))
    try:
        await console.db.run(console.platform.return_for_correction, number, issues, who.actor)
    except StaffError as exc:
        if exc.code in ("unknown_case", "bad_case_number"):
            raise refusal_for(exc, office=False, tr=console.tr) from exc
        return await case_page(request, error=exc.message)
    raise web.HTTPSeeOther(f"/cases/{number}?done=returned")


async def tasks_page(request: web.Request, *, error: str | None = None) -> web.StreamResponse:
    who = need(request, CLERK)
    console = console_of(request)
    rows = await console.db.run(list_tasks, who.actor, None, at=console.clock())
    return render(request, "tasks.html", status=400 if error else 200, tasks=rows, error=error)


async def close_task(request: web.Request) -> web.StreamResponse:
    who = need(request, CLERK)
    console = console_of(request)
    form = await request.post()
    note = str(form.get("note", ""))
    if not note.strip():
        return await tasks_page(request, error=console.tr("web.tasks.note_needed"))
    try:
        await console.db.run(
            close, int(request.match_info["task"]), who.actor, note, at=console.clock()
        )
    except TaskError as exc:
        return await tasks_page(request, error=exc.message)
    raise web.HTTPSeeOther("/tasks?done=1")
