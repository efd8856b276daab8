"""Rows out of a database and into another, as JSON lines, table by table.

Tables are read as the database has them (reflected, not from the models), so a dump is
exact whatever version of the code reads it, and it is loaded into tables reflected from the
target after it was migrated to the dump's revision. Values that JSON has no type for are
tagged: `{"$dt": "2026-12-01T08:00:00"}`, `{"$b64": …}`, and a JSON column's value is wrapped
(`{"$json": …}`) so that a stored dict is never mistaken for a tag.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import Connection, Integer, MetaData, Table, func, select, text

SKIPPED = frozenset({"alembic_version"})  # the revision travels in the manifest
_BATCH = 500


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, bytes | memoryview | bytearray):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, dict | list):
        return {"$json": value}
    return value


_DECODERS = {
    "$dt": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$b64": base64.b64decode,
    "$dec": Decimal,
    "$json": lambda v: v,
}


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, inner),) = value.items()
        return _DECODERS[tag](inner)
    return value


def reflect(conn: Connection) -> list[Table]:
    """The database's tables in dependency order (a referenced table before its referrers)."""
    metadata = MetaData()
    metadata.reflect(conn)
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED]


def dump_table(conn: Connection, table: Table, out: IO[str]) -> int:
    """Write the table's rows as JSON lines (primary-key order); returns how many."""
    columns = [c.name for c in table.columns]
    out.write(json.dumps({"columns": columns}) + "\n")
    query = select(table).order_by(*table.primary_key.columns)
    count = 0
    for row in conn.execution_options(yield_per=_BATCH).execute(query):
        out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
        count += 1
    return count


def is_empty(conn: Connection) -> bool:
    return all(
        conn.execute(select(func.count()).select_from(t)).scalar() == 0 for t in reflect(conn)
    )


def load_table(conn: Connection, table: Table, lines: Iterable[str]) -> int:
    """Insert the dumped rows into `table` (in batches); returns how many."""
    rows = iter(lines)
    header = json.loads(next(rows))
    columns: list[str] = header["columns"]
    unknown = set(columns) - {c.name for c in table.columns}
    if unknown:
        raise ValueError(f"table {table.name}: the backup has columns {sorted(unknown)}")
    count = 0
    for batch in _batches(rows, columns):
        conn.execute(table.insert(), batch)
        count += len(batch)
    return count


def _batches(lines: Iterator[str], columns: list[str]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for line in lines:
        batch.append(dict(zip(columns, (_decode(v) for v in json.loads(line)), strict=True)))
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """PostgreSQL: every serial/identity key's sequence moved past the restored ids (SQLite
    takes the largest rowid by itself)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar()
            if sequence:
                top = conn.execute(select(func.coalesce(func.max(column), 0))).scalar()
                conn.execute(
                    text("SELECT setval(:s, :v, false)"), {"s": sequence, "v": int(top or 0) + 1}
                )
