"""`StoreUnavailable` means "the database cannot be used right now", never "the work is wrong":
a channel answers the first with "busy, try again" and must not say so for a bug."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from cases.db import Database
from cases.errors import StoreUnavailable
from tests.cases.databases import PG_URL, vault_for_tests


async def test_a_mistake_in_the_work_is_not_called_unavailable(db: Database) -> None:
    def missing_table(session: object) -> None:
        session.execute(text("SELECT * FROM no_such_table"))  # type: ignore[attr-defined]

    with pytest.raises(DBAPIError) as raised:
        await db.run(missing_table)
    assert not isinstance(raised.value, StoreUnavailable)
    assert await db.run(lambda session: session.execute(text("SELECT 1")).scalar()) == 1


async def test_a_server_that_refuses_connections_is_unavailable() -> None:
    nowhere = make_url(PG_URL).set(host="127.0.0.1", port=1)  # nothing listens on port 1
    db = Database(nowhere.render_as_string(False), vault=vault_for_tests())
    try:
        with pytest.raises(StoreUnavailable):
            await db.run(lambda session: session.execute(text("SELECT 1")).scalar())
    finally:
        await db.close()


async def test_a_sqlite_file_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file.db"
    folder.mkdir()  # a directory where the file should be: SQLITE_CANTOPEN
    db = Database(f"sqlite:///{folder}", vault=vault_for_tests())
    try:
        with pytest.raises(StoreUnavailable):
            await db.run(lambda session: session.execute(text("SELECT 1")).scalar())
        with pytest.raises(StoreUnavailable):
            await db.run_on_loop(lambda session: session.execute(text("SELECT 1")).scalar())
    finally:
        await db.close()
