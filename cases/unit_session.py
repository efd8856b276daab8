"""The ORM Session handed to a short unit of work that already holds its Connection and its
transaction (cases/loop_unit.py on SQLite, cases/pg_unit.py on PostgreSQL).

Most inbound events touch no ORM object: they read and write rows with prebuilt Core
statements on `session.connection()`. For them the Session's own transaction bookkeeping
(begin it, join the connection's transaction, close it: about 15 µs, as much as one
statement) is pure cost, so `connection()` hands out the unit's Connection itself until the
ORM is used. The first ORM statement or flush begins the Session's transaction as usual,
joined to the unit's, on the same Connection; from then on `connection()` is the ORM's own.
The unit, not the Session, commits or rolls back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session


class UnitSession(Session):
    def __init__(self, connection: Connection, info: dict[str, Any]) -> None:
        super().__init__(bind=connection, expire_on_commit=False, info=info)
        self._unit_connection = connection

    def connection(
        self,
        bind_arguments: Any = None,
        execution_options: Any = None,
    ) -> Connection:
        if self._transaction is None and bind_arguments is None and execution_options is None:
            return self._unit_connection  # the ORM has not begun: no bookkeeping to start
        return super().connection(bind_arguments, execution_options)
