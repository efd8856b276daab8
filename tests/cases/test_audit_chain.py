"""The audit log as a chain: sealed rows cannot be changed through the database, and when
someone with the database's own rights does it anyway, `audit verify` finds the row."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from cases import audit_chain
from cases.db import Database
from cases.repositories import audit
from tests.cases.databases import TEST_KEY, postgres_database, sqlite_database

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
MAIN = Path(__file__).resolve().parents[2] / "main.py"


@pytest.fixture(params=["sqlite", "postgresql"])
async def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """Migrated as production is (the triggers come with the migration)."""
    make = (
        sqlite_database(tmp_path, create=False)
        if request.param == "sqlite"
        else (postgres_database(create=False))
    )
    async with make as db:
        await db.upgrade()
        yield db


def write(session, n: int, at: datetime) -> None:
    for i in range(n):
        audit(session, f"clerk:{i}", "case.view", detail={"n": i}, at=at)


async def sql(db: Database, statement: str) -> None:
    await db.run(lambda s: s.execute(text(statement)))


async def test_a_sealed_log_verifies_and_a_fresh_row_waits_to_settle(migrated: Database):
    await migrated.run(write, 5, NOW - timedelta(minutes=5))
    await migrated.run(write, 1, NOW)  # written just now: may still be in an open transaction
    assert await migrated.run(audit_chain.seal_pending, at=NOW) == 5
    report = await migrated.run(audit_chain.verify)
    assert (report.sealed, report.unsealed, report.intact) == (5, 1, True)
    assert await migrated.run(audit_chain.seal_pending, at=NOW + timedelta(minutes=1)) == 1
    assert (await migrated.run(audit_chain.verify)).intact


async def test_the_database_refuses_to_change_or_delete_a_sealed_row(migrated: Database):
    await migrated.run(write, 3, NOW - timedelta(minutes=5))
    await migrated.run(audit_chain.seal_pending, at=NOW)
    for statement in (
        "UPDATE audit_log SET actor = 'clerk:nobody' WHERE seal_seq = 2",
        "DELETE FROM audit_log WHERE seal_seq = 2",
    ):
        with pytest.raises(Exception, match="append-only"):
            await sql(migrated, statement)
    assert (await migrated.run(audit_chain.verify)).intact


async def drop_triggers(db: Database) -> None:
    """What someone with the database's owner rights can always do."""
    if db.is_sqlite:
        await sql(db, "DROP TRIGGER audit_log_no_update")
        await sql(db, "DROP TRIGGER audit_log_no_delete")
    else:
        await sql(db, "DROP TRIGGER audit_log_append_only ON audit_log")


async def test_an_edited_or_deleted_row_is_found_when_the_triggers_are_gone(migrated: Database):
    await migrated.run(write, 6, NOW - timedelta(minutes=5))
    await migrated.run(audit_chain.seal_pending, at=NOW)
    await drop_triggers(migrated)
    await sql(migrated, "UPDATE audit_log SET actor = 'clerk:nobody' WHERE seal_seq = 2")
    await sql(migrated, "DELETE FROM audit_log WHERE seal_seq = 5")
    report = await migrated.run(audit_chain.verify)
    assert not report.intact
    assert (2, "edited") in [(b.seal_seq, b.reason) for b in report.breaks]
    assert (5, "missing") in [(b.seal_seq, b.reason) for b in report.breaks]
    described = audit_chain.describe(report)
    assert (
        "第 2 条记录" in described and "被修改" in described and "第 5 条记录被删除" in described
    )


async def test_audit_verify_as_a_command_exits_1_on_an_edit(tmp_path: Path):
    async with sqlite_database(tmp_path, create=False) as db:
        await db.upgrade()
        await db.run(write, 3, NOW - timedelta(minutes=5))
        await db.run(audit_chain.seal_pending, at=NOW)

    def verify() -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
            "SECURITY__DATA_KEY": base64.urlsafe_b64encode(TEST_KEY).decode(),
        }
        return subprocess.run(
            [sys.executable, str(MAIN), "audit", "verify"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    intact = verify()
    assert intact.returncode == 0, intact.stderr
    assert "审计日志完整" in intact.stdout
    async with sqlite_database(tmp_path, create=False) as db:
        await drop_triggers(db)
        await sql(db, "UPDATE audit_log SET detail = '{\"n\": 99}' WHERE seal_seq = 1")
    broken = verify()
    assert broken.returncode == 1
    assert "第 1 条记录" in broken.stdout and "被修改" in broken.stdout


async def test_a_seal_made_without_the_key_does_not_pass(migrated: Database):
    from sqlalchemy import select

    from cases.crypto import Vault
    from cases.models import AuditLog

    await migrated.run(write, 2, NOW - timedelta(minutes=5))
    await migrated.run(audit_chain.seal_pending, at=NOW)
    await drop_triggers(migrated)

    def forge(session) -> None:
        # Edit the row and seal it again, carefully, but with a key of one's own.
        row = session.scalars(select(AuditLog).where(AuditLog.seal_seq == 1)).one()
        row.actor = "clerk:nobody"
        row.seal = Vault(b"k" * 32).seal(audit_chain.canonical(row, 1, audit_chain.GENESIS))

    await migrated.run(forge)
    report = await migrated.run(audit_chain.verify)
    assert [(b.seal_seq, b.reason) for b in report.breaks][:1] == [(1, "edited")]
