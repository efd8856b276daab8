"""The event loop's own SQLite connection, for `Database.run_on_loop`'s short units of work.

Kept open from one unit to the next: lending a pooled connection and taking it back (a
Connection built, the pool's reset on return) cost about as much as the event's three
statements. Each unit is a transaction on it (`Connection.begin`), with an ORM Session joined
to that transaction for `fn` (one `UnitSession`, emptied after each unit): the session never
commits or rolls back itself, the unit does. Only the loop's thread uses it, one unit at a time
(a unit never awaits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm.exc import StaleDataError

from cases.availability import stale
from cases.unit_session import UnitSession

T = TypeVar("T")


class LoopUnits:
    def __init__(self, engine: Engine, info: dict[str, Any]) -> None:
        self._engine = engine
        self._info = info
        self._connection: Connection | None = None
        self._session: UnitSession | None = None  # bound to the connection, closed per unit

    def run(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        connection, session = self._connection, self._session
        if connection is None or session is None or connection.invalidated:  # a failed file
            if connection is not None:
                connection.close()
            connection = self._connection = self._engine.connect()
            session = self._session = UnitSession(connection, self._info)
        with connection.begin():
            try:
                result = fn(session, *args, **kwargs)
                session.flush()
            except StaleDataError as exc:
                raise stale(exc) from exc
            finally:
                session.close()  # leaves it empty for the next unit; the unit ends the transaction
        return result

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._session = None
        self._engine.dispose()
