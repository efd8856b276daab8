"""The audit log as a chain that shows any edit or deletion.

Rows are written as they always were (no lock on the hot path). A sealer, run once per
deployment (the runtime's leader), takes the rows not sealed yet in id order, gives each the
next seal number and `seal = HMAC(data key, previous seal + the row)`. `verify` walks the
chain again: a row changed after sealing, a row deleted from the middle, or a seal rewritten
without the key breaks it at that row. The database refuses UPDATE and DELETE on sealed rows
(triggers in migration 0006); this check is what remains when someone with the database's
own rights drops the triggers.

Only rows older than `settle` are sealed, so that a transaction still open (a lower id that
commits late) is sealed after it commits rather than skipped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.crypto import vault_of
from cases.models import AuditLog

GENESIS = "0" * 64
SETTLE = timedelta(seconds=30)
ROTATED = "data_key_rotated"


def canonical(row: AuditLog, seq: int, previous: str) -> bytes:
    """The bytes a seal covers: stable across SQLite and PostgreSQL."""
    at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
    body = [
        seq,
        previous,
        row.id,
        at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        row.actor,
        row.action,
        row.case_id,
        row.item_code,
        row.detail,
    ]
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode()


def _last(session: Session) -> tuple[int, str]:
    row = session.execute(
        select(AuditLog.seal_seq, AuditLog.seal)
        .where(AuditLog.seal_seq.is_not(None))
        .order_by(AuditLog.seal_seq.desc())
        .limit(1)
    ).first()
    return (int(row[0] or 0), str(row[1])) if row is not None else (0, GENESIS)


def seal_pending(
    session: Session, *, at: datetime, settle: timedelta = SETTLE, limit: int = 1000
) -> int:
    """Seal up to `limit` rows written before `at - settle`; returns how many."""
    vault = vault_of(session)
    seq, previous = _last(session)
    rows = session.scalars(
        select(AuditLog)
        .where(AuditLog.seal_seq.is_(None), AuditLog.at <= at - settle)
        .order_by(AuditLog.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    count = 0
    for row in rows:
        seq += 1
        row.seal_seq = seq
        row.seal = vault.seal(canonical(row, seq, previous))
        previous = row.seal
        count += 1
    session.flush()
    return count


@dataclass(frozen=True)
class Break:
    seal_seq: int
    row_id: int | None
    at: datetime | None
    actor: str | None
    action: str | None
    reason: str  # "edited" | "missing" | "edited_before_rotation"


@dataclass(frozen=True)
class Report:
    sealed: int
    unsealed: int
    breaks: list[Break]

    @property
    def intact(self) -> bool:
        return not self.breaks


def _last_rotation(session: Session) -> AuditLog | None:
    return session.scalars(
        select(AuditLog)
        .where(AuditLog.action == ROTATED, AuditLog.seal_seq.is_not(None))
        .order_by(AuditLog.seal_seq.desc())
        .limit(1)
    ).first()


def _digest_differs(rotation: AuditLog | None, row: AuditLog, digest: str) -> bool:
    """At the rotation's own row: whether the rows before it are not what it recorded."""
    return rotation is not None and row.id == rotation.id and digest != rotation.detail["digest"]


def verify(session: Session, *, batch: int = 5000) -> Report:
    """Walk the whole chain in seal order; every row whose seal does not follow is a break.

    Rows sealed before the last key rotation were sealed with a key that is gone: they are
    checked together against the digest that the rotation recorded (`checkpoint`), itself
    sealed with the current key."""
    vault = vault_of(session)
    rotation = _last_rotation(session)
    through = int(rotation.detail.get("through", 0)) if rotation is not None else 0
    before = hashlib.sha256()
    breaks: list[Break] = []
    expected_seq, previous, sealed = 1, GENESIS, 0
    last_seq = 0
    while True:
        rows = list(
            session.scalars(
                select(AuditLog)
                .where(AuditLog.seal_seq > last_seq)
                .order_by(AuditLog.seal_seq)
                .limit(batch)
            )
        )
        if not rows:
            break
        for row in rows:
            seq = int(row.seal_seq or 0)
            if seq != expected_seq:  # rows were deleted between these two
                breaks.append(Break(expected_seq, None, None, None, None, "missing"))
            data = canonical(row, seq, previous)
            if seq <= through:
                before.update(data + str(row.seal).encode())
            elif not vault.sealed_by_any_key(data, str(row.seal)):
                breaks.append(Break(seq, row.id, row.at, row.actor, row.action, "edited"))
            if _digest_differs(rotation, row, before.hexdigest()):
                breaks.append(Break(through, None, None, None, None, "edited_before_rotation"))
            previous, expected_seq, last_seq = str(row.seal), seq + 1, seq
            sealed += 1
        session.expunge_all()  # a long log is walked in batches, not held
    unsealed = session.scalar(select(func.count()).where(AuditLog.seal_seq.is_(None))) or 0
    return Report(sealed, int(unsealed), breaks)


def checkpoint(session: Session, *, at: datetime, key_id: str, old_key_ids: list[str]) -> Report:
    """Before the old key goes (`db rotate-key`): seal every row, check the whole chain with
    the keys held, and, when it is intact, append a row recording the digest of the chain so
    far, which the new key seals. Returns the check; nothing is appended after a break."""
    seal_pending(session, at=at, settle=timedelta(0), limit=10**9)
    report = verify(session)
    if not report.intact:
        return report
    through, _ = _last(session)
    digest = hashlib.sha256()
    previous = GENESIS
    for row in session.scalars(
        select(AuditLog).where(AuditLog.seal_seq.is_not(None)).order_by(AuditLog.seal_seq)
    ):
        digest.update(canonical(row, int(row.seal_seq or 0), previous) + str(row.seal).encode())
        previous = str(row.seal)
    detail = {"from": old_key_ids, "to": key_id, "through": through, "digest": digest.hexdigest()}
    # Written as it is (not through the audit repository, whose mask would read digits of the
    # digest as a phone number).
    session.add(AuditLog(actor="system", action=ROTATED, detail=detail, at=at))
    session.flush()
    seal_pending(session, at=at, settle=timedelta(0))
    return report


def describe(report: Report) -> str:
    """The report for the person who ran `audit verify`: plain Chinese."""
    lines = [f"已封存的审计记录 {report.sealed} 条，待封存 {report.unsealed} 条。"]
    if report.intact:
        lines.append("审计日志完整：没有发现被修改或删除的记录。")
        return "\n".join(lines)
    lines.append(f"发现 {len(report.breaks)} 处异常：")
    for b in report.breaks:
        if b.reason == "missing":
            lines.append(f"  · 第 {b.seal_seq} 条记录被删除")
        elif b.reason == "edited_before_rotation":
            lines.append(f"  · 更换密钥之前的前 {b.seal_seq} 条记录中有记录被修改")
        else:
            when = b.at.strftime("%Y-%m-%d %H:%M") if b.at else "?"
            lines.append(
                f"  · 第 {b.seal_seq} 条记录（{when}，{b.actor}，{b.action}）在封存后被修改"
            )
    return "\n".join(lines)


def summary(report: Report) -> dict[str, Any]:
    return {
        "sealed": report.sealed,
        "unsealed": report.unsealed,
        "intact": report.intact,
        "breaks": [
            {"seal_seq": b.seal_seq, "row_id": b.row_id, "reason": b.reason} for b in report.breaks
        ],
    }
