"""The start of every inbound event's transaction (`begin_event`): the duplicate mark, on
PostgreSQL the applicant's advisory lock, and the first read, in one round trip there."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.db import Database
from tests.cases.statements import counted

AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def _begin(session: Session, user: str, update_id: int | None) -> repo.EventStart:
    return repo.begin_event(session, "tg", user, update_id, "start", at=AT)


def _answer(session: Session, user: str, update_id: int, state: str) -> repo.EventStart:
    start = _begin(session, user, update_id)
    repo.save_conversation(session, start.conversation, state=state)
    return start


async def test_an_update_taken_twice_is_a_duplicate_the_second_time(db: Database) -> None:
    first = await db.run(_begin, "u1", 42)
    again = await db.run(_begin, "u1", 42)
    other = await db.run(_begin, "u1", 43)

    arrivals = [first.arrival, again.arrival, other.arrival]
    assert [a.duplicate for a in arrivals] == [False, True, False]
    assert not any(a.waited for a in arrivals)  # nobody else held u1
    assert first.applicant == again.applicant == other.applicant


async def test_a_first_contact_creates_the_applicant_and_starts_the_conversation(
    db: Database,
) -> None:
    start = await db.run(_begin, "new", 1)
    found = await db.run(repo.find_applicant, "tg", "new")

    assert found is not None and start.applicant.id == found.id
    assert (start.conversation.state, start.conversation.id) == ("start", None)


async def test_an_event_reads_what_the_previous_one_saved(db: Database) -> None:
    await db.run(_answer, "u1", 1, "ask_name")
    start = await db.run(_begin, "u1", 2)

    assert (start.conversation.state, start.conversation.version) == ("ask_name", 1)


async def test_an_answered_event_sends_one_statement_to_begin_and_one_to_save(
    db: Database,
) -> None:
    """On PostgreSQL the mark, the lock and the read are one statement; SQLite (one writer at
    a time, no lock to take) marks and reads apart."""
    await db.run(_answer, "u1", 1, "ask_name")
    with counted() as statements:
        await db.run(_answer, "u1", 2, "ask_id_number")

    begins = ["INSERT", "SELECT"] if db.is_sqlite else ["WITH"]
    assert [s.split()[0] for s in statements] == [*begins, "UPDATE"]


async def test_an_event_without_an_update_id_is_never_a_duplicate(db: Database) -> None:
    starts = [await db.run(_begin, "u1", None) for _ in range(2)]
    assert [s.arrival.duplicate for s in starts] == [False, False]


async def test_a_rolled_back_event_leaves_its_update_to_be_handled_again(db: Database) -> None:
    def crash(session: Session) -> None:
        _begin(session, "u1", 7)
        raise RuntimeError("the worker died mid-event")

    with pytest.raises(RuntimeError):
        await db.run(crash)
    assert not (await db.run(_begin, "u1", 7)).arrival.duplicate


async def test_a_second_worker_waits_for_the_applicant_then_reads_what_it_saved(
    db: Database,
) -> None:
    """While one transaction holds u1 (PostgreSQL's advisory lock), a second one for u1 with
    its own update waits until the first commits, says so, and reads the first one's save."""
    if db.is_sqlite:
        pytest.skip("SQLite has one writer at a time: no applicant lock to wait for")
    await db.run(_answer, "u1", 1, "ask_language")
    held = asyncio.Event()
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def first_worker() -> None:
        async with db.unit_of_work() as unit:
            await unit.call(_answer, "u1", 2, "ask_name")
            held.set()
            await release.wait()

    holder = asyncio.create_task(first_worker())
    await held.wait()
    second = asyncio.create_task(db.run(_begin, "u1", 3))
    other = await db.run(_begin, "u2", 4)  # another applicant: free
    loop.call_later(0.2, release.set)
    await holder
    start = await second

    assert start.arrival == repo.Arrival(duplicate=False, waited=True)
    assert (start.conversation.state, start.conversation.version) == ("ask_name", 2)
    assert other.arrival == repo.Arrival(duplicate=False, waited=False)


async def test_a_duplicate_while_another_worker_holds_the_applicant_waits(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has one writer at a time: no applicant lock to wait for")
    await db.run(_answer, "u1", 1, "ask_language")
    held = asyncio.Event()
    release = asyncio.Event()

    async def first_worker() -> None:
        async with db.unit_of_work() as unit:
            await unit.call(_answer, "u1", 2, "ask_name")
            held.set()
            await release.wait()

    holder = asyncio.create_task(first_worker())
    await held.wait()
    again = asyncio.create_task(db.run(_begin, "u1", 1))  # update 1 again
    asyncio.get_running_loop().call_later(0.2, release.set)
    await holder
    start = await again

    assert start.arrival == repo.Arrival(duplicate=True, waited=True)
    assert start.conversation.state == "ask_name"
