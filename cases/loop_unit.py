"""The event loop's own SQLite connection, for `Database.run_on_loop`'s short units of work.

Kept open from one unit to the next: lending a pooled connection and taking it back (a
Connection built, the pool's reset on return) cost about as much as the event's three
statements. Each unit is a transaction on it (`Connection.begin`), with an ORM Session joined
to that transaction for `fn`: the session never commits or rolls back itself, the unit does.
Only the loop's thread uses it, one unit at a time (a unit never awaits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from cases.availability import stale

T = TypeVar("T")


class LoopUnits:
    def __init__(self, engine: Engine, info: dict[str, Any]) -> None:
        self._engine = engine
        self._sessions = sessionmaker(expire_on_commit=False, info=info)
        self._connection: Connection | None = None

    def run(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        connection = self._connection
        if connection is None or connection.invalidated:  # first use, or a failed file
            if connection is not None:
                connection.close()
            connection = self._connection = self._engine.connect()
        with connection.begin(), self._sessions(bind=connection) as session:
            try:
                result = fn(session, *args, **kwargs)
                session.flush()
            except StaleDataError as exc:
                raise stale(exc) from exc
        return result

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._engine.dispose()
