"""The contract's server side (aiohttp.web): the embedded platform exposed over HTTP, and our
callback endpoint that receives the platform's events.

Every request must carry a valid HMAC signature over method, path, timestamp, nonce and body
hash; a stale timestamp or a nonce seen before is refused before anything changes. The nonce
is recorded in the same transaction as the change it authorises, so a replay that races the
original fails on the nonce's primary key and changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.db import Database
from cases.errors import IllegalTransition
from cases.files import FileStore
from cases.models.platform import SeenNonce
from cases.platform.events import PlatformEvent
from cases.platform.fit import EventDoesNotFit
from cases.platform.handlers import apply_event
from cases.platform.port import (
    PlatformRejected,
    SubmitRequest,
    SupplementRequest,
    UnknownCase,
)
from integrations.platform import limits, request_checks, wire
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.limits import WireError
from integrations.platform.page_fetch import PageFetcher, PageNotFetched
from integrations.platform.page_route import add_page_route
from integrations.platform.signing import IDEMPOTENCY_KEY, SignatureError, verify
from integrations.platform.wire_events import event_from_json

log = logging.getLogger(__name__)

CALLBACK_PATH = "/v1/callbacks/events"
MAX_BODY = limits.MAX_BODY_BYTES
T = TypeVar("T")


@dataclass(frozen=True)
class Security:
    """The shared secret and the freshness window of one side. `clock` gives Unix seconds."""

    secret: bytes
    max_age_seconds: int = 300
    clock: Callable[[], float] = time.time


def remember_nonce(
    session: Session, namespace: str, nonce: str, at: datetime, max_age_seconds: int
) -> None:
    """Record a nonce, refusing one already seen; forget nonces older than twice the window
    (a request that old is refused for its timestamp anyway)."""
    key = f"{namespace}:{nonce}"
    if session.get(SeenNonce, key) is not None:
        raise SignatureError("replayed_nonce")
    session.execute(
        delete(SeenNonce).where(SeenNonce.seen_at < at - timedelta(seconds=2 * max_age_seconds))
    )
    session.add(SeenNonce(nonce=key, seen_at=at))
    session.flush()


def _error(status: int, code: str, message: str = "") -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


class _Signed:
    """Verify a request and run its work in one transaction with the nonce."""

    def __init__(self, db: Database, security: Security, namespace: str) -> None:
        self.db, self.security, self.namespace = db, security, namespace

    async def __call__(
        self,
        request: web.Request,
        parse: Callable[[bytes], T],
        work: Callable[[Session, T], Any],
        prepare: Callable[[T], Awaitable[Any]] | None = None,
    ) -> tuple[Any, web.Response | None]:
        """Signature first (401), then the body's limits and shape (`parse`: 400/413/422), then
        `prepare` (the pages fetched: 503 when they cannot be), then `work` with the nonce in
        one transaction (404/409/422 change nothing)."""
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return None, _error(413, limits.BodyTooLarge.code, f"limit {MAX_BODY} bytes")
        now = self.security.clock()
        try:
            verified = verify(
                self.security.secret,
                request.method,
                request.path_qs,
                request.headers,
                body,
                now,
                self.security.max_age_seconds,
            )
        except SignatureError as exc:
            log.warning("refused %s %s: %s", request.method, request.path, exc.code)
            return None, _error(401, exc.code)
        try:
            parsed = parse(body)
        except WireError as exc:
            log.warning("refused %s %s: %s", request.method, request.path, exc.code)
            return None, _error(exc.status, exc.code, str(exc))
        if prepare is not None:
            try:
                await prepare(parsed)
            except PageNotFetched as exc:
                log.warning("pages of %s not fetched: %s", request.path, exc)
                return None, _error(503, "pages_unavailable", str(exc))
            except WireError as exc:
                return None, _error(exc.status, exc.code, str(exc))
        at = datetime.fromtimestamp(now, UTC)

        def unit(session: Session) -> Any:
            remember_nonce(
                session, self.namespace, verified.nonce, at, self.security.max_age_seconds
            )
            return work(session, parsed)

        try:
            try:
                return await self.db.run(unit), None
            except IntegrityError:
                # A concurrent twin: either the same nonce (a replay) or the same idempotency
                # key; run once more to find out which.
                return await self.db.run(unit), None
        except SignatureError as exc:
            return None, _error(401, exc.code)
        except WireError as exc:
            return None, _error(exc.status, exc.code, str(exc))
        except ValueError as exc:
            return None, _error(422, "invalid", str(exc))
        except UnknownCase as exc:
            return None, _error(404, "unknown_case", exc.message)
        except PlatformRejected as exc:
            return None, _error(409, exc.code, exc.message)
        except EventDoesNotFit as exc:
            log.warning("refused event: %s", exc.code)
            return None, _error(409, exc.code, exc.message)
        except IllegalTransition as exc:
            return None, _error(409, "illegal_transition", str(exc))


def _body(raw: bytes) -> dict[str, Any]:
    """A platform route's body: a JSON object within the transport limits."""
    return limits.parse_object(raw)


