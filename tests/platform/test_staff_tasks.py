"""The clerk's task list: `staff tasks` shows whom to phone (in full, audited), `staff done`
closes a task."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import subprocess
import sys
from argparse import Namespace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.push_sender import hand_to_clerk
from cases import repositories as repo
from cases.crypto import Vault
from cases.db import Database
from cases.models import AuditLog, NotificationOutbox, StaffTask
from cases.repositories.applicants import get_or_create_applicant, set_phone
from integrations.platform.staff_tasks import (
    TaskError,
    close_task,
    list_tasks,
    run_done,
    run_tasks,
)
from staffweb.accounts import add_account
from tests.platform.conftest import FORM, ID_NUMBER, FakeClock, open_db, submitted_case

MAIN = Path(__file__).resolve().parents[2] / "main.py"
BLOCKED_PHONE = "13812345678"


def seed(session: Session, at: datetime) -> dict[str, int]:
    """The tasks as the rest of the system raises them: a push refused with 403, a hand-over
    to a person (the question carries an ID number), an overdue item, a bad rating."""
    add_account(session, "李娜", "clerk", "a long password", "test", at=at)  # who runs them
    blocked = get_or_create_applicant(session, "telegram", "t-blocked")
    blocked.full_name = "张秀英"
    set_phone(session, blocked, BLOCKED_PHONE)
    repo.enqueue_notification(session, blocked.id, {"intents": []}, "push:1")
    row_id = session.scalar(
        select(NotificationOutbox.id).where(NotificationOutbox.dedupe_key == "push:1")
    )
    assert row_id is not None
    hand_to_clerk(session, blocked.id, row_id, "403 Forbidden: bot was blocked by the user")

    asking, number = submitted_case(session, "u-asking", at)
    case = repo.current_case(session, asking)
    assert case is not None
    handover = repo.add_staff_task(
        session,
        "handover",
        applicant_id=asking,
        case_id=case.id,
        detail={"reason": "not_understood", "question": f"我的身份证 {ID_NUMBER} 能办吗"},
    )
    overdue = StaffTask(
        case_id=case.id, kind="overdue", detail={"case_number": number, "item": "pension_claim"}
    )
    session.add(overdue)
    followup = repo.add_staff_task(
        session, "rating_followup", case_id=case.id, applicant_id=asking
    )
    session.flush()
    phone = session.scalar(select(StaffTask.id).where(StaffTask.kind == "phone_applicant"))
    assert phone is not None
    return {"phone": phone, "handover": handover.id, "overdue": overdue.id, "rating": followup.id}


def listings(session: Session) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.action == "staff_tasks.listed").order_by(AuditLog.id)
    return list(session.scalars(query))


async def test_the_list_shows_whom_to_phone_and_is_audited(db: Database, clock: FakeClock) -> None:
    ids = await db.run(seed, clock())

    rows = await db.run(list_tasks, "staff:李娜", at=clock())
    by_id = {r.id: r for r in rows}
    assert set(by_id) == set(ids.values())
    phone, handover = by_id[ids["phone"]], by_id[ids["handover"]]
    assert phone.phone == BLOCKED_PHONE and phone.applicant == "张秀英"
    assert phone.kind_label.startswith("电话通知申请人")
    # The hand-over's applicant gave the number only in the form: shown from there.
    assert handover.phone == FORM["phone"] and handover.applicant == FORM["name"]
    assert handover.case_number is not None and handover.case_number.startswith("YJ-")
    assert ID_NUMBER not in json.dumps([r.to_json() for r in rows], ensure_ascii=False)
    assert by_id[ids["overdue"]].phone is None  # the office's business: no phone shown

    logged = await db.run(listings)
    assert [(a.actor, sorted(a.detail["tasks"])) for a in logged] == [
        ("staff:李娜", sorted(ids.values()))
    ]
    assert sorted(logged[0].detail["phones_shown"]) == sorted(
        [ids["phone"], ids["handover"], ids["rating"]]
    )
    assert BLOCKED_PHONE not in json.dumps(logged[0].detail)

    only = await db.run(list_tasks, "staff:李娜", "phone_applicant", at=clock())
    assert [r.id for r in only] == [ids["phone"]]


async def test_done_closes_a_task_and_refuses_clearly(db: Database, clock: FakeClock) -> None:
    ids = await db.run(seed, clock())

    await db.run(close_task, ids["phone"], "staff:李娜", "已电话告知受理结果", at=clock())
    left = await db.run(list_tasks, "staff:李娜", at=clock())
    assert ids["phone"] not in {r.id for r in left}
    done = await db.run(
        lambda s: list(s.scalars(select(AuditLog).where(AuditLog.action == "staff_task.done")))
    )
    assert [(a.actor, a.detail["task"], a.detail["note"]) for a in done] == [
        ("staff:李娜", ids["phone"], "已电话告知受理结果")
    ]

    async def refused(task_id: int, note: str = "好了") -> str:
        try:
            await db.run(close_task, task_id, "staff:李娜", note, at=clock())
        except TaskError as exc:
            return exc.message
        raise AssertionError("not refused")

    assert "已于" in await refused(ids["phone"])
    assert "没有编号为 999999" in await refused(999999)
    assert "staff followup" in await refused(ids["rating"])
    assert "--note" in await refused(ids["handover"], "  ")


async def test_the_commands_in_process(tmp_path: Path, clock: FakeClock) -> None:
    db = await open_db(tmp_path / "app.db")
    try:
        ids = await db.run(seed, clock())

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
    from cases.platform.delivery import drain_platform_outbox
    from integrations.platform.embedded import EmbeddedPlatform

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
    assert str(task.detail["缴费月数"]) == "250"
    done = await db.run(
        close_task,
        task.id,
        "staff:李娜",
        "已电话告知：需补缴5600元，申请人下周到窗口缴纳",
        at=clock(),
    )
    assert done == task.id
    assert await db.run(list_tasks, "staff:李娜", "phone_medical", at=clock()) == []
