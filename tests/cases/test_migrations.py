"""Alembic migrations bring an empty database to exactly the models' schema: the case
store's tables and the platform integration's (`cases.schema`), nothing more, nothing less."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from app.settings import DatabaseSettings, FileSettings, SecuritySettings, Settings
from cases.db import Database, open_database
from cases.migrate import (
    MIGRATIONS,
    alembic_config,
    current_revision,
    head_revision,
    upgrade_connection,
)
from cases.models import Base
from cases.models.platform import PlatformBase
from cases.schema import schema_metadata, table_names
from tests.cases.databases import (
    PG_URL,
    postgres_database,
    postgres_schema,
    sqlite_database,
    vault_for_tests,
)

PLATFORM_TABLES = {
    "platform_emb_cases",
    "platform_emb_items",
    "platform_emb_supplements",
    "platform_emb_events",
    "platform_inbox",
    "platform_nonces",
}


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, schema_metadata())  # type: ignore[arg-type]


def _downgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(connection), revision)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_migrations_upgrade_an_empty_database_to_the_models(
    kind: str, tmp_path: Path
) -> None:
    opener = sqlite_database(tmp_path, create=False) if kind == "sqlite" else None
    async with opener or postgres_database(create=False) as db:
        await db.upgrade()
        assert await db.run_on_connection(_tables) == table_names() | {"alembic_version"}
        assert table_names() >= PLATFORM_TABLES
        assert table_names() == set(Base.metadata.tables) | set(PlatformBase.metadata.tables)
        assert await db.run_on_connection(_differences) == []
        assert await db.run_on_connection(current_revision) == _head()
        await db.upgrade()  # a second run is a no-op


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_an_install_whose_platform_made_its_own_tables_upgrades_cleanly(
    kind: str, tmp_path: Path
) -> None:
    """Before revision 0002 the platform created its tables on first use: such a database,
    at 0001 with the platform tables present, reaches head without an error and unchanged."""
    opener = sqlite_database(tmp_path, create=False) if kind == "sqlite" else None
    async with opener or postgres_database(create=False) as db:
        await db.upgrade("0001")
        await db.run_on_connection(PlatformBase.metadata.create_all)
        await db.upgrade()
        assert await db.run_on_connection(_differences) == []
        assert await db.run_on_connection(current_revision) == _head()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_create_all_makes_the_same_tables_as_the_migrations(
    kind: str, tmp_path: Path
) -> None:
    opener = sqlite_database(tmp_path) if kind == "sqlite" else None
    async with opener or postgres_database() as db:
        assert await db.run_on_connection(_tables) == table_names()


def test_the_cheap_head_agrees_with_alembic() -> None:
    """Start-up reads the head without importing Alembic; it must be Alembic's own head."""
    assert head_revision() == _head()


def test_autogenerate_finds_nothing_to_add_or_drop() -> None:
    """`db revision --autogenerate` against head writes an empty script: the platform tables
    are neither missing from the migrations nor taken for tables to drop."""
    from sqlalchemy import create_engine

    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        upgrade_connection(conn)
        assert _differences(conn) == []
    engine.dispose()


def test_the_rating_tallies_start_from_the_ratings_already_given() -> None:
    """0017 counts the ratings of an existing install into the tally the report reads;
    declines are not ratings."""
    from sqlalchemy import create_engine, text

    engine = create_engine("sqlite://")
    given = "INSERT INTO ratings (case_id, level, level_code, rated_at, created_at) VALUES"
    with engine.begin() as conn:
        upgrade_connection(conn, "0016_E_update_order")
        conn.execute(
            text(
                f"{given} (1, 5, 'very_satisfied', '2026-05-01', '2026-05-01'),"
                " (2, 5, 'very_satisfied', '2026-05-02', '2026-05-02'),"
                " (3, 2, 'dissatisfied', '2026-05-02', '2026-05-02')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO ratings (case_id, declined_at, created_at)"
                " VALUES (4, '2026-05-03', '2026-05-03')"
            )
        )
        upgrade_connection(conn)
        tallies = dict(conn.execute(text("SELECT level_code, ratings FROM rating_tallies")).all())
    engine.dispose()
    assert tallies == {"very_satisfied": 2, "dissatisfied": 1}


def test_the_migrations_ship_inside_the_package() -> None:
    assert MIGRATIONS.is_dir() and (MIGRATIONS / "env.py").is_file()
    assert Path(MIGRATIONS).parent.name == "cases"


def test_start_up_on_the_embedded_default_creates_data_and_migrates(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite:///{data / 'app.db'}"),
        files=FileSettings(dir=data / "files"),
        security=SecuritySettings(key_file=data / "secret.key"),
    )
    db = open_database(settings)
    try:
        assert (data / "app.db").is_file() and (data / "secret.key").is_file()
        revision = db.run_blocking(lambda session: current_revision(session.connection()))
        assert revision == _head()
        tables = db.run_blocking(lambda session: _tables(session.connection()))
        assert tables >= PLATFORM_TABLES
    finally:
        db.close_blocking()


def test_start_up_migrates_only_when_behind(tmp_path: Path) -> None:
    """An empty file and one left at an older revision are brought to head; one already at
    head is left alone (the staff commands and the bot start pay one query, not a migration)."""
    db = Database(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        assert db.upgrade_if_behind_blocking() is True
        assert db.upgrade_if_behind_blocking() is False
        db.run_blocking(lambda session: _downgrade(session.connection(), "0001"))
        assert db.upgrade_if_behind_blocking() is True
        revision = db.run_blocking(lambda session: current_revision(session.connection()))
        assert revision == _head()
    finally:
        db.close_blocking()


async def test_postgresql_start_up_migrates_only_when_behind() -> None:
    async with postgres_schema() as schema:

        def twice() -> tuple[bool, bool]:
            # The blocking form runs its own event loop: call it from a thread of its own.
            db = Database(PG_URL, vault=vault_for_tests(), schema=schema)
            return db.upgrade_if_behind_blocking(), db.upgrade_if_behind_blocking()

        assert await asyncio.to_thread(twice) == (True, False)
