"""`OcrCardReader`: the conversation's card reader, OCR in one worker thread beside the loop.

Why a thread and not the event loop: one reading is 0.5–2 s of CPU on two cores. onnxruntime
and OpenCV release the GIL while they compute, so the loop keeps answering other workers
meanwhile. Why ONE thread: onnxruntime already spreads one reading over every core; two
readings at once would only make both slower. Waiting photos are bounded (`max_waiting`): past
that the worker is told to type the number, rather than a queue growing without end, and a
reading that takes longer than `timeout` is given up by the conversation (the thread finishes
it and takes the next; it still counts as waiting until then, so a stuck model cannot pile
up work behind it).

Memory: the model adds about 110 MiB to the process once loaded; a reading briefly uses up to
~500 MiB more, given back to the system after each photo (`ocr._give_back_memory`);
benchmarks/idcard_read.py measures both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

from app.clock import local_today
from dialogs.card_reader import CardReaderUnavailable
from integrations.idcard.ocr import NotAnImage, OcrEngine
from policy.idcard_front import CardFront, read_front

log = logging.getLogger(__name__)


class OcrCardReader:
    """`await reader.read(photo)` -> CardFront; raises CardReaderUnavailable."""

    def __init__(
        self,
        engine: OcrEngine | None = None,
        *,
        timeout: float = 20.0,
        max_waiting: int = 4,
        today: Callable[[], date] = local_today,
    ) -> None:
        self.engine = engine or OcrEngine()
        self.timeout = timeout
        self.max_waiting = max_waiting
        self.today = today
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="idcard-ocr")
        self._waiting = 0  # readings handed to the thread and not finished (loop thread only)

    async def read(self, photo: bytes) -> CardFront:
        if self._waiting >= self.max_waiting:
            log.warning("card reader busy: %d photos waiting", self._waiting)
            raise CardReaderUnavailable("busy")
        loop = asyncio.get_running_loop()
        self._waiting += 1
        future: Future[CardFront] = self._pool.submit(self._read, photo, self.today())
        future.add_done_callback(lambda _: _call_soon(loop, self._done))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:
            log.warning("card reading gave up after %.1f s", self.timeout)
            raise CardReaderUnavailable("timeout") from None
        except NotAnImage:
            raise CardReaderUnavailable("not_an_image") from None

    async def warm_up(self) -> None:
        """Load the model now, in the reader's thread (else the first photo pays ~0.3 s)."""
        await asyncio.wrap_future(self._pool.submit(self.engine.load))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _done(self) -> None:
        self._waiting -= 1

    def _read(self, photo: bytes, today: date) -> CardFront:
        start = time.perf_counter()
        front = read_front(self.engine.lines(photo), today=today)
        # The outcome only: the number, even masked, says nothing useful to an operator here.
        log.info("card photo read in %.2f s: %s", time.perf_counter() - start, front.outcome)
        return front


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    """From the reader's thread: a loop closed meanwhile has no count left to keep."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback)
