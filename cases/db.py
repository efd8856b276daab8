"""The database runner: one code path for SQLite and PostgreSQL.

Use cases are plain synchronous functions `fn(session, *args, **kwargs)`. `Database.run` gives
each call one session, commits when it returns and rolls back when it raises:

* SQLite (`sqlite:///data/app.db`): a sync engine on pysqlite, and the whole unit of work runs
  in ONE dedicated worker thread. One writer, one thread hop per call: measured about four
  times cheaper than the async ORM on aiosqlite, which hops threads ~9 times per transaction.
  `run_on_loop` (one inbound event's short unit of work) skips even that hop: see there.
* PostgreSQL (`postgresql+asyncpg://...`): an AsyncEngine; the same sync function runs through
  `AsyncSession.run_sync`, so the code that works on a laptop works on the cluster.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import StaticPool

from cases.crypto import load_vault
from cases.errors import MissingKey, StaleConversation, StoreUnavailable
from cases.migrate import file_lock, needs_upgrade, upgrade_connection, upgrade_locked
from cases.schema import schema_metadata

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

    from app.settings import Settings
    from cases.crypto import Vault

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


def normalize_url(url: str) -> str:
    """Accept the spellings operators use; SQLite always runs on the sync pysqlite driver."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite+aiosqlite://"):
        return "sqlite://" + url.split("://", 1)[1]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for in-memory databases and other databases."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_timeout_ms: int) -> None:
    # WAL: readers never block the writer. NORMAL: no fsync per commit in WAL (a power cut can
    # lose the last commits, never corrupt the file). busy_timeout: a CLI command and the bot
    # may write at the same moment (0 on the loop's connections: they must never wait).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    cursor.close()


def private_sqlite_files(path: Path) -> None:
    """The database file and its -wal/-shm companions readable by their owner only (0600),
    whatever the umask was when they were made (a deployment from before, a copy)."""
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if name.stat().st_mode & 0o777 != 0o600:
                name.chmod(0o600)
        except FileNotFoundError:
            continue
        except PermissionError:  # not ours (a read-only copy): leave it
            continue


def _sqlite_engine(url: str, *, echo: bool, busy_timeout_ms: int) -> Engine:
    path = sqlite_path(url)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        # An in-memory database exists only on its one connection.
        poolclass=StaticPool if path is None else None,
    )
    event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout_ms=busy_timeout_ms))
    if path is not None:
        # After the pragmas: WAL mode has made the -wal and -shm files by then.
        event.listen(engine, "connect", lambda *_: private_sqlite_files(path))
    return engine


def _is_busy(exc: OperationalError) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock; nothing was written."""
    orig = exc.orig
    return isinstance(orig, sqlite3.OperationalError) and getattr(
        orig, "sqlite_errorcode", None
    ) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


# SQLite result codes (primary, the low byte) that say "not now" rather than "wrong work".
_SQLITE_UNAVAILABLE = {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_PERM,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_PROTOCOL,
}


# Raised raw by a driver that cannot connect (asyncpg: refused, reset, timed out, no host).
_NETWORK_ERRORS = (
    DisconnectionError,
    PoolTimeout,
    ConnectionError,
    TimeoutError,
    socket.gaierror,
)


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps) says the database cannot be used right now: locked
    for longer than the busy timeout, a file that cannot be opened or read, a server that
    refuses connections, is restarting or dropped the connection. Mistakes in the work itself
    (no such table, a constraint) are not."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, _NETWORK_ERRORS):
            return True
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            return code is not None and code & 0xFF in _SQLITE_UNAVAILABLE
        if _asyncpg_unavailable(current):
            return True
        current = current.orig if isinstance(current, DBAPIError) else current.__cause__
    return False


def _asyncpg_unavailable(exc: BaseException) -> bool:
    asyncpg = sys.modules.get("asyncpg")  # not imported: the error cannot be one of its own
    if asyncpg is None:
        return False
    errors = asyncpg.exceptions
    return isinstance(
        exc,
        (
            errors.PostgresConnectionError,  # class 08: connection exceptions
            errors.OperatorInterventionError,  # class 57: shutdown, restart, terminated
            errors.InsufficientResourcesError,  # class 53: too many connections, disk full
            errors.ConnectionDoesNotExistError,  # closed in the middle of an operation
        ),
    )


def _describe(exc: BaseException) -> str:
    """The kinds of error in the chain, never their messages (SQL parameters, paths)."""
    names: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(names) < 4:
        name = type(current).__name__
        if isinstance(current, sqlite3.Error) and getattr(current, "sqlite_errorname", None):
            name += f"({current.sqlite_errorname})"
        names.append(name)
        current = current.orig if isinstance(current, DBAPIError) else current.__cause__
    return " <- ".join(names)


@contextmanager
def _reachable() -> Iterator[None]:
    """Turn "the database cannot be used right now" into StoreUnavailable."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as exc:
        if not unavailable(exc):
            raise
        raise StoreUnavailable(f"database unavailable: {_describe(exc)}") from exc


