"""The window clerk: the queue (one query per page), the whole case with every page as a
picture (`materials.py`), accept or return with a reason per material, and the task list."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from aiohttp import web

from aftercare.reports import notice_rows, notice_status
from aftercare.staff_copies import available, staff_copy
from cases.birth_date import archive_birth_date_found
from cases.models.platform import OPEN_STATUSES
from cases.repositories.case_records import find_case_by_number
from cases.tasks import TaskError, task_page
from cases.tasks import close_task as close
from integrations.platform.embedded.core import ENDED
from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.queue_page import queue_page_rows
from policy.towns import load_towns
from staffweb.accounts import CLERK
from staffweb.core import (
    Refused,
    console_of,
    done_notice,
    need,
    pager,
    position_of,
    refusal_for,
    render,
)
from staffweb.materials import material_views
from staffweb.returns import ReturnProblem, issues_from_form
from staffweb.walk_in import walk_in_note


async def queue_page(request: web.Request) -> web.StreamResponse:
    need(request, CLERK)
    console = console_of(request)
    search = request.query.get("q", "")[:40]
    status = request.query.get("status", "")
    result = await console.db.run(
        queue_page_rows,
        console.clock(),
        at=position_of(request),
        size=console.settings.page_size,
        search=search,
        status=status,
    )
    lines = result.lines
    return render(
        request,
        "queue.html",
        queue=result,
        pager=pager(
            "/queue",
            {"q": search, "status": status},
            result,
            (lines[0].case_number, lines[-1].case_number) if lines else None,
            result.pages,
            result.more,
        ),
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
    end = await console.db.run(notice_status, number)
    documents = await console.db.run(available, number)
    return render(
        request,
        "clerk_case.html",
        status=400 if error else 200,
        view=view,
        end_rows=notice_rows(end) if end is not None and end["notice_sha256"] else [],
        documents=documents,
        form_rows=console.labels.form_rows(view.fields, mask_id=True),
        materials=await material_views(request, view),
        mark_pages=view.status == "received",
        walk_in=await console.db.run(walk_in_note, view.case_number),
        routable=_routable(console.platform.items, view.items),
        towns=[t for t in load_towns() if t.office is not None],
        birth_date_open=view.stage not in ENDED,  # a closed case's result stays as signed
        error=error,
        done=None if error else done_notice(request),
    )


def _routable(items: Any, states: Any) -> bool:
    """Whether the clerk may (re)assign the town: the town-routed item is not answered yet."""
    routed = {d.code for d in items if d.office_routed_by is not None}
    return any(s.item in routed and s.status in ("waiting", "pending") for s in states)


async def document(request: web.Request) -> web.StreamResponse:
    """`/cases/<number>/documents/notice|signed`: the PDF the applicant was sent, or signed;
    the clerk's only (an office sees its own item, the notice holds them all), audited."""
    who = need(request, CLERK)
    console = console_of(request)
    number, which = request.match_info["number"], request.path.rsplit("/", 1)[-1]
    found = await console.db.run(staff_copy, number, which, who.actor)
    if found is None or not console.files.exists(found.address):
        raise Refused(404, console.tr("web.error.no_document"))
    body = await asyncio.to_thread(console.files.read, found.address)  # decrypting: off the loop
    disposition = f"attachment; filename*=UTF-8''{quote(found.file_name)}"
    return web.Response(
        body=body,
        headers={"Content-Type": "application/pdf", "Content-Disposition": disposition},
    )


async def route(request: web.Request) -> web.StreamResponse:
    """The clerk assigns the applicant's town: the community registration goes there."""
    who = need(request, CLERK)
    console = console_of(request)
    number = request.match_info["number"]
    form = await request.post()
    try:
        await console.db.run(
            console.platform.route_to_town, number, str(form.get("town", "")), who.actor
        )
    except StaffError as exc:
        if exc.code in ("unknown_case", "bad_case_number"):
            raise refusal_for(exc, office=False, tr=console.tr) from exc
        return await case_page(request, error=exc.message)
    raise web.HTTPSeeOther(f"/cases/{number}?done=routed")


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
    """Return for correction: a reason per material, and pages marked one by one
    (`returns.py`)."""
    who = need(request, CLERK)
    console = console_of(request)
    number = request.match_info["number"]
    form = await request.post()
    try:
        view = await console.db.run(console.platform.show, number, who.actor, None)
    except StaffError as exc:
        raise refusal_for(exc, office=False, tr=console.tr) from exc
    laid_out = await material_views(request, view)
    addresses = {code: list(m.get("sha256") or []) for code, m in view.materials.items()}
    names = {m.code: console.labels.material(m.code) for m in laid_out}
    try:
        issues = issues_from_form(form, laid_out, addresses, console.tr, names)
        await console.db.run(console.platform.return_for_correction, number, issues, who.actor)
    except ReturnProblem as exc:
        return await case_page(request, error=exc.message)
    except StaffError as exc:
        if exc.code in ("unknown_case", "bad_case_number"):
            raise refusal_for(exc, office=False, tr=console.tr) from exc
        return await case_page(request, error=exc.message)
    raise web.HTTPSeeOther(f"/cases/{number}?done=returned")


async def birth_date(request: web.Request) -> web.StreamResponse:
    """The clerk enters the birth date on file; one differing from the ID card's re-computes
    the statutory month and raises the task (`cases.birth_date`)."""
    who = need(request, CLERK)
    console = console_of(request)
    number = request.match_info["number"]
    value = str((await request.post()).get("archive_birth_date", "")).strip()
    try:
        await console.db.run(_enter_birth_date, console, number, value, who.actor)
    except StaffError as exc:
        if exc.code in ("unknown_case", "bad_case_number"):
            raise refusal_for(exc, office=False, tr=console.tr) from exc
        return await case_page(request, error=exc.message)
    raise web.HTTPSeeOther(f"/cases/{number}?done=birth_date")


def _enter_birth_date(session: Any, console: Any, number: str, value: str, actor: str) -> None:
    console.platform.enter_archive_birth_date(session, number, value, actor)
    case = find_case_by_number(session, number.strip().upper())
    if case is not None:
        source = console.tr("web.clerk.birth_date_source")
        archive_birth_date_found(session, case, value, source, actor, at=console.clock())


async def tasks_page(request: web.Request, *, error: str | None = None) -> web.StreamResponse:
    who = need(request, CLERK)
    console = console_of(request)
    size = console.settings.page_size
    found, counted = await console.db.run(
        task_page, who.actor, None, at=console.clock(), start=position_of(request), size=size
    )
    rows = found.rows
    edges = (str(rows[0].id), str(rows[-1].id)) if rows else None
    pages = max(1, -(-counted.total // size))
    return render(
        request,
        "tasks.html",
        status=400 if error else 200,
        tasks=rows,
        pager=pager("/tasks", {}, found, edges, pages, counted.more),
        error=error,
    )


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
