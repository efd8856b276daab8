"""A scripted applicant over the real service on a real database: a SQLite file (tmp_path)
and a fresh PostgreSQL schema; every test taking `db` (or what builds on it) runs on both.
PostgreSQL skips with the reason when unreachable, and fails instead under CI=true."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.settings import Settings
from cases.db import Database
from dialogs.events import Choice, Command, Contact, Event, Files, StoredFile, Text
from dialogs.service import ConversationService, Outcome
from locales import Translator
from locales.replies import Msg, render
from policy.idcard import check_character
from tests.cases.databases import postgres_database, postgres_schema, sqlite_database

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Ejin Horo Banner


def id_number(birth: str, male: bool = True, region: str = "150627") -> str:
    """A valid 18-character ID number for a birth date YYYYMMDD."""
    first17 = f"{region}{birth}12{'1' if male else '2'}"
    return first17 + check_character(first17)


def page(name: str, problem: str | None = None) -> StoredFile:
    """A page already stored by a channel; distinct names give distinct hashes."""
    sha = hashlib.sha256(name.encode()).hexdigest()
    return StoredFile(sha, "image/jpeg", 250_000, 1600, 1200, problem=problem)


def _keys(msg: Msg) -> list[str]:
    return [*(_keys(msg.lead) if msg.lead else []), msg.key]


class Person:
    """One applicant talking to the service; keeps the last outcome, as a channel would."""

    def __init__(self, service: ConversationService, user: str = "u1") -> None:
        self.service, self.user = service, user
        self.last: Outcome | None = None
        self.updates = 0
        self.shown: int | None = None  # the number of the latest message with buttons

    def keep(self, outcome: Outcome) -> Outcome:
        self.last = outcome
        numbers = [r.shown for r in outcome.replies if r.shown is not None]
        self.shown = numbers[-1] if numbers else self.shown
        return outcome

    async def send(self, event: Event) -> Outcome:
        self.updates += 1
        return self.keep(await self.service.handle("test", self.user, event, update_id=None))

    async def text(self, text: str) -> Outcome:
        return await self.send(Text(text))

    async def tap(self, choice: str) -> Outcome:
        """A button of the latest message with buttons (versioned like a real button)."""
        assert self.last is not None
        return await self.send(Choice(choice, self.last.question, self.shown))

    async def tap_older(self, choice: str, question: str, shown: int | None) -> Outcome:
        """A button of an older message, still on the screen above."""
        return await self.send(Choice(choice, question, shown))

    async def command(self, name: str, argument: str = "") -> Outcome:
        return await self.send(Command(name, argument))  # type: ignore[arg-type]

    async def files(self, *pages: StoredFile) -> Outcome:
        return await self.send(Files(tuple(pages)))

    async def contact(self, phone: str) -> Outcome:
        return await self.send(Contact(phone))

    # ---- what the applicant sees ----
    @property
    def question(self) -> str | None:
        assert self.last is not None
        return self.last.question

    def message_keys(self) -> list[str]:
        """What was said, in order: a line on top of a message (what was wrong, what was
        recorded) before the message's own key. `messages()` counts the messages."""
        assert self.last is not None
        return [k for r in self.last.replies for k in _keys(r.message)]

    def messages(self) -> int:
        assert self.last is not None
        return len(self.last.replies)

    def texts(self) -> str:
        assert self.last is not None
        tr = Translator(self.last.language)
        return "\n".join(render(r.message, tr) for r in self.last.replies)

    def choices(self) -> list[str]:
        assert self.last is not None
        asked = [r for r in self.last.replies if r.question]
        return [o.id for o in asked[-1].choices] if asked else []

    async def through_identity(
        self, name: str = "张建国", number: str | None = None, phone: str = "13847712345"
    ) -> Outcome:
        await self.command("start")
        await self.tap("zh_CN")
        await self.tap("agree")
        await self.text(name)
        await self.text(number or id_number("19650315"))
        return await self.text(phone)

    async def to_the_form_upload(self) -> Outcome:
        """A man in flexible employment (no employer: the form needs no stamp), nothing
        special, up to the first upload: the form's."""
        await self.through_identity()
        await self.tap("normal")
        await self.text("20年")
        await self.tap("ulan_mulun")
        await self.text("没有")
        for answer in ("一样", "没交过", "没有", "不是"):
            await self.text(answer)
        assert self.question == "ask_upload_application_form", self.question
        assert self.last is not None
        return self.last


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return lambda: NOW


class Store:
    """Opens the test's database as often as a test needs: each `open()` is a separate
    Database object (as a restarted process or a second worker would build) on the SAME
    records; `create=True` builds the tables first."""

    def __init__(self, kind: str, tmp_path: Path, schema: str | None) -> None:
        self.kind, self.tmp_path, self.schema = kind, tmp_path, schema

    def open(self, *, create: bool = False) -> AbstractAsyncContextManager[Database]:
        if self.kind == "sqlite":
            return sqlite_database(self.tmp_path, create=create)
        return postgres_database(self.schema, create=create)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        yield Store("sqlite", tmp_path, None)
        return
    async with postgres_schema() as schema:
        yield Store("postgresql", tmp_path, schema)


@pytest.fixture
async def db(store: Store) -> AsyncIterator[Database]:
    async with store.open(create=True) as database:
        yield database


@pytest.fixture
def settings() -> Settings:
    """The defaults (and the environment), as `main.py` would build them, once per test."""
    return Settings()


@pytest.fixture
def service(
    db: Database, settings: Settings, clock: Callable[[], datetime]
) -> ConversationService:
    return ConversationService(db, settings, clock=clock)


@pytest.fixture
def person(service: ConversationService) -> Person:
    return Person(service)


def rows(db: Database, fn: Callable[[Any], Any]) -> Any:
    """Read the record directly (what a clerk or the platform would see)."""
    return db.run(fn)
