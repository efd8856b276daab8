"""Long polling with our own getUpdates loop instead of PTB's Updater.

PTB's Updater confirms a batch (the next getUpdates offset) as soon as it has fetched it; an
album still being gathered, or an update still being handled, would be lost if the process
died then. Here the offset only moves past updates whose handling has finished; unfinished
ones come back from Telegram after a restart, and the database drops the ones that were
already handled (processed-update marks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from functools import partial

from telegram import Bot, Update
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.intake import Intake
from bot.render import seconds

log = logging.getLogger(__name__)


class Poller:
    def __init__(
        self,
        bot: Bot,
        intake: Intake,
        *,
        timeout: int = 25,
        limit: int = 100,
        max_in_flight: int = 64,
        busy_poll_interval: float = 0.1,
    ) -> None:
        self.bot, self.intake = bot, intake
        self.timeout, self.limit = timeout, limit
        self.max_in_flight = max_in_flight
        self.busy_poll_interval = busy_poll_interval
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._next = 0  # the smallest update id not yet seen
        self._stopping = asyncio.Event()
        # We call getUpdates through do_api_request on purpose (raw JSON, see _poll_once).
        warnings.filterwarnings(
            "ignore", message=r"Please use 'Bot.getUpdates'", category=PTBUserWarning
        )

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Poll until `stop()`; then finish what is in flight and confirm it."""
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                fresh = await self._poll_once()
                backoff = 1.0
            except RetryAfter as exc:
                await self._sleep(seconds(exc))
                continue
            except (NetworkError, TimedOut, Conflict) as exc:
                if isinstance(exc, Conflict):
                    log.error("getUpdates conflict: another poller or a webhook is active")
                log.warning("getUpdates failed (%s); retrying in %.0f s", exc, backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if fresh:
                continue
            if self._in_flight:
                # Unconfirmed updates come back from getUpdates at once: wait a little
                # for some handling to finish instead of spinning.
                await asyncio.wait(
                    list(self._in_flight.values()),
                    timeout=self.busy_poll_interval,
                    return_when=asyncio.FIRST_COMPLETED,
                )
        if self._in_flight:
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
        with contextlib.suppress(NetworkError, TimedOut):
            await self.bot.get_updates(offset=self._offset(), timeout=0, limit=1)

    def _offset(self) -> int:
        return min(self._in_flight, default=self._next)

    async def _poll_once(self) -> bool:
        waiting = 0 if self._in_flight else self.timeout
        params: dict[str, object] = {
            "timeout": waiting,
            "limit": self.limit,
            "allowed_updates": list(Update.ALL_TYPES),
        }
        if offset := self._offset():
            params["offset"] = offset
        # The raw JSON: unconfirmed updates come back on every poll while they are handled,
        # and parsing them again each time cost more than handling them (measured: 23x).
        raw = await self._interruptible(
            self.bot.do_api_request("getUpdates", api_kwargs=params, read_timeout=waiting + 10)
        )
        fresh = False
        for data in raw or ():
            update_id = data["update_id"]
            if update_id < self._next or update_id in self._in_flight:
                continue  # already being handled (or handled) by this process
            fresh = True
            self._next = max(self._next, update_id + 1)
            update = Update.de_json(data, self.bot)
            task = asyncio.create_task(self._handle(update), name=f"update-{update_id}")
            self._in_flight[update_id] = task
            task.add_done_callback(partial(self._done, update_id))
            if len(self._in_flight) >= self.max_in_flight:
                await asyncio.wait(
                    list(self._in_flight.values()), return_when=asyncio.FIRST_COMPLETED
                )
        return fresh

    def _done(self, update_id: int, _task: object) -> None:
        self._in_flight.pop(update_id, None)

    async def _handle(self, update: Update) -> None:
        try:
            await self.intake.feed(update)
        except Exception:
            # The handlers answer the applicant themselves; this is a bug in the channel.
            log.exception("update %s could not be handled", update.update_id)

    async def _interruptible(self, call: object) -> list[dict] | None:
        assert asyncio.iscoroutine(call)
        polling = asyncio.ensure_future(call)
        stopping = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if polling in done:
            stopping.cancel()
            return polling.result()
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError, NetworkError, TimedOut):
            await polling
        return None

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
