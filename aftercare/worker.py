"""The periodic work of the end of the journey, for the bot's run loop or a cron line:
deliver the notices whose results are in (or changed), and send the due online-step checks.

    await tick(db, deps, now=...)        # from an asyncio loop, e.g. every 30 s
    python main.py aftercare tick        # once, from cron or by hand
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aftercare.service import deliver_ready_results, run_online_step_checks

if TYPE_CHECKING:
    from aftercare.chat import Deps
    from cases.db import Database


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
