"""Where updates enter, from polling or the webhook alike: one applicant's updates are handled
in the order they came, the parts of an album are gathered into one, and `feed` returns only
when its update is fully handled, so that polling confirms an offset (and the webhook answers
Telegram) only for what is done: a crash before that makes Telegram deliver it again.

Serialisation across worker processes is the conversation service's job (the database
decides). Webhook workers on PostgreSQL share the order and the album parts through the
database instead (`bot.shared_intake`): `shared` is set then, and `feed` returns once the
update is recorded there (handled in turn after, by another worker if this one dies).
Otherwise (one process, SQLite or polling) the ordering and the albums here are all there is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import Application

if TYPE_CHECKING:
    from bot.shared_intake import SharedIntake

log = logging.getLogger(__name__)


@dataclass
class Album:
    """The parts of one media group seen so far; complete once no part came for a while."""

    key: tuple[int, str]
    parts: list[Update] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def add(self, update: Update) -> None:
        self.parts.append(update)
        self.arrived.set()

    def ordered(self) -> list[Update]:
        # Telegram numbers the messages of an album in the order the applicant sent them.
        return sorted(self.parts, key=lambda u: u.effective_message.message_id)  # type: ignore[union-attr]


class Intake:
    """Feeds updates to the PTB Application's handlers, in order per applicant."""

    def __init__(self, application: Application, *, album_wait: float = 1.0) -> None:
        self.application = application
        self.album_wait = album_wait
        self._tails: dict[int, asyncio.Future[None]] = {}
        self._albums: dict[tuple[int, str], Album] = {}
        self._leaders: dict[int, list[Update]] = {}  # first part's update_id -> the parts
        self.shared: SharedIntake | None = None  # several workers on one database

    def album_parts(self, update: Update) -> list[Update]:
        """The updates an upload handler must treat as one: the album it leads, or itself."""
        return self._leaders.get(update.update_id) or [update]

    async def feed(self, update: Update) -> None:
        user = update.effective_user
        message = update.effective_message
        group = message.media_group_id if message is not None else None
        if self.shared is not None:
            await self.shared.feed(update, user.id if user is not None else None, group)
            return
        if user is not None and group:
            key = (user.id, group)
            album = self._albums.get(key)
            if album is not None:
                album.add(update)
                await asyncio.shield(album.done)  # answered when the whole album is handled
                return
            album = Album(key)
            album.add(update)
            self._albums[key] = album
            await self._in_turn(user.id, self._album(album))
            return
        await self._in_turn(user.id if user is not None else None, self._process(update))

    async def _album(self, album: Album) -> None:
        try:
            # Complete when album_wait passes with no new part (parts arrive within ~0.1 s).
            while True:
                album.arrived.clear()
                try:
                    await asyncio.wait_for(album.arrived.wait(), self.album_wait)
                except TimeoutError:
                    break
            del self._albums[album.key]
            await self._process_parts(album.ordered())
        finally:
            self._albums.pop(album.key, None)
            if not album.done.done():
                album.done.set_result(None)

    async def _process(self, update: Update) -> None:
        await self.application.process_update(update)

    async def handle_parts(self, parts: Sequence[Update]) -> None:
        """An update, or an album's parts (in order), gathered elsewhere: handled in turn."""
        user = parts[0].effective_user
        await self._in_turn(user.id if user is not None else None, self._process_parts(parts))

    async def _process_parts(self, parts: Sequence[Update]) -> None:
        leader = parts[0]
        if len(parts) > 1:
            self._leaders[leader.update_id] = list(parts)
        try:
            await self._process(leader)
        finally:
            self._leaders.pop(leader.update_id, None)

    async def _in_turn(self, user_id: int | None, work: object) -> None:
        """Run `work` after every earlier update of the same applicant in this process."""
        assert asyncio.iscoroutine(work)
        if user_id is None:
            await work
            return
        previous = self._tails.get(user_id)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[user_id] = mine
        try:
            if previous is not None:
                try:
                    await asyncio.shield(previous)
                except asyncio.CancelledError:
                    work.close()  # never started: close it, or Python warns it was not awaited
                    raise
            await work
        finally:
            mine.set_result(None)
            if self._tails.get(user_id) is mine:
                del self._tails[user_id]
