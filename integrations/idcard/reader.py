"""`OcrCardReader`: the conversation's card reader, OCR in a small pool of worker processes.

Why processes beside the bot and not a thread inside it: the model adds ~110 MiB and a
reading briefly a few hundred more; in worker processes none of that is the bot's, and a
crash of the native runtime kills a worker, not the bot. This module imports nothing of the
model: `worker.py` is imported in the worker processes only (`in_worker`), so the bot's own
memory is the same with OCR on or off (benchmarks/idcard_read.py measures it).

The pool is pebble's (as the staff console's PDF renderer): a reading past `timeout` has its
worker process killed by the pool's own manager thread, and a new worker started. A reading
cannot be cancelled inside onnxruntime, so only a kill frees the worker; and since the kill
does not depend on the bot's event loop, a loop kept busy elsewhere cannot keep a stuck
reading alive (the `concurrent.futures` pool this replaces was killed from the loop, and a
reading it gave up on was left to run).

- The pool starts at the first photo (spawned processes: no copy of the bot's threads or
  sockets), each worker loads the model once in its initializer. `workers` is 1 by default.
- Photos being read or waiting are bounded (`max_waiting`): past that the worker is told at
  once to type the number rather than a queue growing without end.
- A reading is given up after `timeout` seconds in its worker (the worker is told to type
  the number). The time a worker takes to start and load its model (the first photo, or
  after a kill) is not counted; `start_timeout` bounds it, and the bot's own wait.
- A worker that died (killed, out of memory) is replaced, by the pool when it died while
  reading, else with its pool (pebble breaks a pool whose only worker died idle); the photo
  is tried once more.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import Any

from pebble import ProcessExpired, ProcessPool

from app.clock import local_today
from dialogs.card_reader import CardReaderUnavailable
from policy.idcard_front import CardFront

log = logging.getLogger(__name__)

WORKER = "integrations.idcard.worker"


def in_worker(name: str, *args: Any) -> Any:
    """Call `worker.<name>(*args)`. Scheduled on the pool by name, so that only the worker
    process imports the worker module (and with it onnxruntime and OpenCV)."""
    return getattr(importlib.import_module(WORKER), name)(*args)


class OcrCardReader:
    """`await reader.read(photo)` -> CardFront; raises CardReaderUnavailable."""

    def __init__(
        self,
        *,
        workers: int = 1,
        threads: int | None = None,
        timeout: float = 20.0,
        start_timeout: float = 120.0,
        max_waiting: int = 4,
        today: Callable[[], date] = local_today,
    ) -> None:
        self.workers, self.threads = workers, threads
        self.timeout, self.start_timeout = timeout, start_timeout
        self.max_waiting = max_waiting
        self.today = today
        self._pool: ProcessPool | None = None  # started at the first photo
        self._waiting = 0  # photos being read or waiting (counted on the event loop)

    @property
    def started(self) -> bool:
        return self._pool is not None

    async def read(self, photo: bytes) -> CardFront:
        if self._waiting >= self.max_waiting:
            log.warning("card reader busy: %d photos waiting", self._waiting)
            raise CardReaderUnavailable("busy")
        start, today = time.perf_counter(), self.today()
        self._waiting += 1
        try:
            for _ in range(2):  # a worker that died while reading: tried once more
                try:
                    front: CardFront = await self._run(self.timeout, "read", photo, today)
                except ProcessExpired:  # the pool starts another worker by itself
                    log.warning("an OCR worker process died while reading; it is replaced")
                    continue
                except BrokenProcessPool:  # its only worker died idle: pebble gives up
                    log.warning("the OCR worker process died; its pool is replaced")
                    broken, self._pool = self._pool, None  # the next try starts a new one
                    if broken is not None:  # its threads joined off the event loop
                        await asyncio.to_thread(_stop, broken)
                    continue
                # The outcome only: the number, even masked, says nothing useful here.
                seconds = time.perf_counter() - start
                log.info("card photo read in %.2f s: %s", seconds, front.outcome)
                return front
            raise CardReaderUnavailable("failed")
        finally:
            self._waiting -= 1

    async def call(self, name: str, *args: Any) -> Any:
        """`worker.<name>(*args)` in a worker process (the warm-up, tests)."""
        return await self._run(self.start_timeout, name, *args)

    async def warm_up(self) -> None:
        """Start the pool now (its workers load the model), else the first photo pays."""
        await self.call("pid")

    def close(self) -> None:
        if self._pool is not None:
            _stop(self._pool)
            self._pool = None

    async def _run(self, limit: float, name: str, *args: Any) -> Any:
        """`in_worker(name, *args)` on the pool, its worker killed by the pool's manager past
        `limit` seconds of work. The bot's own wait adds `start_timeout` (a worker's start,
        photos ahead in the queue): only a pool that cannot start a worker is given up by it."""
        future: Future[Any] = self._running_pool().schedule(
            in_worker, (name, *args), timeout=limit
        )
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), limit + self.start_timeout)
        except TimeoutError:  # the pool's kill at `limit`, or the bot's patience spent
            future.cancel()  # not begun: dropped; begun: its worker killed
            log.warning("card reading gave up after %.1f s; its worker replaced", limit)
            raise CardReaderUnavailable("timeout") from None

    def _running_pool(self) -> ProcessPool:
        if self._pool is None:
            self._pool = ProcessPool(
                max_workers=self.workers,
                context=multiprocessing.get_context("spawn"),
                initializer=in_worker,
                initargs=("start", self.threads),
            )
        return self._pool


def _stop(pool: ProcessPool) -> None:
    """Stop the pool's workers (a busy one is killed) and join its threads."""
    pool.stop()
    pool.join()
