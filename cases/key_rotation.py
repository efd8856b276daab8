"""`python main.py db rotate-key`: every ciphertext, lookup hash and stored file made again
with a new data key, while the old key stays readable until the last one is done.

The vault is a key ring during the rotation (`cases.crypto`): the new key makes everything
new, the old key only reads. The work goes one applicant row, one platform row, one file at a
time, each in its own transaction, and every piece says which key made it (the row's `key_id`,
the token's and the file header's key id). So a crash anywhere loses nothing and the next run
takes what is left:

- a row is re-encrypted and re-hashed in one transaction, or not at all;
- a file is encrypted again under the new key at its new address (the address is a keyed
  hash of the content), then one transaction renames every reference to it, then the old file
  is deleted. Stopped after the first step, the new copy waits unreferenced and the old file
  is done again (the same content gives the same address); after the second, only the delete
  is left.

The audit log's seals cannot be made again (its sealed rows are append-only): `seal_before`
checks the chain with both keys and records its digest in a row of its own, sealed with the
new key; `audit verify` checks the rows before it against that digest (`cases.audit_chain`).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import or_, select

from cases.crypto import vault_of
from cases.encrypt_files import rename_references
from cases.models import Applicant, NotificationOutbox, OutboxStatus
from cases.repositories.applicants import ID_CONTEXT, PHONE_CONTEXT, update_applicant
from cases.repositories.card_numbers import CARD_CONTEXT
from cases.repositories.outbox import SEALED, notification_payload, seal_payload

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cases.crypto import Vault
    from cases.db import Database
    from cases.files import FileStore, StoredBlob

log = logging.getLogger(__name__)

# Called after each step of the work with the step's name; a test raises there to stop the
# rotation as a crash would, at exactly that point.
Fault = Callable[[str], None]


def no_fault(step: str) -> None:
    """Production's fault hook: nothing happens."""


class RowRotation(Protocol):
    """The rows of one table that hold ciphertexts: which still carry an old key's, and how to
    make one row again with the current key (one transaction per row)."""

    name: str

    def pending(self, session: Session) -> list[Any]: ...

    def rotate(self, session: Session, row_id: Any) -> None: ...


@dataclass
class RotationReport:
    rows: int = 0  # rows made again with the new key this run
    files: int = 0  # files encrypted again this run
    references: int = 0  # database values renamed to the files' new addresses
    files_already: int = 0  # files already made with the new key
    failed: int = 0  # files that could not be read (see the log); run again after a look


class ApplicantRows:
    """The applicants' phone and ID numbers: ciphertexts and lookup hashes."""

    name = "applicants"

    def pending(self, session: Session) -> list[Any]:
        current = vault_of(session).key_id
        query = select(Applicant.id).where(
            or_(Applicant.key_id.is_(None), Applicant.key_id != current)
        )
        return list(session.scalars(query.order_by(Applicant.id)))

    def rotate(self, session: Session, row_id: Any) -> None:
        vault = vault_of(session)
        applicant = session.get(Applicant, row_id, with_for_update=True)
        if applicant is None:
            return
        values: dict[str, object] = {"key_id": vault.key_id}
        for field, context, hashed in _FIELDS:
            token = getattr(applicant, f"{field}_enc")
            if token is None or vault.made_by_current_key(token):
                continue
            value = vault.decrypt(token, context=context)
            values[f"{field}_enc"] = vault.encrypt(value, context=context)
            if hashed:
                values[f"{field}_hash"] = vault.lookup_hash(value)
        update_applicant(session, applicant, **values)


class SealedNotifications:
    """Replies waiting in the notification outbox sealed (they show a number in full): opened
    with the old key and sealed again, so that they can still be sent after the rotation."""

    name = "notification_outbox"

    def pending(self, session: Session) -> list[Any]:
        vault = vault_of(session)
        query = select(NotificationOutbox).where(
            NotificationOutbox.status == OutboxStatus.pending.value
        )
        return [
            row.id
            for row in session.scalars(query.order_by(NotificationOutbox.id))
            if SEALED in row.payload
            and not vault.made_by_current_key(base64.b64decode(row.payload[SEALED]))
        ]

    def rotate(self, session: Session, row_id: Any) -> None:
        row = session.get(NotificationOutbox, row_id, with_for_update=True)
        if row is not None and SEALED in row.payload:
            row.payload = seal_payload(session, notification_payload(session, row))


# An applicant's encrypted numbers: (column prefix, encryption context, has a lookup hash).
# The number read from a card photo is held unconfirmed and never looked up (issue 18).
_FIELDS = (
    ("phone", PHONE_CONTEXT, True),
    ("id_number", ID_CONTEXT, True),
    ("card_number", CARD_CONTEXT, False),
)


async def rotate_rows(db: Database, tables: Sequence[RowRotation], fault: Fault = no_fault) -> int:
    done = 0
    for table in tables:
        for row_id in await db.run(table.pending):
            await db.run(table.rotate, row_id)
            done += 1
            fault(f"{table.name}.row")
    return done


async def rotate_files(
    db: Database, store: FileStore, report: RotationReport, fault: Fault = no_fault
) -> None:
    current = db.require_vault().key_id
    for old in sorted(store.all_hashes()):
        if await asyncio.to_thread(store.key_id_of, old) == current:
            report.files_already += 1
            continue
        try:
            blob = await asyncio.to_thread(_encrypt_again, store, old)
        except Exception:
            log.exception("could not re-encrypt stored file %s; left as it is", old[:12])
            report.failed += 1
            continue
        fault("file.stored")
        report.references += await db.run(rename_references, old, blob.address)
        fault("file.renamed")
        if blob.address != old:
            await asyncio.to_thread(store.delete, old)
        report.files += 1


def _encrypt_again(store: FileStore, address: str) -> StoredBlob:
    """The file decrypted with its own key and stored again with the current one (streamed:
    at most a chunk of it in memory)."""
    return store.put(store.chunks(address))


async def rotate(
    db: Database,
    store: FileStore,
    tables: Sequence[RowRotation] = (ApplicantRows(), SealedNotifications()),
    fault: Fault = no_fault,
) -> RotationReport:
    """Make every row of `tables` and every stored file again with the vault's current key.
    Resumable: run it again after a crash, it does what is left."""
    report = RotationReport()
    report.rows = await rotate_rows(db, tables, fault)
    await rotate_files(db, store, report, fault)
    return report


def remaining(session: Session, tables: Sequence[RowRotation]) -> int:
    """Rows still to do (0 once a rotation is complete)."""
    return sum(len(table.pending(session)) for table in tables)


def describe(report: RotationReport, vault: Vault) -> str:
    """The report for the person who ran it: plain Chinese."""
    text = (
        f"新密钥 {vault.key_id}：重新加密 {report.rows} 条记录、{report.files} 个文件"
        f"（此前已完成 {report.files_already} 个），更新文件引用 {report.references} 处"
    )
    if report.failed:
        text += f"；{report.failed} 个文件无法读取（见日志），旧密钥保留，修复后请再次运行"
    return text + "。"
