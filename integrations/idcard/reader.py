"""`OcrCardReader`: the conversation's card reader, OCR in a small pool of worker processes.

Why processes beside the bot and not a thread inside it: the model adds ~110 MiB and a
reading briefly a few hundred more; in worker processes none of that is the bot's, and a
crash of the native runtime kills a worker, not the bot. This module imports nothing of the
model: `worker.py` is imported in the worker processes only (`in_worker`), so the bot's own
memory is the same with OCR on or off (benchmarks/idcard_read.py measures it).

- The pool starts at the first photo (spawned processes: no copy of the bot's threads or
  sockets), each worker loads the model once in its initializer. `workers` is 1 by default:
  onnxruntime already spreads one reading over every core.
- Photos being read or waiting are bounded (`max_waiting`): past that the worker is told at
  once to type the number rather than a queue growing without end.
- A reading past `timeout` (a worker's start and the model's loading are not counted:
  `start_timeout` bounds those) is given up ("please type it") and its pool's processes are killed
  and replaced at the next photo: a model stuck on one photo cannot hold every later one.
- A worker that died (killed, out of memory) breaks its pool: the pool is replaced and the
  photo tried once more in the new one.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import Any

from app.clock import local_today
from dialogs.card_reader import CardReaderUnavailable
from policy.idcard_front import CardFront

log = logging.getLogger(__name__)

WORKER = "integrations.idcard.worker"


def in_worker(name: str, *args: Any) -> Any:
    """Call `worker.<name>(*args)`. Submitted to the pool by name, so that only the worker
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
        self._pool: ProcessPoolExecutor | None = None  # started at the first photo
        self._waiting = 0  # calls submitted to the pool and not finished
        self._count = threading.Lock()

    @property
    def started(self) -> bool:
        return self._pool is not None

    async def read(self, photo: bytes) -> CardFront:
        if self._waiting >= self.max_waiting:
            log.warning("card reader busy: %d photos waiting", self._waiting)
            raise CardReaderUnavailable("busy")
        start, today = time.perf_counter(), self.today()
        for _ in range(2):  # a pool found broken is replaced and the photo tried once more
            front = await self._attempt(photo, today)
            if front is not None:
                # The outcome only: the number, even masked, says nothing useful here.
                seconds = time.perf_counter() - start
                log.info("card photo read in %.2f s: %s", seconds, front.outcome)
                return front
        raise CardReaderUnavailable("failed")

    async def call(self, name: str, *args: Any) -> Any:
        """`worker.<name>(*args)` in a worker process (the warm-up, tests)."""
        future = self._submit(self._running_pool(), name, *args)
        return await asyncio.wait_for(asyncio.wrap_future(future), self.start_timeout)

    async def warm_up(self) -> None:
        """Start the pool now (its workers load the model), else the first photo pays."""
        await self.call("pid")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def _attempt(self, photo: bytes, today: date) -> CardFront | None:
        """One try in the current pool; None when the pool turned out broken (replaced)."""
        fresh = self._pool is None
        pool = self._running_pool()
        try:
            if fresh:  # its worker starts and loads the model first: not the photo's time
                await self._wait(pool, self._submit(pool, "pid"), self.start_timeout)
            return await self._wait(pool, self._submit(pool, "read", photo, today), self.timeout)
        except BrokenProcessPool:  # a worker died, idle or while reading
            log.warning("an OCR worker process died; the pool is replaced")
            self._replace(pool)
            return None

    async def _wait(self, pool: ProcessPoolExecutor, future: Future[Any], timeout: float) -> Any:
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except TimeoutError:
            log.warning("card reading gave up after %.1f s; its workers replaced", timeout)
            self._replace(pool, kill=True)
            raise CardReaderUnavailable("timeout") from None

    def _submit(self, pool: ProcessPoolExecutor, name: str, *args: Any) -> Future[Any]:
        future = pool.submit(in_worker, name, *args)
        with self._count:
            self._waiting += 1
        future.add_done_callback(self._done)
        return future

    def _running_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=in_worker,
                initargs=("start", self.threads),
            )
        return self._pool

    def _replace(self, pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
        """Let go of `pool` (the next photo starts a new one); `kill` its processes first
        when one may be stuck."""
        if kill:  # no public way before Python 3.14's kill_workers()
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        if self._pool is pool:
            self._pool = None

    def _done(self, _: Future[Any]) -> None:  # in the pool's own thread, or at once
        with self._count:
            self._waiting -= 1
