"""`python main.py staff route` and `staff birth-date`: the clerk assigns the town of a worker
who was not sure of it, with the words people use at the window (阿镇), and the town's account
then has it in its queue; the clerk enters a birth date on file and gets the task it raises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cases.crypto import Vault
from cases.db import Database
from cases.platform.delivery import drain_platform_outbox
from integrations.platform.embedded.platform import EmbeddedPlatform
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
    assert "“社会化管理服务登记”" in routed.stdout and "community" not in routed.stdout
    listed = staff(where, "queue", "--as", "赵强").stdout  # the office's own queue, in words
    assert "事项：社会化管理服务登记" in listed and "community" not in listed

    queue = json.loads(staff(where, "queue", "--json", "--as", "赵强").stdout)
    assert [(r["case_number"], r["item"]) for r in queue] == [(number, "community_registration")]
    assert json.loads(staff(where, "queue", "--json", "--as", "高敏").stdout) == []
    other = staff(where, "show", number, "--as", "高敏")
    assert other.returncode == 2
    left = staff(where, "tasks", "--kind", "route_town", "--json", "--as", "李娜")
    assert number not in left.stdout


def test_the_clerk_enters_a_birth_date_on_file(not_sure: tuple[Path, str]) -> None:
    where, number = not_sure  # a man born 1966-01-15 by his ID card: statutory 2026-05
    by_office = staff(where, "birth-date", number, "--date", "1965-11-20", "--as", "吴芳")
    assert by_office.returncode == 2
    bad = staff(where, "birth-date", number, "--date", "1965.11.20", "--as", "李娜")
    assert bad.returncode == 2 and "1970-08-01" in bad.stderr  # the expected form
    same = staff(where, "birth-date", number, "--date", "1966-01-15", "--as", "李娜")
    assert same.returncode == 0 and "一致" in same.stdout
    entered = staff(where, "birth-date", number, "--date", "1965-11-20", "--as", "李娜")
    assert entered.returncode == 0, entered.stderr
    for shown in ("2026年5月", "2026年2月", "1965年11月20日", "窗口录入"):
        assert shown in entered.stdout, shown
    tasks = staff(where, "tasks", "--kind", "birth_date_differs", "--json", "--as", "李娜")
    assert [t["case_number"] for t in json.loads(tasks.stdout)] == [number]
