"""The database runner: one code path for SQLite and PostgreSQL.

Use cases are plain synchronous functions `fn(session, *args, **kwargs)`. `Database.run` gives
each call one session, commits when it returns and rolls back when it raises:

* SQLite (`sqlite:///data/app.db`): a sync engine on pysqlite, each unit of work in ONE
  writer thread: one hop per call, ~4x cheaper than the async ORM on aiosqlite (~9 hops).
  `run_on_loop` (one inbound event's short unit of work) skips even that hop: see there.
* PostgreSQL (`postgresql+asyncpg://...`): an AsyncEngine; the same sync function runs on a
  synchronous Session over it, in one greenlet per unit (cases/pg_unit.py), so the code that
  works on a laptop works on the cluster.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from cases.availability import is_busy, no_running_loop, reachable, stale
from cases.crypto import load_vault
from cases.db_migrations import Migrations
from cases.errors import MissingKey, StoreUnavailable
from cases.loop_unit import LoopUnits
from cases.pg_unit import run_unit
from cases.sqlite import (
    BUSY_TIMEOUT_MS,
    normalize_url,
    sqlite_engine,
    sqlite_path,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

    from app.settings import Settings
    from cases.crypto import Vault

log = logging.getLogger(__name__)

T = TypeVar("T")


class UnitOfWork:
    """One session kept open across several calls (see `Database.unit_of_work`)."""

    def __init__(self, db: Database, session: Session | AsyncSession) -> None:
        self._db, self._session = db, session

    async def call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        with reachable():
            if self._db._executor is not None:
                assert isinstance(self._session, Session)
                return await self._db._in_thread(partial(fn, self._session, *args, **kwargs))
            return await self._session.run_sync(fn, *args, **kwargs)  # type: ignore[union-attr]


class Database(Migrations):
    """Sessions and units of work over one database URL. Build one per process (in the
    composition root) and `await close()` it on shutdown."""

    def __init__(
        self,
        url: str,
        *,
        vault: Vault | None = None,
        schema: str | None = None,
        echo: bool = False,
    ) -> None:
        self.url = normalize_url(url)
        self.vault = vault
        self.schema = schema
        self._closed = False
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        # Repositories that encrypt find the vault on their session (see cases.crypto).
        info = {"vault": vault}
        self._executor: ThreadPoolExecutor | None = None
        self._engine: Engine | None = None
        self._async_engine: AsyncEngine | None = None
        self._loop_units: LoopUnits | None = None
        if self.dialect == "sqlite":
            self._engine = sqlite_engine(self.url, echo=echo, busy_timeout_ms=BUSY_TIMEOUT_MS)
            self._sessions = sessionmaker(self._engine, expire_on_commit=False, info=info)
            # An in-memory database is one connection: it cannot be shared with the thread.
            if sqlite_path(self.url) is not None:
                loop_engine = sqlite_engine(self.url, echo=echo, busy_timeout_ms=0)
                self._loop_units = LoopUnits(loop_engine, info)
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="case-store")
        elif self.dialect == "postgresql":
            connect_args: dict[str, Any] = {}
            if schema:
                connect_args["server_settings"] = {"search_path": schema}
            # No pre-ping: it is a round trip on every checkout, a third of an event's client
            # CPU. A pooled connection the server dropped (a restart) fails its first
            # statement instead, and `run` then runs the unit once more on a fresh one.
            self._async_engine = create_async_engine(
                self.url, echo=echo, connect_args=connect_args
            )
            self._async_sessions = async_sessionmaker(
                self._async_engine, expire_on_commit=False, info=info
            )
            self._info = info  # `run`'s sessions' (cases/pg_unit.py)
        else:
            raise ValueError(f"unsupported database {self.dialect!r}: use sqlite or postgresql")

    def require_vault(self) -> Vault:
        """The data key's vault (files and personal data are encrypted with it)."""
        if self.vault is None:
            raise MissingKey("this Database was built without a vault (Database(vault=))")
        return self.vault

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run `fn(session, *args, **kwargs)` as one transaction and return its result.

        Raises StaleConversation when a conversation saved meanwhile by someone else was
        written from a stale copy; every other error propagates after the rollback. Objects
        returned stay readable afterwards (expire_on_commit=False) but are detached: load
        them again inside the next unit of work to change them. On SQLite a cancelled caller
        does not stop the unit of work already handed to the writer thread: it still commits
        or rolls back as a whole.

        Raises StoreUnavailable when the database cannot be used right now (locked beyond the
        busy timeout, unreadable, unreachable, connection dropped): nothing was written.
        """
        with reachable():
            if self._executor is not None:
                return await self._in_thread(partial(self._run_sync, fn, args, kwargs))
            assert self._async_engine is not None
            return await run_unit(self._async_engine.sync_engine, self._info, fn, args, kwargs)

    async def run_on_loop(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """`run` for a short unit of work, such as one inbound event's (a millisecond or less).

        On a SQLite file it runs right here on the event loop, with a zero busy timeout: the
        work is Python under the GIL either way, and the hop to the writer thread and back cost
        about 0.15-0.2 ms of CPU per event in benchmarks/conversation.py, a quarter of the
        event. When another connection holds the write lock (a staff command, a second
        process), the unit is rolled back and run again through `run`, which waits for the
        lock in the writer thread, off the loop. So `fn` may run twice: it must do nothing but
        database work. Long units (batches, documents) belong in `run`: this one blocks the
        loop while it works. Elsewhere (PostgreSQL, in-memory SQLite) it is `run`.
        """
        if self._loop_units is not None:
            try:
                with reachable():
                    return self._loop_units.run(fn, args, kwargs)
            except StoreUnavailable as exc:
                cause = exc.__cause__
                if not isinstance(cause, OperationalError) or not is_busy(cause):
                    raise
                log.debug("database locked by another connection: waiting in the writer thread")
        return await self.run(fn, *args, **kwargs)

    def run_blocking(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """`run` for synchronous callers (CLI commands), never from inside a running loop."""
        if self._executor is not None:
            with reachable():
                return self._executor.submit(self._run_sync, fn, args, kwargs).result()
        no_running_loop()

        async def once() -> T:
            try:
                return await self.run(fn, *args, **kwargs)
            finally:
                # asyncpg connections belong to the loop that made them; this loop ends here.
                assert self._async_engine is not None
                await self._async_engine.dispose()

        return asyncio.run(once())

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One session for several calls, committed at the end (rolled back on error).

        Prefer `run`: a unit of work held open across awaits holds SQLite's write lock too.
        """
        if self._executor is not None:
            session = self._sessions()
            try:
                yield UnitOfWork(self, session)
                await self._in_thread(session.commit)
            except StaleDataError as exc:
                await self._in_thread(session.rollback)
                raise stale(exc) from exc
            except BaseException:
                await self._in_thread(session.rollback)
                raise
            finally:
                await self._in_thread(session.close)
            return
        async with self._async_sessions() as asession:
            try:
                yield UnitOfWork(self, asession)
                await asession.commit()
            except StaleDataError as exc:
                await asession.rollback()
                raise stale(exc) from exc

    def _run_sync(
        self,
        fn: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> T:
        with self._sessions() as session:
            try:
                result = fn(session, *args, **kwargs)
                session.commit()
            except StaleDataError as exc:
                session.rollback()
                raise stale(exc) from exc
            except BaseException:
                session.rollback()
                raise
            return result

    async def _in_thread(self, call: Callable[[], T]) -> T:
        assert self._executor is not None
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def run_on_connection(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run `fn(connection, ...)` in a transaction on a Core connection (DDL, inspection,
        Alembic); returns its result."""
        if self._engine is not None:
            engine = self._engine

            def work() -> T:
                with engine.begin() as conn:
                    return fn(conn, *args, **kwargs)

            return await self._in_thread(work)
        assert self._async_engine is not None
        async with self._async_engine.begin() as conn:
            return await conn.run_sync(fn, *args, **kwargs)

    async def close(self) -> None:
        """Release connections and the worker thread; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._loop_units is not None:
            self._loop_units.close()
        if self._executor is not None:
            assert self._engine is not None
            await self._in_thread(self._engine.dispose)
            self._executor.shutdown(wait=True)
        elif self._async_engine is not None:
            await self._async_engine.dispose()

    def close_blocking(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._loop_units is not None:
            self._loop_units.close()
        if self._executor is not None:
            assert self._engine is not None
            self._executor.submit(self._engine.dispose).result()
            self._executor.shutdown(wait=True)
        # PostgreSQL: run_blocking already disposed its connections with its loop.


def open_database(settings: Settings, *, migrate: bool | None = None) -> Database:
    """The application's database from settings (the start command calls this).

    On the embedded SQLite default it creates the data directory and applies the migrations;
    on PostgreSQL migrations are an explicit deployment step (`python main.py db upgrade`)
    unless `migrate=True`, so that a cluster of workers never races to migrate.
    """

    url = normalize_url(settings.database.url)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    db = Database(url, vault=load_vault(settings), schema=settings.database.schema_name or None)
    if migrate if migrate is not None else db.is_sqlite:
        db.upgrade_if_behind_blocking()
    return db