def _stale(exc: StaleDataError) -> StaleConversation:
    return StaleConversation(f"conversation was saved by someone else meanwhile ({exc})")


class UnitOfWork:
    """One session kept open across several calls (see `Database.unit_of_work`)."""

    def __init__(self, db: Database, session: Session | AsyncSession) -> None:
        self._db, self._session = db, session

    async def call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        with _reachable():
            if self._db._executor is not None:
                assert isinstance(self._session, Session)
                return await self._db._in_thread(partial(fn, self._session, *args, **kwargs))
            return await self._session.run_sync(fn, *args, **kwargs)  # type: ignore[union-attr]


class Database:
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
        self._loop_engine: Engine | None = None
        self._loop_sessions: sessionmaker[Session] | None = None
        if self.dialect == "sqlite":
            self._engine = _sqlite_engine(self.url, echo=echo, busy_timeout_ms=BUSY_TIMEOUT_MS)
            self._sessions = sessionmaker(self._engine, expire_on_commit=False, info=info)
            # An in-memory database is one connection: it cannot be shared with the thread.
            if sqlite_path(self.url) is not None:
                self._loop_engine = _sqlite_engine(self.url, echo=echo, busy_timeout_ms=0)
                self._loop_sessions = sessionmaker(
                    self._loop_engine, expire_on_commit=False, info=info
                )
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="case-store")
        elif self.dialect == "postgresql":
            connect_args: dict[str, Any] = {}
            if schema:
                connect_args["server_settings"] = {"search_path": schema}
            self._async_engine = create_async_engine(
                self.url, echo=echo, connect_args=connect_args, pool_pre_ping=True
            )
            self._async_sessions = async_sessionmaker(
                self._async_engine, expire_on_commit=False, info=info
            )
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

    # -- units of work -------------------------------------------------------------------

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
        with _reachable():
            if self._executor is not None:
                return await self._in_thread(partial(self._run_sync, fn, args, kwargs))
            async with self._async_sessions() as session:
                try:
                    result = await session.run_sync(fn, *args, **kwargs)
                    await session.commit()
                except StaleDataError as exc:
                    await session.rollback()
                    raise _stale(exc) from exc
                return result

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
        if self._loop_sessions is not None:
            try:
                with _reachable():
                    return self._run_sync(fn, args, kwargs, self._loop_sessions)
            except StoreUnavailable as exc:
                cause = exc.__cause__
                if not isinstance(cause, OperationalError) or not _is_busy(cause):
                    raise
                log.debug("database locked by another connection: waiting in the writer thread")
        return await self.run(fn, *args, **kwargs)

    def run_blocking(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """`run` for synchronous callers (CLI commands), never from inside a running loop."""
        if self._executor is not None:
            with _reachable():
                return self._executor.submit(self._run_sync, fn, args, kwargs).result()
        _no_running_loop()

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
                raise _stale(exc) from exc
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
                raise _stale(exc) from exc

    def _run_sync(
        self,
        fn: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        sessions: sessionmaker[Session] | None = None,
    ) -> T:
        with (sessions or self._sessions)() as session:
            try:
                result = fn(session, *args, **kwargs)
                session.commit()
            except StaleDataError as exc:
                session.rollback()
                raise _stale(exc) from exc
            except BaseException:
                session.rollback()
                raise
            return result

    async def _in_thread(self, call: Callable[[], T]) -> T:
        assert self._executor is not None
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    # -- schema --------------------------------------------------------------------------

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
        _no_running_loop()

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
        _no_running_loop()

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

    # -- lifetime ------------------------------------------------------------------------

    async def close(self) -> None:
        """Release connections and the worker thread; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._loop_engine is not None:
            self._loop_engine.dispose()
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
        if self._loop_engine is not None:
            self._loop_engine.dispose()
        if self._executor is not None:
            assert self._engine is not None
            self._executor.submit(self._engine.dispose).result()
            self._executor.shutdown(wait=True)
        # PostgreSQL: run_blocking already disposed its connections with its loop.


def _no_running_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError("run_blocking called inside a running event loop: await run() instead")


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


def _create_all(connection: Connection) -> None:
    for metadata in schema_metadata():
        metadata.create_all(connection)


def _drop_all(connection: Connection) -> None:
    for metadata in reversed(schema_metadata()):
        metadata.drop_all(connection)
