"""The clerk's walk-in registration (`/walk-in`): a worker at the window, the clerk types the
form and uploads the scanned pages; the case is filed as a chat's would be (`registration.py`)
and the receipt shows its number and the one-time code to print for the worker, who may send
it to the bot (`/start CODE`) to follow the case in Telegram."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.filecheck import check_file
from cases.models import Applicant, Case, WalkInLink
from cases.platform.delivery import drain_platform_outbox
from cases.walk_in import LINK_DAYS, WINDOW_CHANNEL, printed
from dialogs.engine.keys import problem_key
from policy.materials import MATERIAL_CODES
from policy.towns import load_towns
from staffweb.accounts import CLERK
from staffweb.core import console_of, need, render
from staffweb.registration import CHOICES, LOSABLE, Reading, Stored, read_form, register


def _form_page(
    request: web.Request, *, typed: Any = None, problems: list[str] | None = None
) -> web.Response:
    return render(
        request,
        "walk_in.html",
        status=400 if problems else 200,
        typed=typed or {},
        problems=problems or [],
        choices=CHOICES,
        towns=[t.name_zh for t in load_towns()],
        materials=MATERIAL_CODES,
        losable=LOSABLE,
    )


async def walk_in_page(request: web.Request) -> web.StreamResponse:
    need(request, CLERK)
    return _form_page(request)


def _uploads(posted: Any) -> list[tuple[str, FileField]]:
    return [
        (code, f)
        for code in MATERIAL_CODES
        for f in posted.getall(f"file.{code}", [])
        if isinstance(f, FileField) and f.filename
    ]


def _check_and_store(
    console: Any, uploads: list[tuple[str, FileField]]
) -> tuple[list[Stored], list[str]]:
    """Check every file as the chat does, and store the good ones (encrypted)."""
    stored: list[Stored] = []
    problems: list[str] = []
    for code, upload in uploads:
        data = upload.file.read(console.files.max_bytes + 1)
        check = check_file(data, upload.filename, upload.content_type, console.files.max_bytes)
        if not check.ok or check.cleaned is None:
            key = problem_key(check.problem or "")
            problems.append(
                console.tr(
                    "web.walk_in.bad_file",
                    file=upload.filename,
                    material=console.labels.material(code),
                    why=console.tr(f"dialogs.retake.{key}"),
                )
            )
            continue
        stored.append(Stored(code, console.files.put(check.cleaned), check))
    return stored, problems


def walk_in_note(session: Session, number: str) -> str | None:
    """For the clerk's case page: "unlinked" for a walk-in whose worker has no chat (every
    notice must be told by phone or at the window), "linked" once taken over, else None."""
    row = session.execute(
        select(Applicant.channel, WalkInLink.claimed_at)
        .select_from(Case)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .outerjoin(WalkInLink, WalkInLink.case_id == Case.id)
        .where(Case.number == number)
    ).first()
    if row is None:
        return None
    if row.channel == WINDOW_CHANNEL:
        return "unlinked"
    return "linked" if row.claimed_at is not None else None


async def walk_in_submit(request: web.Request) -> web.StreamResponse:
    who = need(request, CLERK)
    console = console_of(request)
    posted = await request.post()
    reading: Reading = read_form(posted, console.tr, console.clock().date())
    lost = [c for c in LOSABLE if posted.get(f"lost.{c}")]
    uploads = _uploads(posted)
    problems = list(reading.problems)
    if not any(code == "id_card" for code, _ in uploads):
        problems.append(console.tr("web.walk_in.id_card_needed"))
    if problems:
        return _form_page(request, typed=posted, problems=problems)
    stored, bad = await asyncio.get_running_loop().run_in_executor(
        None, _check_and_store, console, uploads
    )
    if bad:
        return _form_page(request, typed=posted, problems=bad)
    number, code = await console.db.run(
        register, reading, stored, lost, who.actor, at=console.clock()
    )
    # Delivered now, as the relay would a moment later: the case is on the queue at once.
    await drain_platform_outbox(console.db, console.platform, now=console.clock)
    return render(
        request,
        "walk_in_done.html",
        number=number,
        code=printed(code),
        days=LINK_DAYS,
        pages=len(stored),
    )
