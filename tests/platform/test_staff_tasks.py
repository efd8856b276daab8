"""The clerk's task list on the command line: `staff tasks` and `staff done` in process and
through `main.py`, and the medical answer's phone task raised by the embedded platform."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import subprocess
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

from cases.crypto import Vault
from cases.db import Database
from cases.platform.delivery import drain_platform_outbox
from cases.tasks import close_task, list_tasks
from commands.staff_tasks import run_done, run_tasks
from integrations.platform.embedded import EmbeddedPlatform
from staffweb.accounts import add_account
from tests.cases.task_seed import BLOCKED_PHONE, seed
from tests.platform.conftest import FORM, ID_NUMBER, FakeClock, open_db, submitted_case

MAIN = Path(__file__).resolve().parents[2] / "main.py"


def _call(command: Any, db: Database, **fields: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = command(Namespace(**fields), db, out, err)
    return code, out.getvalue(), err.getvalue()


async def test_the_commands_in_process(tmp_path: Path, clock: FakeClock) -> None:
    db = await open_db(tmp_path / "app.db")
    try:
        ids = await db.run(seed, clock())
        await db.run(add_account, "李娜", "clerk", "a long password", "test", at=clock())
        code, _, err = await asyncio.to_thread(
            lambda: _call(run_tasks, db, kind=None, json=True, actor="随便写的名字")
        )
        assert code == 2 and "没有账号“随便写的名字”" in err

        def call(command: Any, **fields: Any) -> tuple[int, str, str]:
            out, err = io.StringIO(), io.StringIO()
            code = command(Namespace(**fields), db, out, err)
            return code, out.getvalue(), err.getvalue()

        code, text, _ = await asyncio.to_thread(
            call, run_tasks, kind=None, json=False, actor="李娜"
        )
        assert code == 0
        assert BLOCKED_PHONE in text and "电话通知申请人" in text and ID_NUMBER not in text
        assert ID_NUMBER[:4] + "**********" + ID_NUMBER[-4:] in text  # the question, masked

        code, _, err = await asyncio.to_thread(call, run_tasks, kind=None, json=True, actor=" ")
        assert code == 2 and "--as" in err

        code, text, _ = await asyncio.to_thread(
            call, run_done, task=ids["handover"], note="已回电解答", actor="李娜"
        )
        assert code == 0 and f"任务 {ids['handover']} 已完成" in text
        code, _, err = await asyncio.to_thread(
            call, run_done, task=ids["handover"], note="再来", actor="李娜"
        )
        assert code == 2 and "已于" in err
    finally:
        await db.close()


async def test_main_py_staff_tasks_smoke(tmp_path: Path, clock: FakeClock) -> None:
    key = b"s" * 32
    db = Database(f"sqlite:///{tmp_path / 'app.db'}", vault=Vault(key))
    await db.upgrade()
    ids = await db.run(seed, clock())
    await db.run(add_account, "李娜", "clerk", "a long password", "test", at=clock())
    await db.close()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "SECURITY__DATA_KEY": base64.urlsafe_b64encode(key).decode(),
    }
    command = [sys.executable, str(MAIN), "staff", "tasks", "--kind", "phone_applicant"]
    result = await asyncio.to_thread(
        subprocess.run,
        [*command, "--json", "--as", "李娜"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["id"], r["phone"]) for r in rows] == [(ids["phone"], BLOCKED_PHONE)]


async def test_a_medical_answer_asks_the_clerk_to_phone_the_worker_with_the_figures(
    db: Database, clock: FakeClock
) -> None:
    _, number = await db.run(submitted_case, "u-medical", clock())
    platform = EmbeddedPlatform(db, now=clock)
    await drain_platform_outbox(db, platform, now=clock)
    await db.run(platform.accept, number, "staff:李娜")
    await db.run(platform.answer, number, "pension_claim", "done", "staff:养老", {
        "monthly_pension": "3520.50"
    })  # fmt: skip
    medical = {"contribution_months": "250", "back_payment_due": "5600.00"}
    await db.run(platform.answer, number, "medical_insurance", "done", "staff:医保", medical)

    rows = await db.run(list_tasks, "staff:李娜", "phone_medical", at=clock())
    (task,) = rows
    assert task.kind_label == "电话告知医保缴费和补缴情况"
    assert task.case_number == number and task.phone == FORM["phone"]
    assert task.detail["需补缴金额（元）"] == "5600.00"
    assert task.detail["缴费月数"] == "20年10个月（250个月）"
    done = await db.run(
        close_task,
        task.id,
        "staff:李娜",
        "已电话告知：需补缴5600元，申请人下周到窗口缴纳",
        at=clock(),
    )
    assert done == task.id
    assert await db.run(list_tasks, "staff:李娜", "phone_medical", at=clock()) == []
