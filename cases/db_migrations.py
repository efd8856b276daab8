"""The database's schema, as methods of `cases.db.Database` (this mixin): the tables made
straight from the models (tests), and the Alembic migrations under the migration lock, on
SQLite in the writer thread, on PostgreSQL through the async engine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine

from cases.availability import no_running_loop
from cases.migrate import file_lock, needs_upgrade, upgrade_connection, upgrade_locked
from cases.schema import schema_metadata
from cases.sqlite import sqlite_path

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")


class Migrations:
    url: str
    _engine: Engine | None
    _async_engine: AsyncEngine | None
    _executor: ThreadPoolExecutor | None

    async def _in_thread(self, call: Callable[[], T]) -> T:
        raise NotImplementedError  # Database's

    async def run_on_connection(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        raise NotImplementedError  # Database's

    async def create_all(self) -> None:
        """Create the tables straight from the models (tests); deployments use `upgrade`.

        The same tables as the migrations: the case store's and the platform's
        (`cases.schema`), so a test database is the real one, only faster.
        """
        await self.run_on_connection(_create_all)

    async def drop_all(self) -> None:
        await self.run_on_connection(_drop_all)

    async def upgrade(self, revision: str = "head") -> None:
        """Apply the Alembic migrations up to `revision`, under the migration lock."""
        await self._upgrade(revision, if_behind=False)

    def upgrade_if_behind_blocking(self) -> bool:
        """Migrate to head only when the database is behind; returns whether it migrated.

        Every start and every staff command calls this: at head (the common case) it costs one
        query and never imports Alembic, instead of a full Alembic run per command. When behind,
        it takes the migration lock and looks again: of several processes starting at once on
        a new database, one migrates and the others find it at head (see `cases.migrate`).
        """

        if self._executor is not None:
            assert self._engine is not None
            engine = self._engine

            def behind() -> bool:
                with engine.connect() as conn:
                    return needs_upgrade(conn)

            if not self._executor.submit(behind).result():
                return False
            return self._executor.submit(self._sqlite_upgrade("head", if_behind=True)).result()
        no_running_loop()

        async def once() -> bool:
            assert self._async_engine is not None
            try:
                async with self._async_engine.connect() as conn:
                    if not await conn.run_sync(needs_upgrade):
                        return False
                return await self._upgrade("head", if_behind=True)
            finally:
                await self._async_engine.dispose()

        return asyncio.run(once())

    def upgrade_blocking(self, revision: str = "head") -> None:
        if self._executor is not None:
            self._executor.submit(self._sqlite_upgrade(revision, if_behind=False)).result()
            return
        no_running_loop()

        async def once() -> None:
            try:
                await self.upgrade(revision)
            finally:
                assert self._async_engine is not None
                await self._async_engine.dispose()

        asyncio.run(once())

    async def _upgrade(self, revision: str, *, if_behind: bool) -> bool:
        if self._executor is not None:
            return await self._in_thread(self._sqlite_upgrade(revision, if_behind=if_behind))

        assert self._async_engine is not None
        async with self._async_engine.begin() as conn:
            return await conn.run_sync(upgrade_locked, revision, if_behind=if_behind)

    def _sqlite_upgrade(self, revision: str, *, if_behind: bool) -> Callable[[], bool]:
        """The SQLite upgrade, for the writer thread: under the lock file beside the database,
        (when `if_behind`) look at the version again, then run Alembic."""

        assert self._engine is not None
        engine, path = self._engine, sqlite_path(self.url)

        def work() -> bool:
            with file_lock(path):
                if if_behind:
                    with engine.connect() as conn:
                        if not needs_upgrade(conn):
                            return False  # another process migrated while this one waited
                with engine.begin() as conn:
                    upgrade_connection(conn, revision=revision)
            return True

        return work


def _create_all(connection: Connection) -> None:
    for metadata in schema_metadata():
        metadata.create_all(connection)


def _drop_all(connection: Connection) -> None:
    for metadata in reversed(schema_metadata()):
        metadata.drop_all(connection)
