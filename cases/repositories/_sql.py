"""Small helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Executable
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
