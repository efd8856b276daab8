"""What every page of the console shares: the console's parts, the logged-in account, the
templates, role checks and plain Chinese refusals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.settings import WebSettings
from cases.db import Database
from cases.files import FileStore
from cases.keyset import Paged, Position
from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.labels import Labels, local
from locales import Translator
from staffweb.accounts import Who
from staffweb.renderer import PageRenderer

SESSION_COOKIE = "staff_session"
LOGIN_CSRF_COOKIE = "staff_login_csrf"


@dataclass
class Console:
    """The console's dependencies, taken from the composition root (`runtime.services`)."""

    db: Database
    files: FileStore
    platform: EmbeddedPlatform
    settings: WebSettings
    clock: Callable[[], datetime]
    tr: Translator = field(default_factory=lambda: Translator("zh_CN"))
    renderer: PageRenderer = field(init=False)

    def __post_init__(self) -> None:
        self.renderer = PageRenderer(self.files)
        self.labels = Labels(self.tr)
        self.templates = Environment(
            loader=PackageLoader("staffweb", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
        )
        self.templates.globals.update(t=self.tr, L=self.labels, local=local)


CONSOLE = web.AppKey("console", Console)
WHO = web.RequestKey("who", Who)  # the logged-in account of a request


def console_of(request: web.Request) -> Console:
    return request.app[CONSOLE]


def who_of(request: web.Request) -> Who:
    who = request.get(WHO)
    assert isinstance(who, Who), "a protected route without a session"
    return who


def position_of(request: web.Request) -> Position:
    """Where a list page starts (`cases.keyset`): `?after=<row>` (下一页), `?before=<row>`
    (上一页), `?last=1` (末页), each with the page's number where known, or `?page=N`; the
    first page for anything else. A row is named as staff read it (a case or task number)."""
    query = request.query
    try:
        page: int | None = max(1, int(query.get("page", "")))
    except ValueError:
        page = None
    if query.get("last"):
        return Position(last=True, page=None)
    after, before = query.get("after", "").strip()[:40], query.get("before", "").strip()[:40]
    if after or before:
        return Position(after=after or None, before=None if after else before, page=page)
    return Position(page=page or 1)


@dataclass(frozen=True)
class Pager:
    """The links under a list (首页, 上一页, 下一页, 末页, each None where there is nowhere to
    go), and the page's number and the count of pages where they are known."""

    first: str | None
    prev: str | None
    next: str | None
    last: str | None
    page: int | None
    pages: int
    more: bool  # the count stopped at its cap: the number of pages is not known


def pager(
    path: str,
    keep: dict[str, str],
    window: Paged,
    rows: tuple[str, str] | None,
    pages: int,
    more: bool = False,
) -> Pager:
    """The pager of a page read from `window`: `rows` names its first and last row (None for
    an empty page), `keep` the query the links carry on (a search, a filter)."""
    kept = {k: v for k, v in keep.items() if v}

    def link(**where: Any) -> str:
        return f"{path}?{urlencode({**kept, **where})}" if kept or where else path

    page = window.page
    back = {} if page is None else {"page": page - 1}
    on = {} if page is None else {"page": page + 1}
    return Pager(
        first=link() if window.earlier else None,
        prev=link(before=rows[0], **back) if window.earlier and rows else None,
        next=link(after=rows[1], **on) if window.later and rows else None,
        last=link(last=1) if window.later else None,
        page=page,
        pages=pages,
        more=more,
    )


def render(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    console = console_of(request)
    who = request.get(WHO)
    html = console.templates.get_template(template).render(
        who=who, csrf=who.csrf_token if isinstance(who, Who) else "", **context
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def done_notice(request: web.Request) -> str | None:
    """The confirmation a page shows after an action sent the browser back to it: the action
    names itself in `?done=` (accepted, returned, ... or the item an office answered)."""
    console = console_of(request)
    done = request.query.get("done", "")
    if any(d.code == done for d in console.platform.items):
        return console.tr("web.done.answered", item=console.labels.item(done))
    key = f"web.done.{done}"
    return console.tr(key) if done not in ("", "answered") and console.tr.has(key) else None


class Refused(web.HTTPException):
    """A refusal shown as a plain Chinese page with its status (403, 404, 400 ...)."""

    def __init__(self, status: int, message: str) -> None:
        self.status_code = status
        super().__init__(text=message)
        self.message = message


def need(request: web.Request, *roles: str) -> Who:
    """The account, if its role is one of `roles` ("office" for any office); else 403."""
    who = who_of(request)
    if who.role in roles or ("office" in roles and who.office is not None):
        return who
    raise Refused(403, console_of(request).tr("web.error.forbidden"))


def refusal_for(exc: StaffError, *, office: bool, tr: Translator) -> Refused:
    """A platform refusal as a page: an office never learns whether another office's case
    exists (403 either way); the clerk gets 404 for a wrong number."""
    if exc.code in ("not_for_office", "wrong_office", "unknown_item") or (
        office and exc.code in ("unknown_case", "bad_case_number", "item_not_in_case")
    ):
        return Refused(403, tr("web.error.not_yours"))
    if exc.code in ("unknown_case", "bad_case_number"):
        return Refused(404, exc.message)
    return Refused(409, exc.message)
