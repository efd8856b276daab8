"""Leadership: exactly one process of a deployment runs the workers that must run once (push
sender, platform relay, aftercare, the embedded platform's clocks).

The same `main.py run` may be started on several machines; each asks for the lock, one gets
it, the others ask again every `retry_seconds`. The lock dies with its holder, so a leader
killed outright is replaced within about one retry interval (`benchmarks/leader_takeover.py`
measures it):

* PostgreSQL: a session-level advisory lock on a connection of its own. The server drops it
  the moment that connection ends (process killed, machine gone, database restarted); the
  leader checks its connection every `retry_seconds` and steps down when it is gone.
* SQLite: an exclusive `flock` on a file beside the database; the kernel drops it when the
  process dies. (One machine only: SQLite is the embedded default.)
* SQLite in memory: one process by definition, which always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import IO, Protocol

import asyncpg
from sqlalchemy.engine import make_url

from cases.db import Database, sqlite_path

log = logging.getLogger(__name__)


class Leadership(Protocol):
    """`acquire` waits until this process leads (or `stop` is set: then False); `lost` returns
    once leadership is gone; `release` gives it up."""

    async def acquire(self, stop: asyncio.Event) -> bool: ...
    async def lost(self) -> None: ...
    async def release(self) -> None: ...
    async def held(self) -> bool:
        """Whether some process (this one or another) holds the lock now."""
        ...


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep `seconds` unless `stop` is set first; True when stopped."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


class AlwaysLeader:
    """A database only this process can see (SQLite in memory)."""

    async def acquire(self, stop: asyncio.Event) -> bool:
        return not stop.is_set()

    async def lost(self) -> None:
        await asyncio.Event().wait()

    async def release(self) -> None:
        return None

    async def held(self) -> bool:
        return True


class FileLeadership:
    """An exclusive, non-blocking flock; held until released or the process ends."""

    def __init__(self, path: Path, retry_seconds: float) -> None:
        self.path, self.retry_seconds = path, retry_seconds
        self._file: IO[bytes] | None = None

    def _try(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._file = handle
        return True

    async def acquire(self, stop: asyncio.Event) -> bool:
        while not stop.is_set():
            if self._try():
                return True
            if await _wait(stop, self.retry_seconds):
                break
        return False

    async def lost(self) -> None:
        await asyncio.Event().wait()  # a flock held by a living process is never taken away

    async def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    async def held(self) -> bool:
        if self._file is not None:
            return True
        try:
            handle = self.path.open("ab")
        except OSError:
            return False
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return False


def advisory_key(url: str, schema: str | None) -> int:
    """A signed 64-bit key naming this deployment's leader: the same database (and schema)
    means the same deployment; another schema on the same server is another deployment."""
    where = make_url(url).render_as_string(hide_password=True)
    digest = hashlib.blake2b(f"leader|{where}|{schema or ''}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgresLeadership:
    """pg_try_advisory_lock on a dedicated asyncpg connection."""

    def __init__(self, url: str, schema: str | None, retry_seconds: float) -> None:
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self.key = advisory_key(url, schema)
        self.retry_seconds = retry_seconds
        self._conn: object | None = None

    async def _try(self) -> bool:

        try:
            conn = await asyncpg.connect(self.dsn, timeout=self.retry_seconds * 5)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("leader lock: database unreachable (%s); trying again", type(exc).__name__)
            return False
        try:
            got = await conn.fetchval("SELECT pg_try_advisory_lock($1)", self.key)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            got = False
        if not got:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def acquire(self, stop: asyncio.Event) -> bool:
        while not stop.is_set():
            if await self._try():
                return True
            if await _wait(stop, self.retry_seconds):
                break
        return False

    async def lost(self) -> None:

        conn = self._conn
        assert conn is not None, "lost() before acquire()"
        while True:
            await asyncio.sleep(self.retry_seconds)
            try:
                await conn.fetchval("SELECT 1", timeout=self.retry_seconds * 5)  # type: ignore[attr-defined]
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                log.warning("leader lock: the lock's connection is gone; stepping down")
                return

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)  # type: ignore[attr-defined]  # drops the lock

    async def held(self) -> bool:

        if self._conn is not None:
            return True
        try:
            conn = await asyncpg.connect(self.dsn, timeout=5)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False
        try:
            count = await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) = $1::bigint",
                self.key,
            )
        finally:
            await conn.close()
        return bool(count)


def leadership_for(db: Database, retry_seconds: float) -> Leadership:
    if db.is_sqlite:
        path = sqlite_path(db.url)
        if path is None:
            return AlwaysLeader()
        return FileLeadership(path.with_name(path.name + ".leader"), retry_seconds)
    return PostgresLeadership(db.url, db.schema, retry_seconds)
