"""`db restore PATH [--force]`: a backup into the configured database and file store.

Checked before anything changes: the archive is a backup of this service, made with the
configured data key (its key id), and the target database is empty (or `--force`, which
replaces what is there). Then the schema is taken down to nothing and up to the backup's
revision, the rows are loaded in one transaction (a failure leaves no half-loaded table), the
schema is migrated on to this version's head, and every file is copied into the store after
checking that it decrypts to its address.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from cases.backup import rows
from cases.backup.archive import ArchiveReader
from cases.db import Database
from cases.files import FileStore
from cases.migrate import downgrade_connection

log = logging.getLogger(__name__)


class RestoreRefused(Exception):
    """The backup cannot go into this deployment as it is; nothing was changed."""


@dataclass
class RestoreReport:
    revision: str | None
    rows: int = 0
    tables: int = 0
    files: int = 0
    files_present: int = 0


async def restore_backup(
    db: Database, store: FileStore, path: Path, *, force: bool
) -> RestoreReport:
    vault = db.require_vault()
    reader = ArchiveReader(path, vault.file_keys())
    try:
        manifest = reader.manifest
        if manifest["key_id"] != vault.key_id:
            raise RestoreRefused(
                f"备份使用的数据密钥（编号 {manifest['key_id']}）不是当前配置的密钥"
                f"（编号 {vault.key_id}） · the backup was made with another data key"
            )
        if not force and not await db.run_on_connection(rows.is_empty):
            raise RestoreRefused(
                "目标数据库不是空的；确认要覆盖请加 --force · the target database is not "
                "empty: --force replaces what is there"
            )
        report = RestoreReport(manifest["revision"])
        await db.run_on_connection(downgrade_connection, "base")
        await db.upgrade(manifest["revision"] or "base")
        report.tables, report.rows = await db.run_on_connection(_load, reader)
        await db.upgrade("head")
        await asyncio.to_thread(_restore_files, reader, store, report)
        return report
    finally:
        reader.close()


def _load(conn: Connection, reader: ArchiveReader) -> tuple[int, int]:
    expected: dict[str, dict[str, int]] = reader.manifest["tables"]
    tables = [t for t in rows.reflect(conn) if t.name in expected]
    absent = set(expected) - {t.name for t in tables}
    if absent:
        raise RestoreRefused(f"the schema at the backup's revision lacks tables {sorted(absent)}")
    total = 0
    for table in tables:
        count = rows.load_table(conn, table, reader.rows(table.name))
        if count != expected[table.name]["rows"]:
            raise RestoreRefused(f"table {table.name}: {count} rows, the manifest says more")
        total += count
    rows.reset_sequences(conn, tables)
    return len(tables), total


def _restore_files(reader: ArchiveReader, store: FileStore, report: RestoreReport) -> None:
    for address, ciphertext in reader.files():
        if store.put_encrypted(address, ciphertext):
            report.files += 1
        else:
            report.files_present += 1
