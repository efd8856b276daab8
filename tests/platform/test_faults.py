"""Faults: the platform down for an hour, and 30% of calls failing at random."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from cases.db import Database
from cases.models import NotificationOutbox, OutboxStatus, PlatformOutbox
from cases.models.platform import EmbCase
from cases.platform.delivery import drain_platform_outbox
from cases.platform.port import (
    PlatformStatus,
    PlatformUnavailable,
    SubmitReceipt,
    SubmitRequest,
    SupplementReceipt,
    SupplementRequest,
)
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.http_client import HttpPlatformClient
from integrations.platform.http_server import Security, build_app
from tests.platform.conftest import FakeClock, open_db, submitted_case

SECRET = b"fault-test-secret"


class OutagePlatform:
    """Wraps a platform; while `down` every call fails as a refused connection would.
    Records the submissions that got through."""

    def __init__(self, inner: EmbeddedPlatform) -> None:
        self.inner = inner
        self.down = False
        self.refused = 0
        self.submitted: list[str] = []

    def _check(self) -> None:
        if self.down:
            self.refused += 1
            raise PlatformUnavailable("connection refused")

    async def submit(self, request: SubmitRequest) -> SubmitReceipt:
        self._check()
        receipt = await self.inner.submit(request)
        self.submitted.append(request.case_number)
        return receipt

    async def withdraw(self, case_number: str, reason: str) -> None:
        self._check()
        await self.inner.withdraw(case_number, reason)

    async def supplement(self, request: SupplementRequest) -> SupplementReceipt:
        self._check()
        return await self.inner.supplement(request)

    async def status(self, case_number: str) -> PlatformStatus:
        self._check()
        return await self.inner.status(case_number)


async def push_keys(db: Database, applicant_id: int) -> list[str]:
    rows = await db.run(
        lambda s: list(
            s.scalars(
                select(NotificationOutbox.payload)
                .where(NotificationOutbox.applicant_id == applicant_id)
                .order_by(NotificationOutbox.id)
            )
        )
    )
    return [p["message"]["key"] for p in rows]


async def platform_cases(db: Database) -> list[str]:
    return await db.run(lambda s: list(s.scalars(select(EmbCase.case_number))))


async def test_platform_down_for_an_hour_queues_tells_once_and_delivers_once(
    db: Database, clock: FakeClock
) -> None:
    platform = OutagePlatform(EmbeddedPlatform(db, now=clock))
    platform.down = True
    applicants = []
    for user in ("a", "b", "c"):
        applicants.append(await db.run(submitted_case, user, clock()))
        clock.advance(minutes=1)

    # An hour of outage, the worker trying every minute.
    for _ in range(60):
        assert await drain_platform_outbox(db, platform, now=clock) == 0
        clock.advance(minutes=1)
    assert await platform_cases(db) == []
    assert platform.refused > 3  # it did keep trying, with backoff
    for applicant_id, _ in applicants:
        assert await push_keys(db, applicant_id) == ["platform.queued"]

    platform.down = False
    delivered = 0
    for _ in range(15):  # the backoff is capped at 10 minutes
        delivered += await drain_platform_outbox(db, platform, now=clock)
        clock.advance(minutes=1)
    assert delivered == 3
    assert sorted(await platform_cases(db)) == sorted(n for _, n in applicants)
    assert sorted(platform.submitted) == sorted(n for _, n in applicants)  # once each
    for applicant_id, _ in applicants:
        assert await push_keys(db, applicant_id) == ["platform.queued", "platform.delivered"]
    rows = await db.run(lambda s: list(s.scalars(select(PlatformOutbox))))
    assert {r.status for r in rows} == {OutboxStatus.sent.value}
    assert all(r.attempts > 1 and r.last_error is None for r in rows)


class FlakyPlatform:
    """Fails `rate` of the calls at random (seeded): half before the platform sees the call
    (request lost), half after it has recorded it (response lost)."""

    def __init__(self, inner: Any, seed: int, rate: float = 0.3) -> None:
        self.inner, self.rng, self.rate = inner, random.Random(seed), rate
        self.lost_requests = self.lost_responses = 0

    async def submit(self, request: SubmitRequest) -> SubmitReceipt:
        roll = self.rng.random()
        if roll < self.rate / 2:
            self.lost_requests += 1
            raise PlatformUnavailable("request lost")
        receipt = await self.inner.submit(request)
        if roll < self.rate:
            self.lost_responses += 1
            raise PlatformUnavailable("response lost")
        return receipt


def flaky_middleware(seed: int, rate: float = 0.3) -> Any:
    """The same faults at the HTTP server: 503 before the handler, or after it has committed."""
    rng = random.Random(seed)
    counts = {"before": 0, "after": 0}

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        roll = rng.random()
        if roll < rate / 2:
            counts["before"] += 1
            return web.json_response({"error": {"code": "unavailable"}}, status=503)
        response = await handler(request)
        if roll < rate:
            counts["after"] += 1
            return web.json_response({"error": {"code": "unavailable"}}, status=503)
        return response

    middleware.counts = counts  # type: ignore[attr-defined]
    return middleware


async def _submit_200_and_drain(db: Database, adapter: Any, clock: FakeClock) -> list[str]:
    def create_all(session: Any) -> list[str]:
        return [submitted_case(session, f"user{i}", clock())[1] for i in range(200)]

    numbers = await db.run(create_all)
    for _ in range(200):
        await drain_platform_outbox(db, adapter, now=clock, limit=50)
        pending = await db.run(
            lambda s: s.scalar(
                select(func.count())
                .select_from(PlatformOutbox)
                .where(PlatformOutbox.status == OutboxStatus.pending.value)
            )
        )
        if not pending:
            break
        clock.advance(minutes=10)
    return numbers


async def test_200_submissions_with_30_percent_failures_in_process(
    db: Database, clock: FakeClock
) -> None:
    flaky = FlakyPlatform(EmbeddedPlatform(db, now=clock), seed=20261126)
    numbers = await _submit_200_and_drain(db, flaky, clock)
    assert flaky.lost_requests > 10 and flaky.lost_responses > 10
    assert sorted(await platform_cases(db)) == sorted(numbers)  # none lost, none doubled
    rows = await db.run(lambda s: list(s.scalars(select(PlatformOutbox.status))))
    assert rows == [OutboxStatus.sent.value] * 200


@pytest.fixture
async def platform_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_db(tmp_path / "platform.db")
    yield database
    await database.close()


async def test_200_submissions_with_30_percent_failures_over_http(
    db: Database, platform_db: Database, clock: FakeClock
) -> None:
    """Over loopback HTTP, with the client's own retries off so the outbox does every retry."""
    middleware = flaky_middleware(seed=7)
    security = Security(SECRET, clock=lambda: clock().timestamp())
    app = build_app(platform=EmbeddedPlatform(platform_db, now=clock), security=security)
    app.middlewares.append(middleware)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            client = HttpPlatformClient(
                http,
                str(server.make_url("")),
                SECRET,
                retries=0,
                clock=lambda: clock().timestamp(),
            )
            numbers = await _submit_200_and_drain(db, client, clock)
    finally:
        await server.close()
    assert middleware.counts["before"] > 10 and middleware.counts["after"] > 10
    assert sorted(await platform_cases(platform_db)) == sorted(numbers)
    rows = await db.run(lambda s: list(s.scalars(select(PlatformOutbox.status))))
    assert rows == [OutboxStatus.sent.value] * 200
