"""What every page of the console shares: the console's parts, the logged-in account, the
templates, role checks and plain Chinese refusals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.settings import WebSettings
from cases.db import Database
from cases.files import FileStore
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


def page_number(request: web.Request) -> int:
    """`?page=N` of a list page: 1 for anything that is not a positive number."""
    try:
        return max(1, int(request.query.get("page", "1")))
    except ValueError:
        return 1


def render(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    console = console_of(request)
    who = request.get(WHO)
    html = console.templates.get_template(template).render(
        who=who, csrf=who.csrf_token if isinstance(who, Who) else "", **context
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


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
