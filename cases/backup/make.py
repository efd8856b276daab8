"""`db backup PATH`: one snapshot of the database, then every stored file, into one archive.

The database is read first, the files after: a file stored meanwhile is in the archive
without a row that refers to it (harmless), and a page that the snapshot refers to but whose
file is gone (never, unless the store was damaged: purged pages are marked before their files
go) is named in the report, so that a bad backup is known the night it is made.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, String, create_engine, text

from cases.backup import rows
from cases.backup.archive import FORMAT, NOTE, VERSION, ArchiveWriter, note
from cases.db import Database, sqlite_path
from cases.files import FileStore
from cases.migrate import current_revision


@dataclass
class BackupReport:
    path: Path
    revision: str | None
    tables: dict[str, dict[str, Any]]
    files: int = 0
    file_bytes: int = 0
    missing: list[str] = field(default_factory=list)  # referenced, not in the store

    @property
    def rows(self) -> int:
        return sum(int(t["rows"]) for t in self.tables.values())


async def make_backup(
    db: Database, store: FileStore, path: Path, *, now: datetime
) -> BackupReport:
    vault = db.require_vault()
    writer = ArchiveWriter(path, vault.file_keys())
    try:
        writer.add_bytes(NOTE, note(vault.key_id).encode())
        referenced: set[str] = set()
        if db.is_sqlite:
            revision, tables = await asyncio.to_thread(_dump_sqlite, db, writer, referenced)
        else:
            revision, tables = await db.run_on_connection(_dump, writer, referenced)
        report = BackupReport(path, revision, tables)
        await asyncio.to_thread(_copy_files, store, writer, report)
        stored = set(store.all_hashes())
        report.missing = sorted(referenced - stored)
        writer.finish(
            {
                "format": FORMAT,
                "version": VERSION,
                "created_at": now.isoformat(),
                "revision": revision,
                "dialect": db.dialect,
                "key_id": vault.key_id,
                "tables": tables,
                "files": {"count": report.files, "bytes": report.file_bytes},
                "missing_files": report.missing,
            }
        )
    except BaseException:
        writer.abort()
        raise
    return report


def _dump(
    conn: Connection, writer: ArchiveWriter, referenced: set[str]
) -> tuple[str | None, dict[str, dict[str, Any]]]:
    if conn.dialect.name == "postgresql":
        # One snapshot for every table, and a promise to write nothing.
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    revision = current_revision(conn)
    tables: dict[str, dict[str, Any]] = {}
    for table in rows.reflect(conn):
        with writer.table(table.name) as (out, sealed):
            count = rows.dump_table(conn, table, out)
        tables[table.name] = {"rows": count, **sealed}
        referenced |= _file_references(conn, table)
    return revision, tables


def _file_references(conn: Connection, table: Any) -> set[str]:
    """Addresses of stored files that rows still kept refer to (`*sha256` columns; a purged
    page keeps its hash but not its file)."""
    columns = [
        c for c in table.columns if c.name.endswith("sha256") and isinstance(c.type, String)
    ]
    found: set[str] = set()
    for column in columns:
        query = text(
            f'SELECT "{column.name}" FROM "{table.name}" WHERE "{column.name}" IS NOT NULL'
        )
        if "purged_at" in table.columns:
            query = text(f"{query.text} AND purged_at IS NULL")
        found |= {v for (v,) in conn.execute(query) if isinstance(v, str) and len(v) == 64}
    return found


def _dump_sqlite(
    db: Database, writer: ArchiveWriter, referenced: set[str]
) -> tuple[str | None, dict[str, dict[str, Any]]]:
    """SQLite: an online copy (the backup API: a consistent snapshot while the bot writes),
    dumped from that copy, which is then removed."""
    source = sqlite_path(db.url)
    if source is None:
        raise ValueError("an in-memory database cannot be backed up")
    with tempfile.TemporaryDirectory(prefix="snapshot-", dir=writer.path.parent) as scratch:
        copy = Path(scratch) / "snapshot.db"
        with sqlite3.connect(source) as live, sqlite3.connect(copy) as snapshot:
            live.backup(snapshot)
        live.close()
        snapshot.close()
        engine = create_engine(f"sqlite:///{copy}")
        try:
            with engine.connect() as conn:
                return _dump(conn, writer, referenced)
        finally:
            engine.dispose()


def _copy_files(store: FileStore, writer: ArchiveWriter, report: BackupReport) -> None:
    for address in sorted(store.all_hashes()):
        size = store.stored_size(address)
        if size is None:
            continue  # purged since it was listed
        with store.open_encrypted(address) as ciphertext:
            writer.add_stream(f"files/{address}", size, ciphertext)
        report.files += 1
        report.file_bytes += size
