"""The leader lock on both databases: one holder at a time, and a holder that is killed
outright (SIGKILL, no clean-up) is replaced."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cases.db import Database
from runtime.leader import Leadership, advisory_key, leadership_for
from tests.cases.databases import PG_URL, _admin

HOLD = """
import asyncio, sys
from cases.db import Database
from runtime.leader import leadership_for

async def main():
    db = Database(sys.argv[1], schema=sys.argv[2] or None)
    lock = leadership_for(db, 0.05)
    assert await lock.acquire(asyncio.Event())
    print("leading", flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


@pytest.fixture(params=["sqlite", "postgresql"])
async def where(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """A database URL and a schema name: one deployment."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}", ""
        return
    admin = await _admin()  # skips (or fails under CI) when PostgreSQL is down
    await admin.close()
    yield PG_URL, f"leader_{uuid.uuid4().hex[:10]}"


def lock_of(url: str, schema: str, retry: float = 0.05) -> tuple[Database, Leadership]:
    db = Database(url, schema=schema or None)
    return db, leadership_for(db, retry)


async def test_one_holder_at_a_time_and_the_next_one_after_release(where):
    url, schema = where
    db1, first = lock_of(url, schema)
    db2, second = lock_of(url, schema)
    try:
        assert await first.acquire(asyncio.Event())
        stop = asyncio.Event()
        waiting = asyncio.create_task(second.acquire(stop))
        await asyncio.sleep(0.3)  # several retries' worth: it must still be waiting
        assert not waiting.done()
        await first.release()
        assert await asyncio.wait_for(waiting, 30)
        await second.release()
        stop.set()
    finally:
        await db1.close()
        await db2.close()


async def test_a_waiting_process_gives_up_when_told_to_stop(where):
    url, schema = where
    db1, first = lock_of(url, schema)
    db2, second = lock_of(url, schema)
    try:
        assert await first.acquire(asyncio.Event())
        stop = asyncio.Event()
        waiting = asyncio.create_task(second.acquire(stop))
        await asyncio.sleep(0.1)
        stop.set()
        assert await asyncio.wait_for(waiting, 30) is False
        await first.release()
    finally:
        await db1.close()
        await db2.close()


async def test_a_leader_killed_outright_is_replaced(where, tmp_path: Path):
    url, schema = where
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, url, schema],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    db, follower = lock_of(url, schema)
    try:
        line = await asyncio.to_thread(holder.stdout.readline)  # type: ignore[union-attr]
        assert line.strip() == b"leading"
        stop = asyncio.Event()
        waiting = asyncio.create_task(follower.acquire(stop))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # the holder is alive: no second leader
        holder.kill()  # SIGKILL: the lock must go with the process
        holder.wait()
        assert await asyncio.wait_for(waiting, 30)
        await follower.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        await db.close()


async def test_a_leader_whose_database_connection_dies_steps_down():
    admin = await _admin()
    schema = f"leader_{uuid.uuid4().hex[:10]}"
    db, lock = lock_of(PG_URL, schema)
    try:
        assert await lock.acquire(asyncio.Event())
        key = advisory_key(db.url, schema)
        # The operator restarts the database, or the network drops: the lock's session ends.
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
            "AND ((classid::bigint << 32) | objid::bigint) = $1::bigint",
            key,
        )
        await asyncio.wait_for(lock.lost(), 30)
        await lock.release()
    finally:
        await admin.close()
        await db.close()


def test_another_schema_or_database_is_another_deployment():
    assert advisory_key(PG_URL, "a") != advisory_key(PG_URL, "b")
    assert advisory_key(PG_URL, None) != advisory_key(PG_URL.rsplit("/", 1)[0] + "/other", None)
    assert advisory_key("postgresql+asyncpg://u:secret@h/db", None) == advisory_key(
        "postgresql+asyncpg://u:other@h/db", None
    )  # the password is not part of the name
