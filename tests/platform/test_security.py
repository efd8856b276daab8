"""The signed contract: a callback with a bad signature, an old timestamp or a reused nonce
changes nothing; the platform refuses unsigned calls; only idempotent calls are retried."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from cases.db import Database
from cases.models import AuditLog, Case, ItemResult, NotificationOutbox
from cases.models.platform import EmbCase, InboxEvent
from cases.platform.events import Accepted, DispatchedItem
from cases.platform.port import PlatformUnavailable, SubmitRequest
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.http_client import HttpPlatformClient
from integrations.platform.http_server import CALLBACK_PATH, Security, build_app
from integrations.platform.signing import signed_headers
from integrations.platform.wire_events import event_to_json
from tests.platform.conftest import FakeClock, submitted_case

SECRET = b"callback-secret"


async def snapshot(db: Database) -> dict[str, Any]:
    """Everything an event could change on our side."""

    def read(session: Any) -> dict[str, Any]:
        count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
        return {
            "statuses": list(session.scalars(select(Case.status))),
            "items": count(ItemResult),
            "pushes": count(NotificationOutbox),
            "inbox": count(InboxEvent),
            "audit": count(AuditLog),
        }

    return await db.run(read)


@pytest.fixture
async def callback(db: Database, clock: FakeClock) -> AsyncIterator[tuple[TestServer, str]]:
    _, number = await db.run(submitted_case, "u1", clock())
    app = build_app(
        callback_db=db,
        security=Security(SECRET, max_age_seconds=300, clock=lambda: clock().timestamp()),
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server, number
    await server.close()


def accepted_body(number: str, clock: FakeClock, event_id: str = "e1") -> bytes:
    event = Accepted(
        number,
        event_id,
        clock(),
        (DispatchedItem("pension_claim", "social_insurance_center", clock()),),
    )
    return json.dumps(event_to_json(event)).encode()


async def post(server: TestServer, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            server.make_url(CALLBACK_PATH),
            data=body,
            headers={**headers, "Content-Type": "application/json"},
        ) as response,
    ):
        return response.status, await response.json()


async def test_callback_with_bad_signature_changes_nothing(
    db: Database, clock: FakeClock, callback: tuple[TestServer, str]
) -> None:
    server, number = callback
    before = await snapshot(db)
    body = accepted_body(number, clock)
    wrong_key = signed_headers(b"not-the-secret", "POST", CALLBACK_PATH, body, clock().timestamp())
    assert await post(server, body, wrong_key) == (
        401,
        {"error": {"code": "bad_signature", "message": ""}},
    )
    # A valid signature over another body does not cover this one.
    other = signed_headers(SECRET, "POST", CALLBACK_PATH, b"{}", clock().timestamp())
    assert (await post(server, body, other))[0] == 401
    assert (await post(server, body, {}))[1]["error"]["code"] == "missing_headers"
    assert await snapshot(db) == before


async def test_callback_with_old_timestamp_changes_nothing(
    db: Database, clock: FakeClock, callback: tuple[TestServer, str]
) -> None:
    server, number = callback
    before = await snapshot(db)
    body = accepted_body(number, clock)
    old = signed_headers(SECRET, "POST", CALLBACK_PATH, body, clock().timestamp() - 301)
    status, data = await post(server, body, old)
    assert (status, data["error"]["code"]) == (401, "stale_timestamp")
    assert await snapshot(db) == before


async def test_callback_with_reused_nonce_changes_nothing(
    db: Database, clock: FakeClock, callback: tuple[TestServer, str]
) -> None:
    server, number = callback
    body = accepted_body(number, clock)
    headers = signed_headers(SECRET, "POST", CALLBACK_PATH, body, clock().timestamp())
    assert await post(server, body, headers) == (200, {"applied": True})
    after_first = await snapshot(db)
    assert after_first["statuses"] == ["processing"] and after_first["pushes"] == 1

    clock.advance(seconds=30)  # still fresh: only the nonce gives the replay away
    status, data = await post(server, body, headers)
    assert (status, data["error"]["code"]) == (401, "replayed_nonce")
    assert await snapshot(db) == after_first

    # A fresh, valid delivery of the same event (the platform retrying) is acknowledged
    # and changes nothing either: the event id is already in the inbox.
    again = signed_headers(SECRET, "POST", CALLBACK_PATH, body, clock().timestamp())
    assert await post(server, body, again) == (200, {"applied": False})
    assert await snapshot(db) == after_first


async def test_platform_refuses_unsigned_or_replayed_submissions(
    db: Database, clock: FakeClock
) -> None:
    platform = EmbeddedPlatform(db, now=clock)
    server = TestServer(
        build_app(platform=platform, security=Security(SECRET, clock=lambda: clock().timestamp())),
        host="127.0.0.1",
    )
    await server.start_server()
    body = json.dumps({"case_number": "YJ-20260430-0009", "form": {}, "materials": []}).encode()
    try:
        async with aiohttp.ClientSession() as http:
            base = {"Content-Type": "application/json", "Idempotency-Key": "k1"}
            async with http.post(
                server.make_url("/v1/cases"), data=body, headers=base
            ) as response:
                assert response.status == 401
            signed = {
                **base,
                **signed_headers(SECRET, "POST", "/v1/cases", body, clock().timestamp()),
            }
            async with http.post(
                server.make_url("/v1/cases"), data=body, headers=signed
            ) as response:
                assert response.status == 201
            async with http.post(
                server.make_url("/v1/cases"), data=body, headers=signed
            ) as response:
                assert response.status == 401  # the same nonce again
    finally:
        await server.close()
    assert await db.run(lambda s: list(s.scalars(select(EmbCase.case_number)))) == [
        "YJ-20260430-0009"
    ]


class CountingServer:
    """A platform that is always 503, counting the requests it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    def app(self) -> web.Application:
        async def handler(request: web.Request) -> web.Response:
            self.requests.append(f"{request.method} {request.path}")
            return web.json_response({"error": {"code": "down"}}, status=503)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        return app


async def test_client_retries_only_idempotent_calls() -> None:
    counting = CountingServer()
    server = TestServer(counting.app(), host="127.0.0.1")
    await server.start_server()
    sleeps: list[float] = []

    async def no_wait(seconds: float) -> None:
        sleeps.append(seconds)

    try:
        async with aiohttp.ClientSession() as http:
            client = HttpPlatformClient(
                http,
                str(server.make_url("")),
                SECRET,
                retries=2,
                backoff_seconds=0.5,
                sleep=no_wait,
            )
            with pytest.raises(PlatformUnavailable):
                await client.submit(SubmitRequest("YJ-20260430-0001", {}, (), "submit:x"))
            assert len(counting.requests) == 3  # carries an Idempotency-Key: retried
            assert sleeps == [0.5, 1.0]  # exponential backoff
            with pytest.raises(PlatformUnavailable):
                await client.withdraw("YJ-20260430-0001", "changed my mind")
            assert len(counting.requests) == 4  # no key: not retried in-call
            with pytest.raises(PlatformUnavailable):
                await client.status("YJ-20260430-0001")
            assert len(counting.requests) == 7  # a read: retried
    finally:
        await server.close()


async def test_client_reports_a_platform_that_is_not_listening_as_unavailable() -> None:
    async with aiohttp.ClientSession() as http:
        # Port 9 (discard) is closed on this machine: the connection is refused at once.
        client = HttpPlatformClient(http, "http://127.0.0.1:9", SECRET, retries=0)
        with pytest.raises(PlatformUnavailable):
            await client.status("YJ-20260430-0001")