def _event(raw: bytes) -> PlatformEvent:
    """The callback's body: one event within the event limits (integrations.platform.limits)."""
    return event_from_json(limits.parse_object(raw, limits.MAX_EVENT_BODY_BYTES))


def add_platform_routes(
    app: web.Application,
    platform: EmbeddedPlatform,
    security: Security,
    fetcher: PageFetcher | None = None,
) -> None:
    """POST /v1/cases, POST /v1/cases/{n}/withdraw, POST /v1/cases/{n}/supplements,
    GET /v1/cases/{n}: the embedded platform behind the contract. With a `fetcher`, the pages
    a request names by URL are fetched into this side's store first."""
    signed = _Signed(platform.db, security, "platform")

    async def submit(request: web.Request) -> web.Response:
        key = request.headers.get(IDEMPOTENCY_KEY, "")
        if not key:
            return _error(400, "missing_idempotency_key")
        local: dict[str, str] = {}

        async def fetch(req: SubmitRequest) -> None:
            if fetcher is not None:
                local.update(await fetcher.of_submission(req))

        receipt, failure = await signed(
            request,
            lambda raw: wire.submit_from_json(_body(raw), key),
            lambda s, req: platform.record_submission(s, req, local),
            fetch,
        )
        if failure:
            return failure
        return web.json_response(
            wire.receipt_to_json(receipt), status=200 if receipt.duplicate else 201
        )

    async def withdraw(request: web.Request) -> web.Response:
        number = request.match_info["number"]
        _, failure = await signed(
            request,
            lambda raw: request_checks.check_withdrawal(_body(raw)),
            lambda s, reason: platform.record_withdrawal(s, number, reason),
        )
        return failure or web.json_response({"case_number": number, "status": "withdrawn"})

    async def supplement(request: web.Request) -> web.Response:
        key = request.headers.get(IDEMPOTENCY_KEY, "")
        if not key:
            return _error(400, "missing_idempotency_key")
        number = request.match_info["number"]
        local: dict[str, str] = {}

        async def fetch(req: SupplementRequest) -> None:
            if fetcher is not None:
                local.update(await fetcher.of_supplement(req))

        receipt, failure = await signed(
            request,
            lambda raw: wire.supplement_from_json(number, _body(raw), key),
            lambda s, req: platform.record_supplement(s, req, local),
            fetch,
        )
        if failure:
            return failure
        return web.json_response(
            wire.supplement_receipt_to_json(receipt), status=200 if receipt.duplicate else 201
        )

    async def status(request: web.Request) -> web.Response:
        number = request.match_info["number"]
        result, failure = await signed(
            request, _body, lambda s, _: platform.case_status(s, number)
        )
        return failure or web.json_response(wire.status_to_json(result))

    app.router.add_post("/v1/cases", submit)
    app.router.add_post("/v1/cases/{number}/withdraw", withdraw)
    app.router.add_post("/v1/cases/{number}/supplements", supplement)
    app.router.add_get("/v1/cases/{number}", status)


def add_callback_route(app: web.Application, db: Database, security: Security) -> None:
    """POST /v1/callbacks/events: our side; verifies, refuses replays, applies the event."""
    signed = _Signed(db, security, "callback")

    async def callback(request: web.Request) -> web.Response:
        applied, failure = await signed(request, _event, apply_event)
        return failure or web.json_response({"applied": bool(applied)})

    app.router.add_post(CALLBACK_PATH, callback)


def build_app(
    *,
    platform: EmbeddedPlatform | None = None,
    callback_db: Database | None = None,
    files: FileStore | None = None,
    fetcher: PageFetcher | None = None,
    security: Security,
    on_startup: list[Callable[[web.Application], Awaitable[None]]] | None = None,
) -> web.Application:
    """One aiohttp application: the platform side, our callback side, or both."""
    app = web.Application(client_max_size=MAX_BODY)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", health)
    if platform is not None:
        add_platform_routes(app, platform, security, fetcher)
    if callback_db is not None:
        add_callback_route(app, callback_db, security)
        if files is not None:  # our pages, by the signed URLs our submissions carry
            add_page_route(app, callback_db, files, security.secret, security.clock)
    for hook in on_startup or []:
        app.on_startup.append(hook)
    return app
