"""The application's database schema: every table metadata that the migrations manage.

One database, one migration history (`cases/migrations`). The case store's tables and the
platform's own (`platform_*`, `cases.models.platform`) keep separate metadata, so that the
embedded platform's tables can go without touching the case store; this list is the one place
that puts them together, for Alembic (`target_metadata`), for `Database.create_all` (tests) and
for the test that the migrations build exactly these tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import MetaData, inspect
from sqlalchemy.orm import Session

from cases.models import Base
from cases.models.platform import PlatformBase

if TYPE_CHECKING:
    # Only a type: `cases.db` imports this module to create the tables.
    from cases.db import Database


def schema_metadata() -> list[MetaData]:
    """Every metadata of the application's tables, the case store first (its tables are
    referenced by the others' use cases, never the other way round)."""
    return [Base.metadata, PlatformBase.metadata]


def table_names() -> set[str]:
    """The names of every table the migrations must create (besides `alembic_version`)."""
    return {name for metadata in schema_metadata() for name in metadata.tables}


def missing_platform_tables(session: Session) -> list[str]:
    present = set(inspect(session.connection()).get_table_names())
    return sorted(set(PlatformBase.metadata.tables) - present)


def check_platform_tables(session: Session) -> None:
    """A clear error when the migrations have not created the platform's tables."""
    missing = missing_platform_tables(session)
    if missing:
        raise RuntimeError(
            f"the platform tables are missing ({', '.join(missing)}): "
            "run `python main.py db upgrade` (the migrations create them)"
        )


async def ensure_schema(db: Database) -> None:
    """Check that the migrations have created the platform's tables; a clear error if not.

    Kept for callers written when the platform created its tables itself; a database from
    `open_database`, `db upgrade` or `Database.create_all` passes, and nothing is created."""
    await db.run(check_platform_tables)


def ensure_schema_blocking(db: Database) -> None:
    db.run_blocking(check_platform_tables)
