"""One case never holds up another: each case's notice is handled in a transaction of its
own; a case that fails is recorded, retried alone with backoff and, after the third failure,
handed to the clerk, while the others are delivered."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from aftercare.config import Deps
from aftercare.failures import NOTICE
from aftercare.worker import tick
from cases import repositories as repo
from cases.models import AftercareFailure, Case, StaffTask
from cases.tasks import list_tasks
from documents.result_notice import NoticeData, render_result_notice
from locales import Translator
from tests.aftercare.conftest import World
from tests.cases.databases import sqlite_database
from tests.documents.conftest import pdf_text
from tests.platform.conftest import ID_NUMBER

MAIN = Path(__file__).resolve().parents[2] / "main.py"


class FailsFor:
    """A notice renderer that always fails for one case (as fpdf2 did on a reason too long
    for a table row, naming the applicant's ID number in its message) and renders every
    other case for real."""

    def __init__(self, case_number: str) -> None:
        self.case_number = case_number
        self.calls = 0

    def __call__(self, notice: NoticeData, tr: Translator, *args: Any) -> bytes:
        if notice.case_number == self.case_number:
            self.calls += 1
            raise ValueError(f"The row is too high and cannot be rendered ({ID_NUMBER})")
        return render_result_notice(notice, tr, *args)


async def _two_ready_cases(world: World) -> tuple[str, str]:
    first = await world.submitted("u1")
    await world.results_ready(first)
    second = await world.submitted("u2")
    await world.results_ready(second)
    return first, second


async def _failure(world: World, number: str) -> AftercareFailure | None:
    def read(session: Any) -> AftercareFailure | None:
        case = repo.find_case_by_number(session, number)
        return repo.aftercare_failure(session, NOTICE, case.id)

    return await world.db.run(read)


async def _tasks(world: World, kind: str = "notice_failed") -> list[StaffTask]:
    return await world.db.run(
        lambda s: list(s.scalars(select(StaffTask).where(StaffTask.kind == kind)))
    )


async def test_a_6000_character_refusal_and_an_ordinary_case_both_get_their_notice(
    world: World,
) -> None:
    long, ordinary = await _two_ready_cases(world)
    reason = ("缴费记录与档案记载不一致，请携带原始档案到窗口核实。" * 250)[:6000]

    def refuse(session: Any) -> None:
        # Stored as the office sent it, whatever the platform accepts today.
        case = repo.find_case_by_number(session, long)
        row = repo.get_item_result(session, case.id, "pension_claim")
        row.status, row.reason = "refused", reason

    await world.db.run(refuse)

    done = await tick(world.db, world.deps, now=world.clock())

    assert sorted(done.delivered) == sorted([long, ordinary]) and done.failed == []
    assert await world.status(long) == "notified" and await world.status(ordinary) == "notified"
    notices = [p.document for p in await world.pushes() if p.document is not None]
    assert len(notices) == 2
    texts = {n.filename: pdf_text(world.deps.files.read(n.address)) for n in notices}
    assert "未通过" in texts[f"结果告知单-{long}.pdf"]
    assert reason[:200] in texts[f"结果告知单-{long}.pdf"]


async def test_a_notice_that_cannot_render_is_retried_with_backoff_and_handed_to_the_clerk(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    broken, ordinary = await _two_ready_cases(world)
    renderer = FailsFor(broken)
    deps = Deps(world.deps.files, world.deps.config, render=renderer)
    start = world.clock()

    with caplog.at_level(logging.WARNING, logger="aftercare.worker"):
        first = await tick(world.db, deps, now=world.clock())
    # The other case is delivered; the broken one is rolled back and recorded.
    assert first.delivered == [ordinary]
    assert await world.status(ordinary) == "notified"
    assert await world.status(broken) == "results_ready"
    assert [(f.case_number, f.attempts, f.staff_task_id) for f in first.failed] == [
        (broken, 1, None)
    ]
    failure = await _failure(world, broken)
    assert failure is not None and failure.attempts == 1
    assert failure.next_attempt_at == start + timedelta(minutes=1)
    # Masked everywhere: in the record and in the log.
    assert ID_NUMBER not in failure.last_error and "too high" in failure.last_error
    assert broken in caplog.text and ID_NUMBER not in caplog.text
    assert ID_NUMBER[:4] in caplog.text  # the masked form: the log still says what failed

    # Not before its time: half a minute later nothing is tried.
    world.clock.advance(seconds=30)
    assert (await tick(world.db, deps, now=world.clock())).failed == []
    assert renderer.calls == 1

    # Then 1 min, 5 min: the second and third failures; the third raises one staff task.
    world.clock.advance(seconds=30)
    second = await tick(world.db, deps, now=world.clock())
    assert [(f.attempts, f.staff_task_id) for f in second.failed] == [(2, None)]
    assert second.failed[0].next_attempt_at == world.clock() + timedelta(minutes=5)
    world.clock.advance(minutes=4)
    assert (await tick(world.db, deps, now=world.clock())).failed == []
    world.clock.advance(minutes=1)
    third = await tick(world.db, deps, now=world.clock())
    assert third.failed[0].attempts == 3 and third.failed[0].staff_task_id is not None
    assert third.failed[0].next_attempt_at == world.clock() + timedelta(minutes=30)
    assert len(await _tasks(world)) == 1

    # The fourth failure, 30 minutes on, raises no second task.
    world.clock.advance(minutes=30)
    fourth = await tick(world.db, deps, now=world.clock())
    assert fourth.failed[0].attempts == 4 and renderer.calls == 4
    assert len(await _tasks(world)) == 1

    # The clerk sees it in `staff tasks`, in plain Chinese, with the case and the person.
    rows = await world.db.run(list_tasks, "staff:李", "notice_failed", at=world.clock())
    assert [(r.case_number, r.kind_label) for r in rows] == [
        (broken, "结果告知单生成失败，请人工处理")
    ]
    assert rows[0].applicant and "结果告知单" in rows[0].detail["说明"]

    # Fixed (here: the renderer works again): the next try delivers and forgets the failure.
    world.clock.advance(hours=2)
    fixed = await tick(world.db, world.deps, now=world.clock())
    assert fixed.delivered == [broken] and fixed.failed == []
    assert await world.status(broken) == "notified"
    assert await _failure(world, broken) is None
    [task] = await _tasks(world)
    assert task.status == "done" and "自动" in task.detail["done_note"]


async def test_a_chat_turn_still_answers_while_another_cases_notice_cannot_render(
    world: World,
) -> None:
    from console.session import Console
    from dialogs.events import Command

    broken = await world.submitted("u2")
    await world.results_ready(broken)
    mine = await world.submitted("c1", channel="console")
    failing = Deps(world.deps.files, world.deps.config, render=FailsFor(broken))
    console = Console(
        world.service,
        world.db,
        world.deps.files,
        "c1",
        max_bytes=20_000_000,
        clock=world.clock,
        aftercare=lambda now: tick(world.db, failing, now=now),
    )
    for _ in range(3):  # every turn runs the aftercare step: none of them breaks
        outcome, _pushes = await console.send(Command("status"))
        assert outcome.replies and outcome.case_number == mine
        world.clock.advance(minutes=31)
    failure = await _failure(world, broken)
    assert failure is not None and failure.attempts == 3
    assert await world.status(broken) == "results_ready"


async def test_aftercare_tick_as_a_command_exits_0_and_reports_the_failed_case(
    tmp_path: Path,
) -> None:
    async with sqlite_database(tmp_path, create=False) as db:
        await db.upgrade()  # as a deployment's database: the command finds it at head
        world = World(db, tmp_path)
        damaged, ordinary = await _two_ready_cases(world)

        def damage(session: Any) -> None:
            # A record broken by hand or by an old bug: the case cannot even be loaded.
            session.execute(
                text("UPDATE cases SET form = '[\"damaged\"]' WHERE number = :n"), {"n": damaged}
            )

        await db.run(damage)

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TELEGRAM_TOKEN")}
    env["DATABASE__URL"] = f"sqlite:///{tmp_path / 'app.db'}"
    env["FILES__DIR"] = str(tmp_path / "files")
    run = subprocess.run(
        [sys.executable, str(MAIN), "aftercare", "tick"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "送达结果告知单 1 件" in run.stdout
    assert "有 1 件未能处理，已记录，将自动重试" in run.stderr
    assert f"办件 {damaged}：结果告知单未能生成（第 1 次失败" in run.stderr

    async with sqlite_database(tmp_path, create=False) as db:
        statuses = await db.run(
            lambda s: dict(s.execute(select(Case.number, Case.status)).all())
        )  # columns only: the damaged record cannot be loaded whole
        assert statuses == {damaged: "results_ready", ordinary: "notified"}
        failures = await db.run(lambda s: list(s.scalars(select(AftercareFailure))))
        assert [(f.job, f.attempts) for f in failures] == [("notice", 1)]
