"""`python main.py staff queue` on the SQLite default takes the quick way (one Core connection,
`commands/staff_queue.py`): the same page, the same flags and audit as the full way, without
loading the ORM, the settings model or the PostgreSQL dialect (issue 17)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from cases.crypto import Vault
from cases.db import Database
from cases.models import AuditLog, StaffTask
from cases.platform.delivery import drain_platform_outbox
from integrations.platform.embedded.platform import EmbeddedPlatform
from staffweb.accounts import add_account
from tests.platform.bulk_staff import number, seed
from tests.platform.conftest import FakeClock, submitted_case
from tests.platform.test_cli import KEY, MAIN, staff

# What the quick way must not load: each costs a good part of `import sqlalchemy` again.
HEAVY = ("sqlalchemy.orm", "pydantic", "pydantic_settings", "sqlalchemy.dialects.postgresql")

LOADED = """
import sys
sys.argv[0] = {main!r}
sys.path.insert(0, {root!r})
import main
code = main.main(["staff", "queue", "--as", "李娜"])
print([m for m in {heavy!r} if m in sys.modules], code)
"""


@pytest.fixture
async def accepted(tmp_path: Path, clock: FakeClock) -> tuple[Path, str]:
    """A migrated database with one case accepted in April: its items are long overdue now."""
    db = Database(f"sqlite:///{tmp_path / 'app.db'}", vault=Vault(KEY))
    await db.upgrade()
    platform = EmbeddedPlatform(db, now=clock)
    _, number = await db.run(submitted_case, "u1", clock())
    await drain_platform_outbox(db, platform, now=clock)
    await db.run(platform.accept, number, "staff:li")
    await db.run(add_account, "李娜", "clerk", "a long password", "test", at=clock())
    await db.close()
    return tmp_path, number


async def test_the_quick_queue_shows_and_flags_overdue_items_once_and_is_audited(
    accepted: tuple[Path, str],
) -> None:
    where, number = accepted
    shown = staff(where, "queue", "--as", "李娜")
    assert shown.returncode == 0, shown.stderr
    first = shown.stdout.splitlines()[0]
    assert first.startswith(number) and "超时事项" in first and "【已超时】" in first
    assert "_" not in first  # the overdue item by its name, not its code (pension_claim)
    again = staff(where, "queue", "--json", "--as", "李娜")
    assert json.loads(again.stdout)[0]["overdue"] is True

    db = Database(f"sqlite:///{where / 'app.db'}", vault=Vault(KEY))
    try:
        tasks = await db.run(lambda s: list(s.scalars(select(StaffTask))))
        views = await db.run(
            lambda s: list(
                s.scalars(select(AuditLog).where(AuditLog.action == "platform.view_queue"))
            )
        )
    finally:
        await db.close()
    assert tasks and {t.kind for t in tasks} == {"overdue"}  # flagged by the first run only
    assert len({t.detail["item"] for t in tasks}) == len(tasks)
    assert all(t.case_id is not None and t.detail["case_number"] == number for t in tasks)
    assert [v.actor for v in views] == ["account:李娜", "account:李娜"]
    assert views[0].detail == {"office": "clerk", "cases": 1, "page": 1}


def test_the_quick_queue_loads_no_orm_settings_model_or_postgresql_dialect(
    accepted: tuple[Path, str],
) -> None:
    where, _ = accepted
    script = LOADED.format(main=str(MAIN), root=str(MAIN.parent), heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=where,
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{where / 'app.db'}",
            "SECURITY__DATA_KEY": base64.urlsafe_b64encode(KEY).decode(),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[] 0"


@pytest.fixture
async def three(tmp_path: Path, clock: FakeClock) -> Path:
    """A migrated database with three open cases, each with a task, and a clerk."""
    db = Database(f"sqlite:///{tmp_path / 'app.db'}", vault=Vault(KEY))
    await db.upgrade()
    await db.run(seed, 0, 3, clock())
    await db.run(add_account, "李娜", "clerk", "a long password", "test", at=clock())
    await db.close()
    return tmp_path


def test_each_page_says_how_to_read_the_next_from_its_last_case(three: Path) -> None:
    """`--after` the last case shown reads on from it; `--last` reads the end; the footer
    names a case number, which the clerk has just read, never a database key."""
    first = staff(three, "queue", "--limit", "2", "--as", "李娜")
    assert first.returncode == 0, first.stderr
    # The third case's item is due long ago by the wall clock: overdue, it comes first.
    shown = [line.split()[0] for line in first.stdout.splitlines()[:2]]
    assert shown == [number(2), number(0)]
    footer = first.stdout.splitlines()[-1]
    assert footer == f"第 1/2 页，共 3 件；下一页：--page 2 --after {number(0)}。"
    on = staff(three, "queue", "--limit", "2", "--page", "2", "--after", number(0), "--as", "李娜")
    assert on.stdout.splitlines()[0].startswith(number(1))
    assert on.stdout.splitlines()[-1] == "第 2/2 页，共 3 件。"
    last = staff(three, "queue", "--limit", "2", "--last", "--as", "李娜")
    assert last.stdout == on.stdout
    tasks = staff(three, "tasks", "--limit", "2", "--as", "李娜")
    assert tasks.returncode == 0, tasks.stderr
    after = tasks.stdout.splitlines()[-1].rsplit("--after ", 1)[1].rstrip("。")
    more = staff(three, "tasks", "--limit", "2", "--page", "2", "--after", after, "--as", "李娜")
    # Three phone tasks and the overdue item the queue flagged: each shown once.
    ids = [line.split()[0] for line in (tasks.stdout + more.stdout).splitlines() if "#" in line]
    assert ids == ["#1", "#2", "#3", "#4"] and "第 2/2 页，共 4 件。" in more.stdout
