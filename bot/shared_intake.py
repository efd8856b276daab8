"""Several webhook workers on one PostgreSQL database, behind a front that spreads updates
over them: one applicant's updates are handled in the order of their update ids, and the
parts of an album that reached different workers become one album with one reply.

What Telegram guarantees (docs/telegram-delivery.md): the messages of one chat come one at a
time, the next only after our 2xx; button presses come on a queue of their own, beside them;
a failed delivery is retried; and the update ids of one bot are consecutive across all chats.
So:

* Acknowledged once recorded: each update is stored (its JSON encrypted) in
  `inbound_updates` and answered 2xx at once, then handled in turn. Holding the answer until
  handled would hold the chat's next message at Telegram, and so every newer update waiting
  for that message's id: one applicant at a time across the deployment.
* Order: an update is handled once (1) every older update id has been recorded by some
  worker (the shared floor: a missing id is an update still on its way, such as the button
  pressed just before a text, and is waited for however busy the machine is), and (2) the
  applicant's older updates, wherever they arrived, are handled; handling itself holds the
  applicant's advisory lock (`cases.repositories.take_update`). bot/update_turns.py asks
  for all the updates a worker holds at once, lowest ids first. Only when no missing id
  comes for TELEGRAM__ORDER_WAIT_SECONDS (Telegram dropped it; or a new deployment's first
  update, below which nothing is known) does the floor pass the gap, once. An update older
  than one already handled (it arrived late) is handled next, not dropped.
* Albums: a part is stored in `album_parts` too. Every worker holding a part waits for the
  album's quiet window; the first to see it close claims the parts and holds them as one
  update; the others find them claimed.
* A worker killed with updates in hand: they are in the database; another worker's sweep
  takes on an update or album left unhandled for STALE_CLAIM seconds (handled twice is
  harmless: the processed mark keeps one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from datetime import datetime, timedelta

from telegram import Bot, Update

from bot.config import CHANNEL
from bot.update_turns import FIRST_POLL, LAST_POLL, STALE_CLAIM, Handle, Turns
from cases.db import Database
from cases.errors import StoreUnavailable
from cases.models import utcnow
from cases.repositories import inbound

log = logging.getLogger(__name__)


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
        self.turns = Turns(db, handle, order_wait=order_wait)

    async def feed(self, update: Update, user_id: int | None, group: str | None) -> None:
        """Returns once the update is recorded (Telegram may send the chat's next one);
        `user_id` None: an update of no applicant, recorded all the same, or the newer ones
        would wait for its id."""
        applicant = "" if user_id is None else str(user_id)
        if group and user_id is not None:
            await self._add_part(update, applicant, group)
            return
        payload = json.dumps(update.to_dict(), ensure_ascii=False)
        await self.db.run(inbound.record_arrival, CHANNEL, applicant, update.update_id, payload)
        self.turns.hold([update], applicant, inbound.forget_arrivals)

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
                if utcnow() - last < timedelta(seconds=self.album_wait):
                    continue
                await self._wait_for_ids_taken_so_far()
                if await self.db.run(inbound.last_part_at, CHANNEL, group) == last:
                    break  # no part came meanwhile: the album is whole
            await self._handle_album(group, user_id, stale_before=utcnow())
        except StoreUnavailable:
            log.warning("album %s left for the sweep: the database is unavailable", group)
        finally:
            self._gathering.pop(group, None)

    async def _wait_for_ids_taken_so_far(self) -> None:
        """A quiet window is a time, which a busy machine outlasts: a part may still be on
        its way. Its id is below the newest one taken in by now (Telegram numbers an album's
        parts as it receives them, together), so wait until every id up to that one has come
        (`order_wait` at most: a gap that stays open is the turns' to give up)."""
        newest = await self.db.run(inbound.newest_taken, CHANNEL)
        loop = asyncio.get_running_loop()
        started, pause = loop.time(), FIRST_POLL
        while newest is not None and loop.time() - started < self.order_wait:
            if await self.db.run(inbound.floor_reached, CHANNEL, newest):
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, LAST_POLL)

    async def _handle_album(self, group: str, user_id: str, *, stale_before: datetime) -> None:
        payloads = await self.db.run(
            inbound.claim_album, CHANNEL, group, self.worker, stale_before
        )
        if payloads:
            parts = [Update.de_json(json.loads(p), self.bot) for p in payloads]
            await self.turns.hold(parts, user_id, inbound.finish_album).done

    async def _take_on_album(self, group: str, user_id: str, stale_before: datetime) -> None:
        try:
            await self._handle_album(group, user_id, stale_before=stale_before)
        except StoreUnavailable:
            log.warning("album %s left for the next sweep: the database is unavailable", group)
        finally:
            self._gathering.pop(group, None)

    async def sweep(self, stop: asyncio.Event) -> None:
        """Take on updates and albums nobody is handling (their workers were killed), until
        `stop`."""
        every = max(self.album_wait, 1.0)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            if stop.is_set():
                return
            try:
                await self._sweep_once()
            except StoreUnavailable:
                log.warning("intake sweep skipped: the database is unavailable")

    async def _sweep_once(self) -> None:
        now = utcnow()
        # Beyond what a live gatherer may take: its window, then the wait for the ids so far.
        quiet_before = now - timedelta(seconds=3 * self.album_wait + self.order_wait + 1)
        stale_before = now - timedelta(seconds=STALE_CLAIM)
        groups = await self.db.run(inbound.orphan_albums, CHANNEL, quiet_before, stale_before)
        for group, user_id in groups:
            if group not in self._gathering:
                log.info("album %s had no worker: this one handles it", group)
                self._gathering[group] = asyncio.create_task(
                    self._take_on_album(group, user_id, stale_before), name=f"album-{group}"
                )
        for user_id, payload in await self.db.run(
            inbound.claim_stale_updates, CHANNEL, stale_before
        ):
            update = Update.de_json(json.loads(payload), self.bot)
            log.info("update %s had no worker: this one handles it", update.update_id)
            self.turns.hold([update], user_id, inbound.forget_arrivals)

    async def close(self) -> None:
        """Stop; what is still in hand stays in the database for the other workers' sweep."""
        for task in self._gathering.values():
            task.cancel()
        await asyncio.gather(*self._gathering.values(), return_exceptions=True)
        await self.turns.close()
