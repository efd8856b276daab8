"""Small helpers shared by the repositories."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import CursorResult, Executable, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert_insert(session: Session, model: Any) -> Any:
    """An INSERT that supports ON CONFLICT on the session's database (both have it; SQLite
    since 3.24). Portable idempotency without savepoints, which pysqlite handles badly."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def execute_count(session: Session, statement: Executable, params: Any = None) -> int:
    """Execute a DML statement and return how many rows it touched."""
    result = session.execute(statement, params)
    assert isinstance(result, CursorResult)
    return result.rowcount


@cache
def insert_if_absent(dialect: str, table: Table, columns: tuple[str, ...]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING with every column a parameter, built once per
    database, table and set of columns: on the event path, building and compiling a statement
    per call cost about as much as running it."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {name: bindparam(name, type_=table.c[name].type) for name in columns}
    return insert(table).values(values).on_conflict_do_nothing()
