"""The background workers of a deployment, each `async run(stop)`, for the supervisor.

Every process takes in updates; exactly one (the leader) delivers pushes, relays the platform
outbox, runs aftercare and, with the embedded platform, its clocks (overdue items).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aftercare.worker import run_aftercare_worker
from bot.app import forget_old_updates, push_worker, serve
from cases.audit_chain import seal_pending
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.worker import run_platform_worker
from runtime.services import Services
from runtime.supervisor import Worker

if TYPE_CHECKING:
    from cases.db import Database

log = logging.getLogger(__name__)


async def every(
    seconds: float, stop: asyncio.Event, step: Callable[[], Awaitable[object]], name: str
) -> None:
    """Run `step` now and then every `seconds` until `stop`. A failing step is logged and
    tried again next time: one bad round must not end the worker."""
    while not stop.is_set():
        try:
            await step()
        except Exception:
            log.exception("%s failed; trying again in %.0f s", name, seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)


def platform_relay(services: Services) -> Worker:
    """The platform outbox → the adapter (embedded or HTTP), with the outbox's backoff."""

    async def run(stop: asyncio.Event) -> None:
        async with services.platform() as adapter:
            await run_platform_worker(
                services.db,
                adapter,
                stop,
                interval_seconds=services.settings.runtime.relay_interval_seconds,
                files=services.files,  # a delivered replacement deletes the returned pages
            )

    return Worker("platform-relay", run, singleton=True)


def aftercare(services: Services) -> Worker:
    """Result notices, online-step checks, reminders."""

    async def run(stop: asyncio.Event) -> None:
        await run_aftercare_worker(
            services.db,
            services.aftercare,
            stop,
            interval_seconds=services.settings.runtime.aftercare_interval_seconds,
            clock=services.clock,
        )

    return Worker("aftercare", run, singleton=True)


def platform_clocks(services: Services) -> Worker:
    """The embedded platform's 2-hour clocks: overdue items flagged to the clerk."""

    async def run(stop: asyncio.Event) -> None:

        platform = EmbeddedPlatform(
            services.db, now=services.clock, office_hours=services.office_hours
        )

        async def step() -> None:
            flagged = await services.db.run(platform.flag_overdue)
            if flagged:
                log.info("flagged %d overdue items to the clerk", len(flagged))

        await every(60, stop, step, "the overdue check")

    return Worker("platform-clocks", run, singleton=True)


def clean_up(db: Database) -> Worker:
    """Forget processed-update marks older than two days (see bot.app.forget_old_updates)."""

    async def run(stop: asyncio.Event) -> None:
        await every(6 * 3600, stop, lambda: forget_old_updates(db), "forgetting old updates")

    return Worker("clean-up", run, singleton=True)


def audit_sealer(services: Services) -> Worker:
    """Seals the audit log's new rows into its chain (cases/audit_chain.py)."""

    async def run(stop: asyncio.Event) -> None:
        async def step() -> None:
            await services.db.run(seal_pending, at=services.clock())

        await every(60, stop, step, "sealing the audit log")

    return Worker("audit-sealer", run, singleton=True)


def push_sender(services: Services) -> Worker:

    async def run(stop: asyncio.Event) -> None:
        await push_worker(services.settings, services.db, services.files, stop)

    return Worker("push-sender", run, singleton=True)


def telegram_intake(services: Services, ready: asyncio.Event | None = None) -> Worker:
    """Updates in (polling or the webhook) and their answers: in every process."""

    async def run(stop: asyncio.Event) -> None:
        await serve(
            services.settings,
            services.conversation,
            services.db,
            services.files,
            stop,
            ready=ready,
        )

    return Worker("telegram", run)


def background(services: Services, *, push: bool = True) -> list[Worker]:
    """What runs once per deployment beside the channels."""
    workers = [
        platform_relay(services),
        aftercare(services),
        clean_up(services.db),
        audit_sealer(services),
    ]
    if services.embedded_platform:
        workers.append(platform_clocks(services))
    if push:
        workers.insert(0, push_sender(services))
    return workers
