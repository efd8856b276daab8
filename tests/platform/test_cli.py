"""The staff commands as a person at the window runs them: `python main.py staff ...`."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cases.crypto import Vault
from cases.db import Database
from integrations.platform.embedded import EmbeddedPlatform
from integrations.platform.worker import drain_platform_outbox
from tests.platform.conftest import ID_NUMBER, FakeClock, submitted_case

MAIN = Path(__file__).resolve().parents[2] / "main.py"
KEY = b"c" * 32


@pytest.fixture
async def prepared(tmp_path: Path, clock: FakeClock) -> tuple[Path, str]:
    """A database migrated as the start command does it, with one case on the platform."""
    db = Database(f"sqlite:///{tmp_path / 'app.db'}", vault=Vault(KEY))
    await db.upgrade()
    _, number = await db.run(submitted_case, "u1", clock())
    await drain_platform_outbox(db, EmbeddedPlatform(db, now=clock), now=clock)
    await db.close()
    return tmp_path, number


def staff(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{where / 'app.db'}",
        "SECURITY__DATA_KEY": base64.urlsafe_b64encode(KEY).decode(),
    }
    return subprocess.run(
        [sys.executable, str(MAIN), "staff", *args],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_staff_commands_and_their_errors(prepared: tuple[Path, str]) -> None:
    where, number = prepared

    nobody = staff(where, "queue")
    assert nobody.returncode == 2 and "--as" in nobody.stderr

    queue = staff(where, "queue", "--json", "--as", "李娜")
    assert queue.returncode == 0, queue.stderr
    rows: list[dict[str, Any]] = json.loads(queue.stdout)
    assert [r["case_number"] for r in rows] == [number]
    assert rows[0]["applicant"].endswith("**********" + ID_NUMBER[-4:])
    assert ID_NUMBER not in queue.stdout  # staff lists mask ID numbers

    bad = staff(where, "accept", "YJ-2026-1", "--as", "李娜")
    assert bad.returncode == 2 and "格式不对" in bad.stderr
    unknown = staff(where, "accept", "YJ-20260430-9999", "--as", "李娜")
    assert unknown.returncode == 2 and "没有找到办件" in unknown.stderr

    accepted = staff(where, "accept", number.lower(), "--as", "李娜")
    assert accepted.returncode == 0, accepted.stderr
    assert "已受理" in accepted.stdout and "medical_insurance" in accepted.stdout

    too_late = staff(
        where, "return", number, "--material", "id_card", "--reason", "模糊", "--as", "李娜"
    )
    assert too_late.returncode == 2 and "已经受理" in too_late.stderr

    wrong_office = staff(
        where,
        "answer",
        number,
        "--item",
        "pension_claim",
        "--result",
        "done",
        "--data",
        "monthly_pension=3000",
        "--office",
        "town_government",
        "--as",
        "赵强",
    )
    assert wrong_office.returncode == 2 and "旗就业和社会保险事业中心" in wrong_office.stderr

    done = staff(
        where,
        "answer",
        number,
        "--item",
        "pension_claim",
        "--result",
        "done",
        "--data",
        "monthly_pension=3000.00",
        "--office",
        "social_insurance_center",
        "--as",
        "吴芳",
    )
    assert done.returncode == 0, done.stderr
    assert "medical_insurance 开始计时" in done.stdout

    twice = staff(
        where,
        "answer",
        number,
        "--item",
        "pension_claim",
        "--result",
        "refused",
        "--reason",
        "再答一次",
        "--as",
        "吴芳",
    )
    assert twice.returncode == 2 and "已经答复过" in twice.stderr

    town = staff(where, "show", number, "--office", "town_government", "--json", "--as", "赵强")
    assert town.returncode == 0, town.stderr
    view = json.loads(town.stdout)
    assert set(view["fields"]) == {"name", "id_number", "phone", "town"}
    assert set(view["materials"]) == {"id_card"}
