"""`python main.py staff route`: the clerk assigns the town of a worker who was not sure of it,
with the words people use at the window (阿镇); then the town's account has it in its queue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cases.crypto import Vault
from cases.db import Database
from cases.platform.delivery import drain_platform_outbox
from integrations.platform.embedded import EmbeddedPlatform
from staffweb.accounts import add_account
from tests.platform.conftest import FORM, FakeClock, submitted_case
from tests.platform.test_cli import ACCOUNTS, KEY, staff


@pytest.fixture
async def not_sure(tmp_path: Path, clock: FakeClock) -> tuple[Path, str]:
    db = Database(f"sqlite:///{tmp_path / 'app.db'}", vault=Vault(KEY))
    await db.upgrade()
    form = {**FORM, "town": "其他或不确定（由受理人员核实）"}
    _, number = await db.run(submitted_case, "u1", clock(), form)
    await drain_platform_outbox(db, EmbeddedPlatform(db, now=clock), now=clock)
    for username, role in {**ACCOUNTS, "高敏": "town_jasag"}.items():
        await db.run(add_account, username, role, "a long password", "test", at=clock())
    await db.close()
    return tmp_path, number


def test_the_clerk_routes_a_not_sure_case_to_the_town(not_sure: tuple[Path, str]) -> None:
    where, number = not_sure
    assert staff(where, "accept", number, "--as", "李娜").returncode == 0
    tasks = staff(where, "tasks", "--kind", "route_town", "--json", "--as", "李娜")
    assert tasks.returncode == 0 and number in tasks.stdout
    assert json.loads(staff(where, "queue", "--json", "--as", "赵强").stdout) == []

    by_office = staff(where, "route", number, "--town", "阿镇", "--as", "赵强")
    assert by_office.returncode == 2 and "不能执行" in by_office.stderr
    unknown = staff(where, "route", number, "--town", "北京", "--as", "李娜")
    assert unknown.returncode == 2 and "阿勒腾席热镇" in unknown.stderr  # the choices
    routed = staff(where, "route", number, "--town", "阿镇", "--as", "李娜")
    assert routed.returncode == 0, routed.stderr
    assert "阿勒腾席热镇人民政府" in routed.stdout and "截止" in routed.stdout

    queue = json.loads(staff(where, "queue", "--json", "--as", "赵强").stdout)
    assert [(r["case_number"], r["item"]) for r in queue] == [(number, "community_registration")]
    assert json.loads(staff(where, "queue", "--json", "--as", "高敏").stdout) == []
    other = staff(where, "show", number, "--as", "高敏")
    assert other.returncode == 2
    left = staff(where, "tasks", "--kind", "route_town", "--json", "--as", "李娜")
    assert number not in left.stdout
