"""Staff accounts from the command line: add, disable, reset; passwords stored as argon2
hashes; the roles are clerk, supervisor and the offices of policy/items.toml."""

from __future__ import annotations

import argparse
import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from cases.db import Database
from cases.models import AuditLog, StaffAccount
from commands.web import run_user
from main import build_parser
from staffweb import accounts
from tests.cases.databases import postgres_database, sqlite_database

NOW = datetime(2026, 4, 30, 1, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """The commands run in a thread with their own event loop: SQLite (the use cases below
    run on both databases)."""
    async with sqlite_database(tmp_path) as database:
        yield database


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_the_account_use_cases_on_both_databases(kind: str, tmp_path: Path) -> None:
    opener = sqlite_database(tmp_path) if kind == "sqlite" else postgres_database()
    async with opener as database:
        await database.run(
            accounts.add_account, "qian", "clerk", "a good password", "cli:test", at=NOW
        )
        assert (await database.run(accounts.login, "qian", "wrong password", at=NOW)).token is None
        good = await database.run(accounts.login, "qian", "a good password", at=NOW)
        who = await database.run(accounts.resume, good.token, at=NOW, idle_minutes=30)
        assert who is not None and who.role == "clerk" and who.actor == "account:qian"
        await database.run(accounts.disable_account, "qian", "cli:test", at=NOW)
        assert await database.run(accounts.resume, good.token, at=NOW, idle_minutes=30) is None
        await database.run(accounts.reset_password, "qian", "a new password", "cli:test", at=NOW)
        assert (await database.run(accounts.login, "qian", "a new password", at=NOW)).token


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["staff", "user", *argv])


async def _user(db: Database, name: str, *argv: str, password: str = "") -> tuple[int, str, str]:
    """The command as run from the shell (in a thread: it blocks on the database)."""
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO(password + "\n")
    code = await asyncio.to_thread(run_user, name, _args(name, *argv), db, stdin, out, err)
    return code, out.getvalue(), err.getvalue()


async def test_add_stores_a_hash_and_the_role(db: Database) -> None:
    code, out, _ = await _user(
        db,
        "add",
        "--username",
        "wufang",
        "--role",
        "clerk",
        "--password-stdin",
        password="correct horse 1",
    )
    assert code == 0 and "wufang" in out
    account = await db.run(
        lambda s: s.scalar(select(StaffAccount).where(StaffAccount.username == "wufang"))
    )
    assert account.role == "clerk"
    assert "correct horse" not in account.password_hash
    assert account.password_hash.startswith("$argon2id$")
    rows = await db.run(lambda s: list(s.scalars(select(AuditLog.action))))
    assert "staff_account.added" in rows


async def test_office_roles_come_from_the_items_file(db: Database) -> None:
    assert "social_insurance_center" in accounts.roles()
    assert "housing_fund_yiqi" not in accounts.roles()  # done online: no office desk
    code, _, err = await _user(
        db,
        "add",
        "--username",
        "x",
        "--role",
        "tax_bureau",
        "--password-stdin",
        password="long enough pw",
    )
    assert code == 2 and "没有角色" in err and "social_insurance_center" in err


async def test_short_password_and_duplicate_names_are_refused(db: Database) -> None:
    code, _, err = await _user(
        db, "add", "--username", "li", "--role", "clerk", "--password-stdin", password="short"
    )
    assert code == 2 and "密码太短" in err
    ok = await _user(
        db,
        "add",
        "--username",
        "li",
        "--role",
        "clerk",
        "--password-stdin",
        password="long enough pw",
    )
    assert ok[0] == 0
    code, _, err = await _user(
        db,
        "add",
        "--username",
        "li",
        "--role",
        "supervisor",
        "--password-stdin",
        password="another long pw",
    )
    assert code == 2 and "已经存在" in err


async def test_disable_ends_logins_and_reset_restores(db: Database) -> None:
    await _user(
        db,
        "add",
        "--username",
        "zhao",
        "--role",
        "hr_service_center",
        "--password-stdin",
        password="first password",
    )
    login = await db.run(accounts.login, "zhao", "first password", at=NOW)
    assert login.token
    assert (await _user(db, "disable", "--username", "zhao"))[0] == 0
    assert await db.run(accounts.resume, login.token, at=NOW, idle_minutes=30) is None
    refused = await db.run(accounts.login, "zhao", "first password", at=NOW)
    assert refused.token is None and refused.refusal == "disabled"
    code, _, _ = await _user(
        db, "reset-password", "--username", "zhao", "--password-stdin", password="second password"
    )
    assert code == 0
    assert (await db.run(accounts.login, "zhao", "first password", at=NOW)).token is None
    assert (await db.run(accounts.login, "zhao", "second password", at=NOW)).token


async def test_unknown_account_is_named(db: Database) -> None:
    code, _, err = await _user(db, "disable", "--username", "nobody")
    assert code == 2 and "nobody" in err
