"""Counting the SQL statements a piece of work sends, to show that it does not grow with the
size of a table (tests compare two sizes; they never time anything)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def counted() -> Iterator[list[str]]:
    """Every statement sent by any engine while inside, in order (BEGIN and the like left
    out: drivers differ in how they send them)."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statement = str(args[2]).lstrip()
        if not statement.upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)
