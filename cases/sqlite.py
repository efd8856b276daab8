"""SQLite, the embedded default: the URLs operators type, the database file's path, its
pragmas (WAL, a busy timeout) and its files kept private to the service's user."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

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


def sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_timeout_ms: int) -> None:
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


def sqlite_engine(url: str, *, echo: bool, busy_timeout_ms: int) -> Engine:
    path = sqlite_path(url)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        # An in-memory database exists only on its one connection.
        poolclass=StaticPool if path is None else None,
    )
    event.listen(engine, "connect", partial(sqlite_pragmas, busy_timeout_ms=busy_timeout_ms))
    if path is not None:
        # After the pragmas: WAL mode has made the -wal and -shm files by then.
        event.listen(engine, "connect", lambda *_: private_sqlite_files(path))
    return engine
