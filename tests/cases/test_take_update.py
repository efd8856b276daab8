"""The start of every inbound event's transaction (`take_update`): the duplicate mark and, on
PostgreSQL, the applicant's advisory lock taken in the same round trip."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.db import Database

AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


async def test_an_update_taken_twice_is_a_duplicate_the_second_time(db: Database) -> None:
    first = await db.run(repo.take_update, "tg", "u1", 42, at=AT)
    again = await db.run(repo.take_update, "tg", "u1", 42, at=AT)
    other = await db.run(repo.take_update, "tg", "u1", 43, at=AT)

    assert (first.duplicate, again.duplicate, other.duplicate) == (False, True, False)
    assert not (first.waited or again.waited or other.waited)  # nobody else held u1


async def test_an_event_without_an_update_id_is_never_a_duplicate(db: Database) -> None:
    arrivals = [await db.run(repo.take_update, "tg", "u1", None, at=AT) for _ in range(2)]
    assert [a.duplicate for a in arrivals] == [False, False]


async def test_a_rolled_back_event_leaves_its_update_to_be_handled_again(db: Database) -> None:
    def crash(session: Session) -> None:
        repo.take_update(session, "tg", "u1", 7, at=AT)
        raise RuntimeError("the worker died mid-event")

    with pytest.raises(RuntimeError):
        await db.run(crash)
    assert not (await db.run(repo.take_update, "tg", "u1", 7, at=AT)).duplicate


async def test_a_second_worker_waits_for_the_applicant_and_says_so(db: Database) -> None:
    """While one transaction holds u1 (PostgreSQL's advisory lock; SQLite's write lock), a
    second one for u1 with its own update waits until the first commits."""
    if db.is_sqlite:
        pytest.skip("SQLite has one writer at a time: no applicant lock to wait for")
    held = asyncio.Event()
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def first_worker() -> None:
        async with db.unit_of_work() as unit:
            await unit.call(repo.take_update, "tg", "u1", 1, at=AT)
            held.set()
            await release.wait()

    holder = asyncio.create_task(first_worker())
    await held.wait()
    second = asyncio.create_task(db.run(repo.take_update, "tg", "u1", 2, at=AT))
    other = await db.run(repo.take_update, "tg", "u2", 3, at=AT)  # another applicant: free
    loop.call_later(0.2, release.set)
    await holder
    arrival = await second

    assert arrival == repo.Arrival(duplicate=False, waited=True)
    assert other == repo.Arrival(duplicate=False, waited=False)
