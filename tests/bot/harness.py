"""Running the real bot (PTB Application, our handlers, polling or webhook) in the test's
event loop against the loopback Bot API server, and a conversation fake that records."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from app.settings import Settings
from bot.app import serve
from cases.db import Database
from cases.files import FileStore
from dialogs.events import Event
from locales.replies import Msg, Reply
from tests.fake_bot_api import FakeBotApi


def bot_settings(api: FakeBotApi, tmp_path: Path, **telegram: Any) -> Settings:
    settings = Settings()
    settings.data_dir = tmp_path
    settings.files.dir = tmp_path / "files"
    settings.database.url = f"sqlite:///{tmp_path / 'app.db'}"
    tg = settings.telegram
    tg.token = SecretStr(api.token)
    tg.api_base = api.base_url
    tg.album_wait_seconds = 0.3
    tg.polling_timeout = 1
    for name, value in telegram.items():
        setattr(tg, name, value)
    return settings


@dataclass
class FakeOutcome:
    state: str
    case_number: str | None
    language: str
    replies: list[Reply]
    duplicate: bool = False


@dataclass
class RecordingConversation:
    """Stands in for dialogs.service: records each event, drops repeated update ids, answers
    with `script(event)` (default: one plain acknowledgement)."""

    language: str = "zh_CN"
    script: Callable[[Event], list[Reply]] = field(
        default=lambda event: [Reply(Msg("bot.command.help"))]
    )
    events: list[tuple[str, Event, str | None]] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    kept: list[tuple[str, str, Reply]] = field(default_factory=list)  # keep_replies

    async def handle(
        self, channel: str, user_id: str, event: Event, update_id: str | None = None
    ) -> FakeOutcome:
        duplicate = update_id is not None and update_id in self._seen
        if update_id is not None:
            self._seen.add(update_id)
        self.events.append((user_id, event, update_id))
        replies = [] if duplicate else self.script(event)
        return FakeOutcome("asking", None, self.language, replies, duplicate)

    async def keep_replies(
        self, channel: str, user_id: str, replies: Sequence[Reply], key: str
    ) -> None:
        self.kept.extend((user_id, key, reply) for reply in replies)

    async def kept_replies_waiting(self, channel: str, user_id: str) -> bool:
        return any(uid == user_id for uid, _, _ in self.kept)

    def events_of(self, user_id: int) -> list[Event]:
        return [event for uid, event, _ in self.events if uid == str(user_id)]


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, service: Any, db: Database) -> AsyncIterator[FileStore]:
    """The whole channel, as `python main.py run` starts it, inside this event loop."""
    store = FileStore(settings.files.dir, settings.files.max_bytes, vault=db.require_vault())
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, service, db, store, stop, ready=ready))
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait([task, waiting], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # start-up failed: show why
    try:
        yield store
    finally:
        stop.set()
        waiting.cancel()
        await asyncio.wait_for(task, 10)
