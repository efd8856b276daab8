"""Alembic migrations bring an empty database to exactly the models' schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from app.settings import DatabaseSettings, FileSettings, SecuritySettings, Settings
from cases.db import open_database
from cases.migrate import MIGRATIONS, alembic_config, current_revision
from cases.models import Base
from tests.cases.databases import postgres_database, sqlite_database


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_migrations_upgrade_an_empty_database_to_the_models(
    kind: str, tmp_path: Path
) -> None:
    opener = sqlite_database(tmp_path, create=False) if kind == "sqlite" else None
    async with opener or postgres_database(create=False) as db:
        await db.upgrade()
        assert await db.run_on_connection(_differences) == []
        assert await db.run_on_connection(current_revision) == _head()
        await db.upgrade()  # a second run is a no-op


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
    finally:
        db.close_blocking()
