from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cases.db import Database
from tests.cases.databases import sqlite_database
from tests.fake_bot_api import FakeBotApi


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with sqlite_database(tmp_path) as database:
        yield database
