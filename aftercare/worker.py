"""The periodic work of the end of the journey, for the bot's run loop or a cron line:
deliver the notices whose results are in (or changed), and send the due online-step checks.

    await tick(db, deps, now=...)        # from an asyncio loop, e.g. every 30 s
    python main.py aftercare tick        # once, from cron or by hand
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aftercare.service import deliver_ready_results, run_online_step_checks

if TYPE_CHECKING:
    from aftercare.chat import Deps
    from cases.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickResult:
    delivered: list[str]
    checks_sent: int


async def tick(db: Database, deps: Deps, *, now: datetime) -> TickResult:
    delivered = await db.run(deliver_ready_results, deps.files, deps.config, at=now)
    checks = await db.run(run_online_step_checks, deps.config, at=now)
    return TickResult(delivered, checks)


def tick_blocking(db: Database, deps: Deps, *, now: datetime) -> TickResult:
    delivered = db.run_blocking(deliver_ready_results, deps.files, deps.config, at=now)
    checks = db.run_blocking(run_online_step_checks, deps.config, at=now)
    return TickResult(delivered, checks)


async def run_aftercare_worker(
    db: Database,
    deps: Deps,
    stop: asyncio.Event,
    interval_seconds: float = 30.0,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Tick until `stop` is set (owned by the composition root, like the push sender). Run
    it in one process only, beside the push sender: two sweeps would race for one case."""
    now = clock or (lambda: datetime.now(UTC))
    while not stop.is_set():
        try:
            await tick(db, deps, now=now())
        except Exception:  # a database hiccup must not end the worker; the next tick retries
            log.exception("aftercare tick failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_seconds)
