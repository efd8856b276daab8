"""`python main.py db encrypt-files`: a deployment from before file encryption brought up to date.

Before, the store kept every file in clear, named by its plain sha256, readable by everyone on
the machine. This step, run once with the service stopped, takes each plain file in turn:

1. encrypts it into the store under its new address (the keyed hash, `cases.files`);
2. in one transaction, renames every reference to it: the `*sha256` columns (pages, notice
   versions, signatures) and the JSON columns that carry hashes or document paths
   (conversations, the notification and platform outboxes, the embedded platform's records);
3. deletes the plain file.

Interrupted anywhere, running it again finishes the work: a plain file still on disk is done
again (its encrypted copy is already there, the same content gives the same address), and a
reference already renamed is simply not found any more. Folders become 0700 and files 0600.
The audit log is history and is left as it was written (it names notice versions by their
former hash).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, String, Table, Text, cast, select, update

from cases.schema import schema_metadata

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cases.db import Database
    from cases.files import FileStore, StoredBlob

log = logging.getLogger(__name__)

# History, not references: never rewritten.
_UNTOUCHED_TABLES = frozenset({"audit_log"})


@dataclass
class EncryptReport:
    encrypted: int = 0  # plain files encrypted this run
    already: int = 0  # files that were encrypted before
    references: int = 0  # database values renamed
    permissions: int = 0  # files and folders made private
    failed: int = 0  # plain files that could not be converted (see the log)


async def encrypt_plain_files(db: Database, store: FileStore) -> EncryptReport:
    report = EncryptReport(permissions=await asyncio.to_thread(store.fix_permissions))
    for old in sorted(store.all_hashes()):
        if await asyncio.to_thread(store.is_encrypted, old):
            report.already += 1
            continue
        path = store.path_for(old)
        try:
            blob = await asyncio.to_thread(_encrypt, store, path)
        except Exception:
            log.exception("could not encrypt stored file %s; left as it is", old[:12])
            report.failed += 1
            continue
        if blob.address != old:
            report.references += await db.run(rename_references, old, blob.address)
            path.unlink()
        report.encrypted += 1
    return report


def _encrypt(store: FileStore, path: Path) -> StoredBlob:
    with path.open("rb") as plain:
        return store.put(plain)


def rename_references(session: Session, old: str, new: str) -> int:
    """Every reference of the database to the stored file `old` made to name `new`: returns
    how many values changed. Idempotent."""
    changed = 0
    for metadata in schema_metadata():
        for table in metadata.sorted_tables:
            if table.name in _UNTOUCHED_TABLES:
                continue
            changed += _rename_in_table(session, table, old, new)
    return changed


def _rename_in_table(session: Session, table: Table, old: str, new: str) -> int:
    changed = 0
    key = next(iter(table.primary_key.columns), None)
    for column in table.columns:
        if isinstance(column.type, String) and column.name.endswith("sha256"):
            result = session.execute(update(table).where(column == old).values({column: new}))
            changed += int(getattr(result, "rowcount", 0) or 0)
        elif _is_json(column.type) and key is not None:
            rows = session.execute(
                select(key, column).where(cast(column, Text).contains(old))
            ).all()
            for row_id, value in rows:
                renamed = _renamed(value, old, new)
                if renamed != value:
                    session.execute(update(table).where(key == row_id).values({column: renamed}))
                    changed += 1
    return changed


def _is_json(kind: Any) -> bool:
    """A JSON column, including the store's own JSON type (a decorator over JSON)."""
    return isinstance(kind, JSON) or isinstance(getattr(kind, "impl", None), JSON)


def _renamed(value: Any, old: str, new: str) -> Any:
    """A JSON value with every string naming `old` (the hash itself, or the path of the plain
    file, as outbox rows from before carried) made to name `new`."""
    if isinstance(value, str):
        return new if value == old or value.endswith("/" + old) else value
    if isinstance(value, list):
        return [_renamed(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, old, new) for k, v in value.items()}
    return value
