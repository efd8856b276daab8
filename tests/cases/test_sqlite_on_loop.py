"""`run_on_loop`: short SQLite units of work run on the event loop and never wait there:
when another connection holds the write lock, the unit is rolled back and waits for the lock
in the writer thread, while the loop keeps serving everyone else."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.db import Database
from tests.cases.databases import sqlite_database


def _first_contact(session: Session, user_id: str) -> tuple[int, str]:
    applicant = repo.get_or_create_applicant(session, "telegram", user_id)
    return applicant.id, threading.current_thread().name


async def test_a_unit_of_work_runs_on_the_loop_when_the_database_is_free(tmp_path: Path) -> None:
    async with sqlite_database(tmp_path) as db:
        _, thread = await db.run_on_loop(_first_contact, "1")

    assert thread == threading.current_thread().name


async def test_a_locked_database_is_waited_for_off_the_loop(tmp_path: Path) -> None:
    async with sqlite_database(tmp_path) as db:
        path = tmp_path / "app.db"
        assert path.exists(), "the helper's file moved: point this test at it"
        other = sqlite3.connect(path, isolation_level=None)  # a staff command, say
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        ticks = 0

        async def loop_is_alive() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        ticker = asyncio.create_task(loop_is_alive())
        blocked = asyncio.create_task(db.run_on_loop(_first_contact, "2"))
        await asyncio.sleep(0.2)
        assert not blocked.done()  # waiting for the lock...
        assert ticks >= 10  # ...and the loop kept running meanwhile
        other.execute("COMMIT")
        applicant_id, thread = await blocked
        ticker.cancel()
        other.close()

        # Written once, by the writer thread, after the lock was released.
        assert thread.startswith("case-store")
        found = await db.run(lambda s: repo.find_applicant(s, "telegram", "2"))
        assert found is not None and found.id == applicant_id


async def test_run_and_in_memory_databases_use_the_writer_thread(tmp_path: Path) -> None:
    async with sqlite_database(tmp_path) as db:
        _, thread = await db.run(_first_contact, "3")
    assert thread.startswith("case-store")

    memory = Database("sqlite://")
    try:
        await memory.create_all()
        _, thread = await memory.run_on_loop(_first_contact, "4")
    finally:
        await memory.close()
    assert thread.startswith("case-store")


async def test_a_unit_that_fails_on_the_loop_writes_nothing_and_the_next_one_runs(
    tmp_path: Path,
) -> None:
    """The loop keeps its connection from one unit to the next: a failed unit's writes (ORM
    objects flushed, Core statements) are rolled back with it, and the connection serves on."""

    def half_done(session: Session) -> None:
        applicant = repo.get_or_create_applicant(session, "telegram", "5")
        repo.mark_update_processed(session, "telegram", 99)
        session.flush()
        raise RuntimeError(f"applicant {applicant.id} half stored")

    async with sqlite_database(tmp_path) as db:
        for _ in range(2):
            with pytest.raises(RuntimeError):
                await db.run_on_loop(half_done)
        assert await db.run(lambda s: repo.find_applicant(s, "telegram", "5")) is None
        assert await db.run_on_loop(repo.mark_update_processed, "telegram", 99)  # not marked
        _, thread = await db.run_on_loop(_first_contact, "5")

    assert thread == threading.current_thread().name
