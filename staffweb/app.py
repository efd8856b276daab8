"""The console's aiohttp application: log-in and sessions, CSRF, the audit of every request,
security headers, and the routes of each role.

Framework: aiohttp (already the project's HTTP server and client, so no second server stack)
with plain Jinja2 templates (autoescaped); forms are plain HTML posts. The one script,
`static/viewer.js`, only zooms and rotates material pages; every page works without it.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select

from app.metrics import WEB_REQUESTS
from cases.models import Case
from cases.repositories.audit import audit
from staffweb import accounts, clerk, figures, materials, offices, supervisor, walk_in
from staffweb.accounts import CLERK, SUPERVISOR
from staffweb.core import (
    CONSOLE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    WHO,
    Console,
    Refused,
    console_of,
    render,
    who_of,
)

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# The status routes (runtime/status.py, added by `main.py web`) answer without a session:
# probes and the Prometheus scraper log in nowhere, and they show no person.
PUBLIC = frozenset(
    {"/login", "/favicon.ico", "/static/viewer.js", "/healthz", "/readyz", "/metrics"}
)
UPLOAD_MAX_BYTES = 100 * 1024 * 1024  # one walk-in's scans, all materials together
PUBLIC_MAX_BYTES = 64 * 1024
# The one script of the console: zoom and rotate for material pages (no build step).
VIEWER_JS = (Path(__file__).parent / "static" / "viewer.js").read_bytes()
SECURITY_HEADERS = {
    "Cache-Control": "no-store",  # every page and picture holds personal data
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self'; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
}


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Session, CSRF, refusals as pages, the audit row and the security headers."""
    console = console_of(request)
    response: web.StreamResponse
    try:
        response = await _guarded(request, handler, console)
    except Refused as exc:
        response = render(request, "error.html", status=exc.status_code, message=exc.message)
    except web.HTTPException as exc:
        if exc.status_code < 400:  # a redirect after an action, or to the log-in page
            await _audit(request, console, exc.status_code)
            exc.headers.update(SECURITY_HEADERS)
            raise
        response = render(request, "error.html", status=exc.status_code, message=exc.reason)
    await _audit(request, console, response.status)
    response.headers.update(SECURITY_HEADERS)
    WEB_REQUESTS.labels(request.method, f"{response.status // 100}xx").inc()
    return response


async def _audit(request: web.Request, console: Console, status: int) -> None:
    who = request.get(WHO)
    if isinstance(who, accounts.Who):
        await console.db.run(_audit_request, request, who, status)


async def _guarded(request: web.Request, handler: Handler, console: Console) -> web.StreamResponse:
    if request.path in PUBLIC:
        if (request.content_length or 0) > PUBLIC_MAX_BYTES:
            raise web.HTTPRequestEntityTooLarge(PUBLIC_MAX_BYTES, request.content_length or 0)
        return await handler(request)
    token = request.cookies.get(SESSION_COOKIE)
    who = None
    if token:
        who = await console.db.run(
            accounts.resume, token, at=console.clock(), idle_minutes=console.settings.idle_minutes
        )
    if who is None:
        target = "/login?expired=1" if token else "/login"
        response = web.HTTPSeeOther(target)
        if token:
            response.del_cookie(SESSION_COOKIE, path="/")
        raise response
    request[WHO] = who
    if request.method not in ("GET", "HEAD"):
        form = await request.post()
        sent = str(form.get("csrf_token", ""))
        if not sent or not hmac.compare_digest(sent, who.csrf_token):
            raise Refused(403, console.tr("web.error.csrf"))
    return await handler(request)


def _audit_request(session: Any, request: web.Request, who: accounts.Who, status: int) -> None:
    """Every page and action an account opens: the account, the address, the answer."""
    number = request.match_info.get("number")
    case_id = session.scalar(select(Case.id).where(Case.number == number)) if number else None
    action = "web.view" if request.method in ("GET", "HEAD") else "web.action"
    detail: dict[str, Any] = {"path": request.path, "status": status, "role": who.role}
    audit(session, who.actor, action, case_id=case_id, detail=detail)


# --- log-in and log-out ----------------------------------------------------------------------


async def no_icon(request: web.Request) -> web.StreamResponse:
    return web.Response(status=204)


