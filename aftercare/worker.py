"""The periodic work of the end of the journey, for the bot's run loop or a cron line:
deliver the notices whose results are in (or changed), send the due online-step checks and
the retirement reminders workers asked for.

    await tick(db, deps, now=...)        # from an asyncio loop, e.g. every 30 s
    python main.py aftercare tick        # once, from cron or by hand

One case never holds up another: the sweep first reads the ids of the due cases, then
handles each in a transaction of its own. A case that fails is rolled back alone, logged
(masked), recorded and retried later with backoff (aftercare/failures.py); the others go on,
and the tick reports what failed. Only a failure of the sweep itself (the database is gone)
propagates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aftercare.config import Deps
from aftercare.delivery import deliver_case, due_notice_cases
from aftercare.failures import (
    NOTICE,
    ONLINE_CHECK,
    RETIREMENT_REMINDER,
    Failure,
    error_text,
    record_failure,
)
from aftercare.online_checks import due_online_checks, run_online_step_check
from aftercare.reminders import due_retirement_reminders, send_retirement_reminder

if TYPE_CHECKING:
    from cases.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickResult:
    delivered: list[str]
    checks_sent: int
    failed: list[Failure] = field(default_factory=list)
    reminders_sent: int = 0


async def tick(db: Database, deps: Deps, *, now: datetime) -> TickResult:
    delivered: list[str] = []
    failed: list[Failure] = []
    for case_id in await db.run(due_notice_cases, at=now):
        try:
            number = await db.run(
                deliver_case, case_id, deps.files, deps.config, at=now, render=deps.render
            )
        except Exception as exc:  # this case only: rolled back, recorded, retried later
            failed.append(await _failed(db, NOTICE, case_id, exc, now))
            continue
        if number is not None:
            delivered.append(number)
    checks = 0
    for reminder_id in await db.run(due_online_checks, at=now):
        try:
            checks += await db.run(run_online_step_check, reminder_id, deps.config, at=now)
        except Exception as exc:
            failed.append(await _failed(db, ONLINE_CHECK, reminder_id, exc, now))
    reminders = 0
    for reminder_id in await db.run(due_retirement_reminders, at=now):
        try:
            reminders += await db.run(send_retirement_reminder, reminder_id, at=now)
        except Exception as exc:
            failed.append(await _failed(db, RETIREMENT_REMINDER, reminder_id, exc, now))
    return TickResult(delivered, checks, failed, reminders)


async def _failed(
    db: Database, job: str, subject_id: int, exc: Exception, now: datetime
) -> Failure:
    error = error_text(exc)
    failure = await db.run(record_failure, job, subject_id, error, at=now)
    log.warning(
        "aftercare %s failed for case %s (attempt %d, next try %s%s): %s",
        job,
        failure.case_number or f"#{subject_id}",
        failure.attempts,
        failure.next_attempt_at.isoformat(timespec="minutes"),
        f", staff task #{failure.staff_task_id}" if failure.staff_task_id else "",
        error,
    )
    return failure


def tick_blocking(db: Database, deps: Deps, *, now: datetime) -> TickResult:
    """`tick` for a command line: its own event loop, the database's connections released
    at the end (PostgreSQL's belong to the loop that made them)."""

    async def once() -> TickResult:
        try:
            return await tick(db, deps, now=now)
        finally:
            await db.close()

    return asyncio.run(once())


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
