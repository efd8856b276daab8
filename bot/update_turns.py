"""One worker's turns at the updates it holds (bot/shared_intake.py): it asks the database,
for all of them at once and lowest ids first, which may be handled now (every older update
id taken in by some worker, the applicant's older updates handled: `inbound.whose_turn`),
handles those, up to HANDLING applicants at a time, and gives up a gap in the ids that no
missing update came to close for `order_wait` seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Update

from bot.config import CHANNEL
from cases.db import Database
from cases.errors import StoreUnavailable
from cases.models import utcnow
from cases.repositories import inbound

log = logging.getLogger(__name__)
# An update waits for the applicant's older ones as long as they are being handled (a busy
# deployment takes its time); the bound is for a row nobody will handle.
ORDER_PATIENCE = 300.0
STALE_CLAIM = 60.0  # an update or album taken on this long ago and still there: its worker died
FIRST_POLL, LAST_POLL = 0.02, 0.25  # asking whose turn it is: the pause, doubling
HANDLING = 8  # updates of different applicants handled at once by one worker (its pool: 15)
FINISHING = 10.0  # a stopping worker lets the updates it is handling finish this long

Handle = Callable[[Sequence[Update]], Awaitable[None]]


@dataclass(eq=False)
class Held:
    """An update, or an album's parts, taken in by this worker and not yet handled."""

    parts: list[Update]
    user_id: str  # "": no applicant
    finish: Any  # the unit of work that forgets it once handled
    since: float  # loop time it was taken on
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def waiting(self) -> inbound.Waiting:
        ids = [p.update_id for p in self.parts]
        return inbound.Waiting(ids[0], ids[-1], self.user_id)


class Turns:
    """The updates one worker holds, handled by `handle` each in its turn."""

    def __init__(self, db: Database, handle: Handle, *, order_wait: float) -> None:
        self.db, self.handle, self.order_wait = db, handle, order_wait
        self._held: dict[int, Held] = {}  # by first update id
        self._handling: dict[int, asyncio.Task[None]] = {}
        self._arrived = asyncio.Event()
        self._turns: asyncio.Task[None] | None = None
        self._floor: int | None = None
        self._floor_moved = 0.0  # loop time the floor last rose (or a give-up)

    def hold(self, parts: list[Update], user_id: str, finish: Any) -> Held:
        first = parts[0].update_id
        held = self._held.get(first)
        if held is None:  # not a delivery again of one in hand
            loop = asyncio.get_running_loop()
            held = Held(parts, user_id, finish, loop.time())
            self._held[first] = held
            if self._turns is None or self._turns.done():
                self._turns = asyncio.create_task(self._take_turns(), name="intake-turns")
        self._arrived.set()
        return held

    async def _take_turns(self) -> None:
        """Ask the database whose turn it is among the updates held here, lowest ids first,
        and start handling those; give a gap up when no missing id came for `order_wait`."""
        loop = asyncio.get_running_loop()
        pause, kept = FIRST_POLL, loop.time()
        while self._held:
            if loop.time() - kept > STALE_CLAIM / 4:  # a busy worker holds updates long
                kept = loop.time()
                with contextlib.suppress(StoreUnavailable):
                    held = [p.update_id for h in self._held.values() for p in h.parts]
                    await self.db.run(inbound.keep_claims, CHANNEL, held)
            waiting = sorted(
                (h for first, h in self._held.items() if first not in self._handling),
                key=lambda h: h.parts[0].update_id,
            )
            started = 0
            if waiting and len(self._handling) < HANDLING:
                try:
                    started = await self._take_turn(waiting, loop.time())
                except StoreUnavailable:
                    log.warning("updates wait: the database is unavailable")
            pause = FIRST_POLL if started else min(pause * 2, LAST_POLL)
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), pause)

    async def _take_turn(self, waiting: list[Held], now: float) -> int:
        since = utcnow() - timedelta(seconds=ORDER_PATIENCE)
        asked = [h.waiting for h in waiting]
        floor, ready = await self.db.run(inbound.whose_turn, CHANNEL, asked, since)
        if floor != self._floor:
            self._floor, self._floor_moved = floor, now
        started = self._start(waiting, ready)
        behind = [h for h in waiting if floor is None or h.waiting.last > floor]
        if not started and behind:
            await self._give_up_gap(behind[0], now)
        return started

    def _start(self, waiting: list[Held], ready: set[int]) -> int:
        busy = {self._held[first].user_id for first in self._handling}
        started = 0
        for held in waiting:
            if len(self._handling) >= HANDLING:
                break
            first = held.parts[0].update_id
            if first in ready and not (held.user_id and held.user_id in busy):
                busy.add(held.user_id)
                self._handling[first] = asyncio.create_task(
                    self._handle_held(held), name=f"update-{first}"
                )
                started += 1
        return started

    async def _give_up_gap(self, lowest: Held, now: float) -> None:
        """The lowest update held here behind a gap in the ids: when no missing id came for
        `order_wait` seconds, Telegram will not deliver it (or, with no floor yet, nothing is
        known below). The floor passes it."""
        if now - max(self._floor_moved, lowest.since) < self.order_wait:
            return
        last = lowest.waiting.last
        missing = await self.db.run(inbound.missing_below, CHANNEL, last)
        await self.db.run(inbound.raise_floor, CHANNEL, last)
        self._floor_moved = now
        log.warning(
            "update %s goes ahead of older ids %s not taken in within %.1f s",
            last,
            missing or "(none known)",
            self.order_wait,
        )

    async def _handle_held(self, held: Held) -> None:
        first = held.parts[0].update_id
        try:
            await self.handle(held.parts)
            with contextlib.suppress(StoreUnavailable):  # left-overs expire (forget_old_updates)
                await self.db.run(held.finish, CHANNEL, [p.update_id for p in held.parts])
        except Exception:
            # Left in the database: the sweep takes it on again after STALE_CLAIM.
            log.exception("update %s not handled; tried again later", first)
        finally:
            del self._held[first], self._handling[first]
            if not held.done.done():
                held.done.set_result(None)
            self._arrived.set()

    async def close(self) -> None:
        """Stop taking turns and let the updates being handled finish (a little while); what
        is still in hand stays in the database for the other workers' sweep."""
        if self._turns is not None:
            self._turns.cancel()
        handling = list(self._handling.values())
        if handling:
            await asyncio.wait(handling, timeout=FINISHING)
        for task in handling:
            task.cancel()
        stopping = [self._turns] if self._turns is not None else []
        await asyncio.gather(*stopping, *handling, return_exceptions=True)
