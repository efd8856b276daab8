"""Several webhook workers on one PostgreSQL database, behind a front that spreads updates
over them: one applicant's updates are handled in the order of their update ids, and the
parts of an album that reached different workers become one album with one reply.

What Telegram guarantees (docs/telegram-delivery.md): the messages of one chat come one at a
time, the next only after our 2xx; button presses come on a queue of their own, beside them;
a failed delivery is retried. So:

* Order: each update is recorded in `inbound_updates` when it arrives and waits there until
  the applicant's older updates, wherever they arrived, are handled; handling itself holds
  the applicant's advisory lock (`cases.repositories.take_update`). An update older than
  one already handled (it arrived late) is handled next, not dropped.
* Albums: Telegram sends the next part only after we acknowledge this one, so a part is
  acknowledged once it is stored (encrypted) in `album_parts`, not once handled. Every worker
  holding a part waits for the album's quiet window; the first to see it close claims the
  parts and handles them as one; the others find them claimed. Parts of a worker killed
  mid-album are in the database: another worker's sweep handles an album nobody claimed,
  or whose claimer stopped answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, Update

from bot.config import CHANNEL
from cases.db import Database
from cases.errors import StoreUnavailable
from cases.models import utcnow
from cases.repositories import inbound

log = logging.getLogger(__name__)
# An update waits for older ones as long as they are being handled (a busy deployment takes
# its time); the bound is for a row nobody will handle. Telegram resends a waiting update.
ORDER_PATIENCE = 300.0
STALE_CLAIM = 60.0  # an album claimed this long ago and still there: its claimer died
FIRST_POLL, LAST_POLL = 0.02, 0.25  # waiting for older updates: the pause, doubling

Handle = Callable[[Sequence[Update]], Awaitable[None]]


class SharedIntake:
    """`feed` for one update of applicant `user_id`; `handle(parts)` runs the handlers on an
    update (or an album's parts, the first leading) in this process, in turn."""

    def __init__(
        self, db: Database, bot: Bot, handle: Handle, *, album_wait: float, order_wait: float
    ) -> None:
        self.db, self.bot, self.handle = db, bot, handle
        self.album_wait, self.order_wait = album_wait, order_wait
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._gathering: dict[str, asyncio.Task[None]] = {}

    async def feed(self, update: Update, user_id: int, group: str | None) -> None:
        if group:
            await self._add_part(update, str(user_id), group)
            return  # acknowledged once stored: Telegram sends the next part only then
        ids = [update.update_id]
        await self.db.run(inbound.record_arrival, CHANNEL, str(user_id), ids[0])
        try:
            await self._wait_turn(str(user_id), ids[0])
            await self.handle([update])
        finally:
            await self._forget(ids)

    async def _add_part(self, update: Update, user_id: str, group: str) -> None:
        payload = json.dumps(update.to_dict(), ensure_ascii=False)
        kept = await self.db.run(
            inbound.record_album_part, CHANNEL, user_id, update.update_id, group, payload
        )
        if kept and group not in self._gathering:
            task = asyncio.create_task(self._gather(group, user_id), name=f"album-{group}")
            self._gathering[group] = task

    async def _gather(self, group: str, user_id: str) -> None:
        """Wait for the album's quiet window to close, then claim it (unless another worker
        did first) and handle it."""
        try:
            while True:
                await asyncio.sleep(self.album_wait)
                last = await self.db.run(inbound.last_part_at, CHANNEL, group)
                if last is None:
                    return  # another worker claimed it
                if utcnow() - last >= timedelta(seconds=self.album_wait):
                    break
            await self._handle_album(group, user_id, stale_before=utcnow())
        except StoreUnavailable:
            log.warning("album %s left for the sweep: the database is unavailable", group)
        finally:
            self._gathering.pop(group, None)

    async def _handle_album(self, group: str, user_id: str, *, stale_before: datetime) -> None:
        payloads = await self.db.run(
            inbound.claim_album, CHANNEL, group, self.worker, stale_before
        )
        if not payloads:
            return
        parts = [Update.de_json(json.loads(p), self.bot) for p in payloads]
        ids = [p.update_id for p in parts]
        try:
            await self._wait_turn(user_id, ids[0])
            await self.handle(parts)
        finally:
            await self._forget(ids, inbound.finish_album)

    async def _wait_turn(self, user_id: str, update_id: int) -> None:
        """Until the applicant's older updates taken in by any worker are handled (a killed
        worker's: until Telegram's redelivery or the album sweep handles them); one recorded
        more than ORDER_PATIENCE ago is no longer waited for."""
        if self.order_wait:
            await asyncio.sleep(self.order_wait)  # lets older updates sent at once arrive
        loop = asyncio.get_running_loop()
        started, pause = loop.time(), FIRST_POLL
        since = utcnow() - timedelta(seconds=ORDER_PATIENCE)
        while await self.db.run(inbound.earlier_waiting, CHANNEL, user_id, update_id, since):
            if loop.time() - started > ORDER_PATIENCE:
                log.warning("update %s goes ahead of older ones never handled", update_id)
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, LAST_POLL)

    async def _forget(self, ids: list[int], how: Any = inbound.forget_arrivals) -> None:
        with contextlib.suppress(StoreUnavailable):  # left-overs expire (ORDER_PATIENCE)
            await self.db.run(how, CHANNEL, ids)

    async def sweep(self, stop: asyncio.Event) -> None:
        """Handle albums nobody is gathering (their workers were killed), until `stop`."""
        every = max(self.album_wait, 1.0)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            if stop.is_set():
                return
            try:
                await self._sweep_once()
            except StoreUnavailable:
                log.warning("album sweep skipped: the database is unavailable")

    async def _sweep_once(self) -> None:
        now = utcnow()
        quiet_before = now - timedelta(seconds=3 * self.album_wait + 1)
        stale_before = now - timedelta(seconds=STALE_CLAIM)
        groups = await self.db.run(inbound.orphan_albums, CHANNEL, quiet_before, stale_before)
        for group, user_id in groups:
            if group not in self._gathering:
                log.info("album %s had no worker: this one handles it", group)
                await self._handle_album(group, user_id, stale_before=stale_before)

    async def close(self) -> None:
        for task in list(self._gathering.values()):
            task.cancel()
        await asyncio.gather(*self._gathering.values(), return_exceptions=True)
