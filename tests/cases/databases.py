"""Test databases, for this suite and for any other that needs the case store.

    async with sqlite_database(tmp_path) as db: ...
    async with postgres_database() as db: ...   # a fresh schema, dropped afterwards

PostgreSQL (127.0.0.1:5432, database `test`, user postgres; TEST_DATABASE_URL overrides)
skips with the reason when unreachable, except under CI=true, where it fails instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from cases.crypto import Vault
from cases.db import Database

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
TEST_KEY = bytes(range(32))


def vault_for_tests() -> Vault:
    return Vault(TEST_KEY)


def _asyncpg_dsn() -> str:
    return PG_URL.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(_asyncpg_dsn(), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        reason = f"PostgreSQL unreachable at {_asyncpg_dsn()}: {exc!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run, not skip)")
        pytest.skip(reason)


@asynccontextmanager
async def sqlite_database(
    directory: Path, *, create: bool = True, echo: bool = False
) -> AsyncIterator[Database]:
    db = Database(f"sqlite:///{directory / 'app.db'}", vault=vault_for_tests(), echo=echo)
    try:
        if create:
            await db.create_all()
        yield db
    finally:
        await db.close()


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """A fresh, empty schema name, dropped afterwards."""
    admin = await _admin()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


@asynccontextmanager
async def postgres_database(
    schema: str | None = None, *, create: bool = True, echo: bool = False
) -> AsyncIterator[Database]:
    if schema is not None:
        db = Database(PG_URL, vault=vault_for_tests(), schema=schema, echo=echo)
        try:
            if create:
                await db.create_all()
            yield db
        finally:
            await db.close()
        return
    async with (
        postgres_schema() as fresh,
        postgres_database(fresh, create=create, echo=echo) as db,
    ):
        yield db