async def viewer_js(request: web.Request) -> web.StreamResponse:
    return web.Response(body=VIEWER_JS, content_type="text/javascript", charset="utf-8")


async def login_page(request: web.Request) -> web.StreamResponse:
    return _login_form(request, message=_login_notice(request))


def _login_notice(request: web.Request) -> str | None:
    tr = console_of(request).tr
    return tr("web.login.expired") if request.query.get("expired") else None


def _login_form(request: web.Request, *, message: str | None, status: int = 200) -> web.Response:
    # One token per browser: a second load of the form (another tab, or the browser's own
    # /favicon.ico request sent to the log-in page) must not void the form already shown.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", status=status, message=message, login_csrf=token)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=console_of(request).settings.secure_cookie,
        path="/login",
    )
    return response


async def login_submit(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    form = await request.post()
    sent = str(form.get("csrf_token", ""))
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        return _login_form(request, message=console.tr("web.error.csrf"), status=403)
    result = await console.db.run(
        accounts.login,
        str(form.get("username", "")),
        str(form.get("password", "")),
        at=console.clock(),
        failures=console.settings.lockout_failures,
        lock_minutes=console.settings.lockout_minutes,
    )
    if result.token is None:
        message = console.tr(
            f"web.login.{result.refusal}", minutes=console.settings.lockout_minutes
        )
        return _login_form(request, message=message, status=401)
    response = web.HTTPSeeOther("/")
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        samesite="Strict",
        secure=console.settings.secure_cookie,
        path="/",
    )
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    await console.db.run(accounts.logout, token, at=console.clock())
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


async def home(request: web.Request) -> web.StreamResponse:
    who = who_of(request)
    if who.role == CLERK:
        raise web.HTTPSeeOther("/queue")
    if who.role == SUPERVISOR:
        raise web.HTTPSeeOther("/supervisor")
    raise web.HTTPSeeOther("/inbox")


async def case_page(request: web.Request) -> web.StreamResponse:
    """`/cases/<case number>`: the clerk's whole case, or an office's own items."""
    who = who_of(request)
    if who.role == CLERK:
        return await clerk.case_page(request)
    if who.office is not None:
        return await offices.case_page(request)
    raise Refused(403, console_of(request).tr("web.error.forbidden"))


def make_app(console: Console) -> web.Application:
    # Walk-in registration uploads scans (20 MB a file at most, checked one by one); the
    # log-in form, open to anyone, is refused past PUBLIC_MAX_BYTES before it is read.
    app = web.Application(middlewares=[guard], client_max_size=UPLOAD_MAX_BYTES)
    app[CONSOLE] = console

    async def stop_renderer(_: web.Application) -> None:
        console.renderer.close()

    app.on_cleanup.append(stop_renderer)
    app.router.add_get("/favicon.ico", no_icon)
    app.router.add_get("/static/viewer.js", viewer_js)
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", home)
    app.router.add_get("/queue", clerk.queue_page)
    app.router.add_get("/walk-in", walk_in.walk_in_page)
    app.router.add_post("/walk-in", walk_in.walk_in_submit)
    app.router.add_get("/tasks", clerk.tasks_page)
    app.router.add_post("/tasks/{task:\\d+}/done", clerk.close_task)
    app.router.add_get("/cases/{number}", case_page)
    app.router.add_post("/cases/{number}/accept", clerk.accept)
    app.router.add_post("/cases/{number}/return", clerk.return_case)
    app.router.add_post("/cases/{number}/route", clerk.route)
    app.router.add_post("/cases/{number}/birth-date", clerk.birth_date)
    app.router.add_get("/cases/{number}/documents/notice", clerk.document)
    app.router.add_get("/cases/{number}/documents/signed", clerk.document)
    app.router.add_get("/cases/{number}/materials/{code}/{file:\\d+}", materials.original_file)
    app.router.add_get(
        "/cases/{number}/materials/{code}/{file:\\d+}/{page:\\d+}", materials.pdf_page
    )
    app.router.add_get("/inbox", offices.inbox_page)
    app.router.add_post("/cases/{number}/items/{item}/answer", offices.answer)
    app.router.add_get("/supervisor", supervisor.overview_page)
    app.router.add_get("/ratings", figures.ratings_page)
    app.router.add_post("/ratings/{task:\\d+}/followup", figures.close_followup_action)
    return app
