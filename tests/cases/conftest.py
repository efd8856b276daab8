from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cases.db import Database
from tests.cases.databases import postgres_database, sqlite_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """The same test on both databases, each freshly created."""
    if request.param == "sqlite":
        async with sqlite_database(tmp_path) as database:
            yield database
    else:
        async with postgres_database() as database:
            yield database
