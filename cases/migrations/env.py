"""Alembic environment: the application's metadata, batch mode on SQLite (ALTER is limited).

The target is every table of the one database (`cases.schema`): the case store's and the
platform's `platform_*` tables, so autogenerate neither misses nor drops them.

Normally given a connection by `cases.migrate`; run standalone it connects to the URL in its
config (`sqlalchemy.url`), through asyncpg for PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection, create_engine

from cases.models import UtcDateTime
from cases.schema import schema_metadata

config = context.config
target_metadata = schema_metadata()


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations must not import the models' own types (they change over time): UtcDateTime
    # is a plain DATETIME in the database.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime()"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


def _run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///data/app.db"
    if "+asyncpg" in url:
        asyncio.run(_run_async(url))
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
