"""The shared intake's records (cases/repositories/inbound.py), on both databases: what
several webhook workers use to keep one applicant's order and to gather an album's parts
(bot/shared_intake.py; end to end in tests/e2e/test_worker_bursts.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from cases.db import Database
from cases.models import utcnow
from cases.repositories import inbound, mark_update_processed

TG = "telegram"


def waiting(*updates: tuple[str, int]) -> list[inbound.Waiting]:
    return [inbound.Waiting(update_id, update_id, user) for user, update_id in updates]


async def test_an_update_waits_for_every_older_id_and_the_applicants_older_updates(
    db: Database,
) -> None:
    since = utcnow() - timedelta(seconds=30)
    turn = inbound.whose_turn
    # A new deployment knows nothing below its first update: only the order wait passes it.
    await db.run(inbound.record_arrival, TG, "7", 100, "{}")
    assert await db.run(turn, TG, waiting(("7", 100)), since) == (None, set())
    await db.run(inbound.raise_floor, TG, 100)
    assert await db.run(turn, TG, waiting(("7", 100)), since) == (100, {100})
    # The text typed after a press reached its worker first: it waits for the press's id,
    # then for the press to be handled; another applicant's update does not wait for 7's.
    await db.run(inbound.record_arrival, TG, "7", 103, "{}")
    await db.run(inbound.record_arrival, TG, "8", 101, "{}")
    assert await db.run(turn, TG, waiting(("8", 101), ("7", 103)), since) == (101, {101})
    assert await db.run(inbound.missing_below, TG, 103) == [102]
    await db.run(inbound.record_arrival, TG, "7", 102, "{}")  # the press
    assert await db.run(turn, TG, waiting(("7", 102), ("7", 103)), since) == (103, set())
    await db.run(inbound.forget_arrivals, TG, [100])
    assert await db.run(turn, TG, waiting(("7", 102), ("7", 103)), since) == (103, {102})
    await db.run(mark_update_processed, TG, 102)  # handled, its replies still going out
    assert await db.run(turn, TG, waiting(("7", 103)), since) == (103, set())
    await db.run(inbound.forget_arrivals, TG, [101, 102])
    assert await db.run(turn, TG, waiting(("7", 103)), since) == (103, {103})
    # Handled updates are forgotten once the floor passed them: newer ones see no gap.
    await db.run(inbound.forget_arrivals, TG, [103])
    await db.run(inbound.record_arrival, TG, "7", 104, "{}")
    assert await db.run(turn, TG, waiting(("7", 104), ("9", 101)), since) == (104, {104, 101})
    # An id Telegram never delivers (105) holds the next ones up until one gives it up.
    await db.run(inbound.record_arrival, TG, "8", 106, "{}")
    assert await db.run(turn, TG, waiting(("8", 106)), since) == (104, set())
    await db.run(inbound.raise_floor, TG, 106)
    await db.run(inbound.raise_floor, TG, 50)  # the floor never sinks
    assert await db.run(turn, TG, waiting(("8", 106)), since) == (106, {106})
    # An album's second part on its way (108) while a later update (109) is in: not whole.
    await db.run(inbound.record_album_part, TG, "7", 107, "g", "{}")
    await db.run(inbound.record_arrival, TG, "7", 109, "{}")
    assert await db.run(inbound.newest_taken, TG) == 109
    assert not await db.run(inbound.floor_reached, TG, 109)
    await db.run(inbound.record_album_part, TG, "7", 108, "g", "{}")
    assert await db.run(inbound.floor_reached, TG, 109)


async def test_updates_of_a_killed_worker_are_taken_on_by_another(db: Database) -> None:
    await db.run(inbound.record_arrival, TG, "7", 11, '{"n": 11}')
    await db.run(inbound.record_arrival, TG, "8", 10, '{"n": 10}')
    await db.run(inbound.record_album_part, TG, "7", 12, "g", "{}")  # the album's own way
    assert await db.run(inbound.claim_stale_updates, TG, utcnow() - timedelta(seconds=60)) == []
    soon = utcnow() + timedelta(seconds=1)
    taken = await db.run(inbound.claim_stale_updates, TG, soon)
    assert taken == [("8", '{"n": 10}'), ("7", '{"n": 11}')]
    assert await db.run(inbound.claim_stale_updates, TG, utcnow() - timedelta(seconds=1)) == []
    # A live worker keeps its claims: the sweep leaves them.
    await db.run(inbound.forget_arrivals, TG, [10, 11])
    await db.run(inbound.record_arrival, TG, "9", 13, '{"n": 13}')
    later = utcnow() + timedelta(seconds=1)
    await asyncio.sleep(1.1)
    await db.run(inbound.keep_claims, TG, [13])
    assert await db.run(inbound.claim_stale_updates, TG, later) == []


async def test_an_album_is_claimed_once_and_a_part_delivered_again_is_not_kept(
    db: Database,
) -> None:
    for update_id in (21, 20, 22):
        kept = await db.run(
            inbound.record_album_part, TG, "7", update_id, "g1", f'{{"n": {update_id}}}'
        )
        assert kept
    assert await db.run(inbound.last_part_at, TG, "g1") is not None
    long_ago = utcnow() - timedelta(minutes=5)
    first = await db.run(inbound.claim_album, TG, "g1", "worker-a", long_ago)
    second = await db.run(inbound.claim_album, TG, "g1", "worker-b", long_ago)
    assert first == ['{"n": 20}', '{"n": 21}', '{"n": 22}'] and second == []
    assert await db.run(inbound.last_part_at, TG, "g1") is None  # claimed: nobody waits
    await db.run(inbound.finish_album, TG, [20, 21, 22])
    assert not await db.run(inbound.record_album_part, TG, "7", 21, "g1", "{}")
    await db.run(inbound.record_arrival, TG, "7", 30, "{}")
    await db.run(inbound.raise_floor, TG, 29)
    assert await db.run(inbound.whose_turn, TG, waiting(("7", 30)), long_ago) == (30, {30})


async def test_albums_of_killed_workers_are_found_by_the_sweep(db: Database) -> None:
    await db.run(inbound.record_album_part, TG, "7", 40, "quiet", "{}")
    await db.run(inbound.record_album_part, TG, "8", 41, "claimed", "{}")
    await db.run(inbound.claim_album, TG, "claimed", "worker-a", utcnow())
    before, soon = utcnow() - timedelta(seconds=5), utcnow() + timedelta(seconds=5)
    assert await db.run(inbound.orphan_albums, TG, before, before) == []
    assert await db.run(inbound.orphan_albums, TG, soon, before) == [("quiet", "7")]
    found = await db.run(inbound.orphan_albums, TG, soon, soon)  # worker-a stopped answering
    assert sorted(found) == [("claimed", "8"), ("quiet", "7")]
    assert await db.run(inbound.claim_album, TG, "claimed", "worker-b", soon) == ["{}"]
