"""Load-change-save round trips per second on SQLite and PostgreSQL.

One round trip is what the conversation does per inbound event: `Database.run` opens a
session, loads the applicant's conversation, changes its state and answers, saves it under
the optimistic lock and commits. Goal: >= 2,000/s on SQLite on one core.

    .venv/bin/python benchmarks/case_store.py [--seconds 3] [--pg URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.crypto import Vault
from cases.db import Database
from cases.models import Conversation

APPLICANTS = 200
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def seed(session: Session) -> list[int]:
    ids = []
    for n in range(APPLICANTS):
        applicant = repo.get_or_create_applicant(session, "telegram", str(n))
        repo.load_or_start_conversation(session, applicant.id, "welcome")
        ids.append(applicant.id)
    return ids


def round_trip(session: Session, applicant_id: int, step: int) -> None:
    """What the conversation does per event (the repositories' hot path)."""
    conversation = repo.load_conversation(session, applicant_id)
    assert conversation is not None
    answers = dict(conversation.answers)
    answers["last"] = step
    repo.save_conversation(session, conversation, state=f"s{step % 7}", answers=answers)


def round_trip_orm_flush(session: Session, applicant_id: int, step: int) -> None:
    """The same through a plain ORM flush (version_id_col check): the untuned baseline."""
    query = select(Conversation).where(Conversation.applicant_id == applicant_id)
    conversation = session.scalars(query).one()
    answers = dict(conversation.answers)
    answers["last"] = step
    conversation.state, conversation.answers = f"s{step % 7}", answers
    session.flush()


async def one_slice(
    call: Callable[[int, int], Awaitable[None]], ids: list[int], seconds: float, concurrency: int
) -> tuple[float, float]:
    """Round trips per wall second and per CPU second of this process, over one slice."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal done
        # Each worker owns its applicants: one applicant's events are handled one at a time
        # (a shared applicant would rightly end in StaleConversation).
        mine = ids[offset::concurrency]
        step = 0
        while time.perf_counter() < deadline:
            await call(mine[step % len(mine)], step)
            step += 1
            done += 1

    start, cpu_start = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # CPU seconds of all this process's threads: what one free core would give, whatever
    # else the machine is busy with (the PostgreSQL server's own CPU is not counted).
    return done / wall, (done / cpu if cpu else float("inf"))


Rates = dict[str, tuple[float, float]]


async def bench(
    db: Database, label: str, seconds: float, levels: tuple[int, ...], slices: int
) -> Rates:
    ids = await db.run(seed)

    async def tuned(applicant_id: int, step: int) -> None:
        await db.run(round_trip, applicant_id, step)

    async def baseline(applicant_id: int, step: int) -> None:
        await db.run(round_trip_orm_flush, applicant_id, step)

    # Warm up: statement caches, connection pool, page cache.
    for step in range(300):
        await tuned(ids[step % len(ids)], step)
        await baseline(ids[step % len(ids)], step)
    variants = [("orm", "ORM flush baseline, 1 at a time", baseline, 1)] + [
        (f"c{c}", f"repositories, {c} at a time", tuned, c) for c in levels
    ]
    # Short slices, variants interleaved, best slice kept: on a shared machine the best slice
    # is the one least disturbed by other processes.
    samples: dict[str, list[tuple[float, float]]] = {key: [] for key, *_ in variants}
    for _ in range(slices):
        for key, _name, call, concurrency in variants:
            samples[key].append(await one_slice(call, ids, seconds / slices, concurrency))
    print(f"{label}:")
    rates: Rates = {}
    for key, name, _call, _c in variants:
        wall = max(w for w, _ in samples[key])
        per_cpu = max(c for _, c in samples[key])
        rates[key] = (wall, per_cpu)
        print(
            f"  {name:<34} {wall:>8,.0f}/s wall   {per_cpu:>8,.0f}/s per CPU-second"
            f"   ({1000 / per_cpu:.3f} ms CPU each)"
        )
    return rates


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0, help="per variant")
    parser.add_argument("--slices", type=int, default=8)
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL", PG_URL))
    args = parser.parse_args()
    vault = Vault(os.urandom(32))

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}", vault=vault)
        await db.create_all()
        lite = await bench(
            db,
            "SQLite (WAL, synchronous=NORMAL, one writer thread)",
            args.seconds,
            (1, 8),
            args.slices,
        )
        await db.close()

    pg_rates: Rates | None = None
    try:
        import asyncpg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(args.pg.replace("+asyncpg", ""), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        print(f"PostgreSQL skipped: unreachable at {args.pg} ({exc!r})")
    else:
        await admin.execute(f"CREATE SCHEMA {schema}")
        try:
            db = Database(args.pg, vault=vault, schema=schema)
            await db.create_all()
            pg_rates = await bench(
                db,
                "PostgreSQL (asyncpg, AsyncSession.run_sync)",
                args.seconds,
                (1, 8, 32),
                args.slices,
            )
            await db.close()
        finally:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")
            await admin.close()

    print()
    wall, per_core = lite["c1"]
    verdict = "meets" if per_core >= 2000 else "MISSES"
    print(
        f"SQLite, one at a time: {wall:,.0f}/s wall, {per_core:,.0f}/s per CPU-second: "
        f"{verdict} the goal of 2,000/s on one core (load average now {os.getloadavg()[0]:.1f})"
    )
    print(
        f"tuning gain on SQLite (repositories / ORM flush): {lite['c1'][0] / lite['orm'][0]:.2f}"
    )
    if pg_rates:
        print(f"tuning gain on PostgreSQL: {pg_rates['c1'][0] / pg_rates['orm'][0]:.2f}")
        for level in ("c1", "c8"):
            ratio = lite[level][0] / pg_rates[level][0]
            print(f"ratio SQLite / PostgreSQL (wall, {level[1:]} at a time): {ratio:.2f}")
        best = max(v[0] for k, v in pg_rates.items() if k != "orm")
        print(f"PostgreSQL best wall rate: {best:,.0f}/s (commits wait for fdatasync)")


if __name__ == "__main__":
    asyncio.run(main())
