"""The clerk's task list over the case record (`cases.tasks`): it shows whom to phone (in
full, audited), and closing a task needs a note and refuses clearly."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.db import Database
from cases.models import AuditLog
from cases.tasks import TaskError, close_task, list_tasks
from tests.cases.task_seed import BLOCKED_PHONE, seed
from tests.platform.conftest import FORM, ID_NUMBER, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 4, 30, 1, 0, tzinfo=UTC))  # 09:00 in Ordos


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
