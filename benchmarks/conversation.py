"""Conversation throughput and start-up latency.

    .venv/bin/python benchmarks/conversation.py [--applicants 300] [--db-only] [--pg URL|none]

1. engine only: events per second through the pure `dialogs.engine.handle` (no database);
2. load-handle-save: events per second through `ConversationService.handle` on a SQLite file
   (one transaction per event: duplicate check, load, engine, commands, save), one event at a
   time and with 50 applicants talking at once; goal >= 1,500 events/s on one core; the same
   journeys on PostgreSQL (a fresh schema in database `test`, dropped afterwards) for comparison;
3. process start to first reply: `main.py chat --json` answering {"command": "start"}, on a
   fresh data directory (migrations included) and on a second start; goal <= 1.5 s.

The journey is a whole application to the review step (language, consent, identity, verdict,
special cases, uploads of five pages), typed answers and buttons mixed as applicants do.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dialogs.events import Choice, Command, Contact, Event, Files, StoredFile, Text  # noqa: E402

GOAL_EVENTS = 1500.0
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
GOAL_START = 1.5


def _page(name: str) -> StoredFile:
    return StoredFile(hashlib.sha256(name.encode()).hexdigest(), "image/jpeg", 250_000, 1600, 1200)


def journey(i: int) -> list[Event]:
    """One application to the review step, 25 events."""
    return [
        Command("start"),
        Choice("zh_CN", "ask_language"),
        Choice("agree", "ask_consent"),
        Text("张建国"),
        Text("150627196503151218"),
        Contact("13847712345"),
        Choice("normal", "ask_retirement_type"),
        Text("15年零3个月"),
        Choice("altan_xire", "ask_town"),
        Text("有"),
        Text("伊金霍洛旗某煤业有限公司"),
        Choice("yes", "ask_name_matches_archive"),
        Choice("no", "ask_paid_before_1995_07"),
        Text("没有"),
        Choice("no", "ask_veteran"),
        Files((_page(f"{i}-form"),)),
        Choice("done", "ask_upload_application_form"),
        Files((_page(f"{i}-front"),)),
        Files((_page(f"{i}-back"),)),
        Files((_page(f"{i}-ssc"),)),
        Choice("done", "ask_upload_social_security_card"),
        Command("status"),
        Command("help"),
        Choice("edit", "ask_review"),
        Choice("review", "ask_edit"),
    ]


def bench_engine(n: int) -> float:
    from dialogs.engine import handle
    from dialogs.state import Context, ConversationData

    ctx = Context(today=date(2026, 11, 26))
    events = 0
    start = time.perf_counter()
    for i in range(n):
        data = ConversationData()
        for event in journey(i):
            data = handle(data, event, ctx).data
            events += 1
    return events / (time.perf_counter() - start)


@asynccontextmanager
async def bench_database(pg: str | None) -> AsyncIterator[object]:
    """A fresh SQLite file under ./data, or (pg given) a fresh PostgreSQL schema."""
    from cases.crypto import Vault
    from cases.db import Database

    vault = Vault(bytes(range(32)))
    if pg is None:
        with tempfile.TemporaryDirectory(dir=ROOT / "data") as tmp:
            db = Database(f"sqlite:///{tmp}/bench.db", vault=vault)
            await db.create_all()
            try:
                yield db
            finally:
                await db.close()
        return
    import asyncpg

    admin = await asyncpg.connect(pg.replace("postgresql+asyncpg://", "postgresql://", 1))
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        db = Database(pg, vault=vault, schema=schema)
        await db.create_all()
        try:
            yield db
        finally:
            await db.close()
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


async def bench_service(
    n: int, concurrency: int, pg: str | None = None
) -> tuple[float, float, str]:
    from app.settings import Settings
    from dialogs.service import ConversationService

    async with bench_database(pg) as db:
        fixed = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
        service = ConversationService(db, Settings(), clock=lambda: fixed)  # type: ignore[arg-type]
        last_state = ""

        async def applicant(i: int) -> None:
            nonlocal last_state
            for k, event in enumerate(journey(i)):
                out = await service.handle("bench", f"u{i}", event, update_id=i * 100 + k)
                last_state = out.state

        events = n * len(journey(0))
        start, cpu = time.perf_counter(), time.process_time()
        for batch in range(0, n, concurrency):
            end = min(n, batch + concurrency)
            await asyncio.gather(*(applicant(i) for i in range(batch, end)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    # Wall-clock rate, and the rate per CPU-second of this process (the machine is shared:
    # the second figure is what one core would do with nobody else on it). On PostgreSQL the
    # server's own CPU is not in the second figure.
    return events / elapsed, events / cpu, last_state


async def bench_answers(n: int, rounds: int) -> tuple[float, float]:
    """Steady state: applicants past first contact answering questions (a button, then
    /back), each event a full load-handle-save with its duplicate check; no uploads."""
    from app.settings import Settings
    from dialogs.service import ConversationService

    async with bench_database(None) as db:
        fixed = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
        service = ConversationService(db, Settings(), clock=lambda: fixed)  # type: ignore[arg-type]
        for i in range(n):
            for k, event in enumerate(journey(i)[:11]):  # to ask_name_matches_archive
                await service.handle("bench", f"u{i}", event, update_id=i * 100 + k)
        update = 10**7
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(rounds):
            for i in range(n):
                for event in (Command("back"), Text("伊金霍洛旗某煤业有限公司")):
                    update += 1
                    out = await service.handle("bench", f"u{i}", event, update_id=update)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert out.state == "ask_name_matches_archive", out.state
    events = n * rounds * 2
    return events / elapsed, events / cpu


def first_reply_seconds(data_dir: Path) -> float:
    """Spawn `main.py chat --json`, send /start, time until its first line arrives."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "chat", "--json", "--user", "bench"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=data_dir,
        env=env,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write('{"command": "start"}\n')
    proc.stdin.flush()
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.stdin.close()
    proc.wait(timeout=60)
    assert '"ask_language"' in line, line
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=300)
    parser.add_argument("--db-only", action="store_true", help="only the database figures")
    parser.add_argument("--pg", default=PG_URL, help="PostgreSQL URL, or 'none' to skip it")
    args = parser.parse_args()
    (ROOT / "data").mkdir(exist_ok=True)
    n = args.applicants
    from dialogs import nlu

    nlu.warm_up(ROOT / "data")  # jieba's cache stays under ./data, never /tmp

    if not args.db_only:
        cpu = time.process_time()
        engine_rate = bench_engine(n)
        engine_cpu = n * len(journey(0)) / (time.process_time() - cpu)
        print(
            f"engine only (no DB):    {engine_rate:10,.0f} events/s wall,"
            f" {engine_cpu:,.0f} per CPU-second"
        )
    for label, concurrency in (("one at a time", 1), ("50 at once", 50)):
        wall, per_cpu, state = asyncio.run(bench_service(n, concurrency))
        assert state == "ask_review", state
        print(
            f"journeys, {label + ':':14}{wall:10,.0f} events/s wall,"
            f" {per_cpu:,.0f} per CPU-second ({per_cpu / GOAL_EVENTS:.2f}x the goal of"
            f" {GOAL_EVENTS:,.0f}/s)"
        )
    wall, per_cpu = asyncio.run(bench_answers(min(n, 100), 10))
    print(
        f"answers only:           {wall:10,.0f} events/s wall,"
        f" {per_cpu:,.0f} per CPU-second ({per_cpu / GOAL_EVENTS:.2f}x the goal of"
        f" {GOAL_EVENTS:,.0f}/s)"
    )
    if args.pg != "none":
        try:
            wall, per_cpu, state = asyncio.run(bench_service(min(n, 100), 1, args.pg))
        except OSError as exc:
            print(f"journeys on PostgreSQL:   skipped ({exc})")
        else:
            assert state == "ask_review", state
            print(
                f"journeys on PostgreSQL: {wall:10,.0f} events/s wall,"
                f" {per_cpu:,.0f} per CPU-second of this process (server not counted)"
            )
    if args.db_only:
        return
    with tempfile.TemporaryDirectory(dir=ROOT / "data") as tmp:
        fresh = first_reply_seconds(Path(tmp))
        again = statistics.median(first_reply_seconds(Path(tmp)) for _ in range(3))
    print(
        f"first reply, fresh:     {fresh:10.2f} s"
        f"   ({GOAL_START / fresh:.2f}x under the goal of {GOAL_START} s)"
    )
    print(f"first reply, again:     {again:10.2f} s   ({GOAL_START / again:.2f}x under the goal)")


if __name__ == "__main__":
    main()
