"""The platform relay: drains the platform outbox through an implementation of the port
(the embedded platform or the signed HTTP client) until told to stop.

What a drain does (claim the due calls, send them, record each outcome) is the case record's
use case, `cases.platform.delivery.drain_platform_outbox`; this is only its loop, run by the
composition root's supervisor (`runtime.workers`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from cases.db import Database
from cases.files import FileStore
from cases.platform.delivery import drain_platform_outbox
from cases.platform.port import PlatformAdapter

log = logging.getLogger(__name__)


async def run_platform_worker(
    db: Database,
    adapter: PlatformAdapter,
    stop: asyncio.Event,
    interval_seconds: float = 2.0,
    files: FileStore | None = None,
) -> None:
    """Drain the outbox until `stop` is set (owned by the composition root's task group)."""
    while not stop.is_set():
        try:
            busy = await drain_platform_outbox(db, adapter, files=files)
        except Exception:  # a database hiccup must not end the worker; it retries
            log.exception("platform outbox drain failed")
            busy = 0
        if busy:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_seconds)
