"""One supervisor for every background worker of a process.

A worker is `async run(stop)` that works until `stop` is set. If it raises, or returns while
it should still be working, the supervisor logs it (traceback masked) and starts it again
after a backoff (1 s, 2 s, 4 s … `max_backoff`; back to 1 s once it has run a while): a
worker is never silently dead. An exception the worker declares fatal (a refused token, a
bad configuration) stops the whole process instead: restarting cannot fix it.

Workers marked `singleton` run only while this process leads the deployment (see
`runtime.leader`); when leadership is lost they are stopped, and started again if it comes
back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.logging_setup import mask_text
from app.metrics import LEADER_CHANGES, LEADING, WORKER_RESTARTS
from runtime.leader import Leadership

log = logging.getLogger(__name__)

WorkerFn = Callable[[asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class Worker:
    name: str
    run: WorkerFn
    singleton: bool = False  # once per deployment: only while this process leads


class Fatal(Exception):
    """Raised (or wrapped) by a worker when restarting it cannot help."""


@dataclass
class Supervisor:
    workers: list[Worker]
    leadership: Leadership
    first_backoff: float = 1.0
    max_backoff: float = 60.0
    healthy_after: float = 60.0  # a worker that ran this long starts its backoff afresh
    fatal: tuple[type[BaseException], ...] = (Fatal,)
    leading: bool = False
    restarts: int = 0

    async def leadership_held(self) -> bool:
        """Whether some process of the deployment leads (for /readyz)."""
        return self.leading or await self.leadership.held()

    async def run(self, stop: asyncio.Event) -> None:
        """Run every worker until `stop` is set; raises the first fatal error."""
        failed: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()
        tasks = [
            asyncio.create_task(self._keep(w, stop, failed), name=w.name)
            for w in self.workers
            if not w.singleton
        ]
        singletons = [w for w in self.workers if w.singleton]
        if singletons:
            tasks.append(asyncio.create_task(self._lead(singletons, stop, failed), name="leader"))
        stopping = asyncio.create_task(stop.wait())
        try:
            waits: list[asyncio.Future[Any]] = [stopping, failed]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.set()
            stopping.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if failed.done():
            raise failed.result()

    async def _keep(
        self, worker: Worker, stop: asyncio.Event, failed: asyncio.Future[BaseException]
    ) -> None:
        backoff = self.first_backoff
        while not stop.is_set():
            started = time.monotonic()
            try:
                await worker.run(stop)
                if stop.is_set():
                    return
                log.error("worker %s returned while it should still run; restarting", worker.name)
            except asyncio.CancelledError:
                raise
            except self.fatal as exc:
                log.error("worker %s cannot go on: %s", worker.name, mask_text(str(exc)))
                if not failed.done():
                    failed.set_result(exc)
                return
            except Exception:
                log.error(
                    "worker %s failed; restarting in %.0f s\n%s",
                    worker.name,
                    backoff,
                    mask_text(traceback.format_exc()),
                )
            self.restarts += 1
            WORKER_RESTARTS.labels(worker.name).inc()
            if time.monotonic() - started >= self.healthy_after:
                backoff = self.first_backoff
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _lead(
        self, workers: list[Worker], stop: asyncio.Event, failed: asyncio.Future[BaseException]
    ) -> None:
        while not stop.is_set():
            try:
                if not await self.leadership.acquire(stop):
                    return
            except Exception:
                log.error(
                    "leader: asking for the lock failed\n%s", mask_text(traceback.format_exc())
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.first_backoff)
                continue
            self.leading = True
            LEADER_CHANGES.inc()
            LEADING.set(1)
            log.info("leader: this process now runs %s", ", ".join(w.name for w in workers))
            term = asyncio.Event()  # set when leadership or the process ends
            tasks = [
                asyncio.create_task(self._keep(w, term, failed), name=w.name) for w in workers
            ]
            lost = asyncio.create_task(self.leadership.lost())
            stopping = asyncio.create_task(stop.wait())
            try:
                await asyncio.wait([lost, stopping], return_when=asyncio.FIRST_COMPLETED)
            finally:
                term.set()
                lost.cancel()
                stopping.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                self.leading = False
                LEADING.set(0)
                await self.leadership.release()
            if not stop.is_set():
                log.warning("leader: leadership lost; asking for it again")
