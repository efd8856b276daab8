"""When the database cannot be used right now (locked, unreachable, restarting), callers get
one exception, StoreUnavailable, whatever the driver raised: the conversation then holds the
update and the console answers "busy" instead of failing."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from cases.errors import StaleConversation, StoreUnavailable

if TYPE_CHECKING:  # a type only: the quick staff commands run without the ORM
    from sqlalchemy.orm.exc import StaleDataError


def is_busy(exc: OperationalError) -> bool:
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


def describe(exc: BaseException) -> str:
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
def reachable() -> Iterator[None]:
    """Turn "the database cannot be used right now" into StoreUnavailable."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as exc:
        if not unavailable(exc):
            raise
        raise StoreUnavailable(f"database unavailable: {describe(exc)}") from exc


def stale(exc: StaleDataError) -> StaleConversation:
    return StaleConversation(f"conversation was saved by someone else meanwhile ({exc})")


def no_running_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError("run_blocking called inside a running event loop: await run() instead")
