"""The shared intake's records (cases/repositories/inbound.py), on both databases: what
several webhook workers use to keep one applicant's order and to gather an album's parts
(bot/shared_intake.py; end to end in tests/e2e/test_worker_bursts.py)."""

from __future__ import annotations

from datetime import timedelta

from cases.db import Database
from cases.models import utcnow
from cases.repositories import inbound, mark_update_processed

TG = "telegram"


async def test_an_update_waits_only_for_the_applicants_older_ones(db: Database) -> None:
    for user, update_id in (("7", 10), ("7", 12), ("8", 11)):
        await db.run(inbound.record_arrival, TG, user, update_id)
    since = utcnow() - timedelta(seconds=30)
    assert await db.run(inbound.earlier_waiting, TG, "7", 12, since) == 1  # 10, not 8's 11
    assert await db.run(inbound.earlier_waiting, TG, "7", 10, since) == 0
    await db.run(mark_update_processed, TG, 10)  # handled, its replies still going out
    assert await db.run(inbound.earlier_waiting, TG, "7", 12, since) == 1
    await db.run(inbound.forget_arrivals, TG, [10])
    later = utcnow() + timedelta(seconds=1)  # what arrived before `since` is a left-over
    assert await db.run(inbound.earlier_waiting, TG, "8", 99, later) == 0


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
    assert await db.run(inbound.earlier_waiting, TG, "7", 30, long_ago) == 0


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
