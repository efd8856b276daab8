"""One conversation event's database cost, against raw drivers doing the same transaction.

    .venv/bin/python benchmarks/event_path.py [--applicants 100] [--rounds 5] [--pg URL|none]

Per event, the conversation runs one transaction of four statements: mark the update
processed (INSERT ... ON CONFLICT DO NOTHING), read the applicant with their conversation (one
SELECT), save the conversation under its version (UPDATE ... WHERE version = :seen), commit.
Printed, per CPU-second of this process (the machine is shared: CPU time is the steady figure;
on PostgreSQL the server's own CPU is not in it), median of `--rounds`:

1. anchor: the same four statements with the raw driver (sqlite3; asyncpg on PostgreSQL);
2. the repositories: the same through `Database.run_on_loop` and `cases.repositories`;
3. the service: `ConversationService.handle`, applicants past first contact answering (a
   button, then /back: the engine, the replies and the documents included).

Goals (issue 17): on SQLite the service >= 0.2 of the raw anchor; on PostgreSQL the service's
client CPU per event <= 0.8 ms. Everything runs on the event loop `main.py run` serves on
(app/event_loop.py: uvloop where installed), the anchors included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from conversation import PG_URL, bench_database, journey  # noqa: E402

from app import event_loop  # noqa: E402
from app.settings import Settings  # noqa: E402
from cases import repositories as repo  # noqa: E402
from dialogs.events import Command, Text  # noqa: E402
from dialogs.service import ConversationService  # noqa: E402

FIXED = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
NAIVE = FIXED.replace(tzinfo=None)  # the UTC columns are "timestamp without time zone"
SELECT_BOTH = (
    "SELECT a.id, a.language, c.id, c.state, c.answers, c.failures, c.version"
    " FROM applicants a LEFT JOIN conversations c ON c.applicant_id = a.id"
    " WHERE a.channel = {0} AND a.external_user_id = {1}"
)
MARK = (
    "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES ({0}, {1}, {2})"
    " ON CONFLICT DO NOTHING"
)
SAVE = (
    "UPDATE conversations SET state = {0}, answers = {1}, failures = {2}, version = {3},"
    " updated_at = {4} WHERE id = {5} AND version = {6}"
)


async def _cpu_per_event(work: Callable[[int], Awaitable[None]], events: int) -> float:
    """CPU seconds of this process per event (all its threads)."""
    start = time.process_time()
    for n in range(events):
        await work(n)
    return (time.process_time() - start) / events


def _repositories(session, n: int, users: int) -> None:  # type: ignore[no-untyped-def]
    repo.mark_update_processed(session, "bench", 10**8 + n, at=FIXED)
    _applicant, conv = repo.load_for_event(session, "bench", f"u{n % users}", "start")
    answers = dict(conv.answers)
    answers["last"] = n
    repo.save_conversation(session, conv, state=conv.state, answers=answers)


def _sqlite_anchor(path: str, users: int) -> Callable[[int], Awaitable[None]]:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    marks = MARK.format("?", "?", "?")
    both = SELECT_BOTH.format("?", "?")
    save = SAVE.format(*["?"] * 7)

    async def once(n: int) -> None:
        con.execute("BEGIN")
        con.execute(marks, ("bench", 2 * 10**8 + n, FIXED.isoformat()))
        row = con.execute(both, ("bench", f"u{n % users}")).fetchone()
        answers = json.loads(row[4])
        answers["last"] = n
        con.execute(
            save,
            (row[3], json.dumps(answers), row[5], row[6] + 1, FIXED.isoformat(), row[2], row[6]),
        )
        con.execute("COMMIT")

    return once


async def _pg_anchor(url: str, schema: str, users: int):  # type: ignore[no-untyped-def]
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    con = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    marks = MARK.format("$1", "$2", "$3")
    both = SELECT_BOTH.format("$1", "$2")
    save = SAVE.format(*(f"${i}" for i in range(1, 8)))

    async def once(n: int) -> None:
        async with con.transaction():
            await con.execute(marks, "bench", 2 * 10**8 + n, NAIVE)
            row = await con.fetchrow(both, "bench", f"u{n % users}")
            answers = json.loads(row[4]) if isinstance(row[4], str) else dict(row[4])
            answers["last"] = n
            await con.execute(
                save, row[3], json.dumps(answers), row[5], row[6] + 1, NAIVE, row[2], row[6]
            )

    return con, once


async def measure(pg: str | None, users: int, rounds: int) -> dict[str, float]:
    async with bench_database(pg) as db:
        service = ConversationService(db, Settings(), clock=lambda: FIXED)  # type: ignore[arg-type]
        for i in range(users):
            for k, event in enumerate(journey(i)[:11]):  # to ask_name_matches_archive
                await service.handle("bench", f"u{i}", event, update_id=i * 100 + k)
        if pg is None:
            anchor = _sqlite_anchor(str(db.url).removeprefix("sqlite:///"), users)
            con = None
        else:
            con, anchor = await _pg_anchor(pg, db.schema, users)  # type: ignore[attr-defined]
        update = 10**7
        events = users * 2

        async def repositories(n: int) -> None:
            await db.run_on_loop(_repositories, n + update, users)

        async def answering(n: int) -> None:
            event = Command("back") if n % 2 == 0 else Text("伊金霍洛旗某煤业有限公司")
            await service.handle("bench", f"u{n // 2 % users}", event, update_id=update + n)

        figures: dict[str, list[float]] = {"anchor": [], "repositories": [], "service": []}
        variants = {"anchor": anchor, "repositories": repositories, "service": answering}
        for r in range(rounds):
            for key, work in variants.items():
                base = r * 10 * events  # fresh update ids each round

                async def shifted(n: int, work=work, base=base) -> None:  # type: ignore[no-untyped-def]
                    await work(base + n)

                figures[key].append(await _cpu_per_event(shifted, events))
        if con is not None:
            await con.close()
        return {k: statistics.median(v) for k, v in figures.items()}


def report(label: str, result: dict[str, float]) -> None:
    anchor = result["anchor"]
    print(f"{label} (CPU of this process per event, median):")
    for key, name in (
        ("anchor", "anchor: raw driver, same 4 statements"),
        ("repositories", "repositories (Database.run_on_loop)"),
        ("service", "service (ConversationService.handle)"),
    ):
        ms = result[key] * 1000
        print(
            f"  {name:<40} {ms:7.3f} ms  {1 / result[key]:>8,.0f}/CPU-s"
            f"  ratio to anchor {anchor / result[key]:.3f}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg", default=PG_URL, help="PostgreSQL URL, or 'none' to skip it")
    args = parser.parse_args()
    print(f"event loop: {type(asyncio.get_running_loop()).__module__}")
    lite = await measure(None, args.applicants, args.rounds)
    report("SQLite", lite)
    print(f"  goal: service >= 0.2 of the anchor: {lite['anchor'] / lite['service']:.3f}")
    if args.pg != "none":
        pg = await measure(args.pg, args.applicants, args.rounds)
        report("PostgreSQL", pg)
        print(f"  goal: service <= 0.8 ms client CPU per event: {pg['service'] * 1000:.3f} ms")


if __name__ == "__main__":
    event_loop.run(main())  # the loop `main.py run` serves on (uvloop where installed)
