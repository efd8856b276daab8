"""The staff lists at 1k, 10k and 50k cases: time per page and statements per page.

    .venv/bin/python benchmarks/staff_lists.py [--sizes 1000 10000 50000] [--runs 5]
        [--database sqlite|postgresql]

For each size the same database grows to that many cases (`tests/platform/bulk_staff.py`:
each on the clerk's queue, a third with an item at an office, an open task and a rating per
case), then each list is read as the console and the `staff` commands read it, pages of 50
rows: the first page, a page deep in the list reached from the one before it (keyset), the
last page, and a jump straight to the last page's number (`--page K`, which skips with
OFFSET), the median of `--runs` reads in CPU time of this process (the database is in-process
for SQLite; the machine is shared, so CPU time is the steadier figure; wall time is printed
beside it). Printed: a growth table per list, the statements per
page (the same at every size), and the ratio of the largest size to the smallest: the goal is
<= 1.5 for the pages reached by paging; the jump is printed to show what OFFSET costs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event
from sqlalchemy.engine import Engine

from aftercare import reports
from cases.crypto import Vault
from cases.db import Database
from cases.keyset import Position
from cases.tasks import task_page
from integrations.platform.embedded.platform import EmbeddedPlatform
from tests.platform.bulk_staff import seed

NOW = datetime(2026, 4, 30, 1, 0, tzinfo=UTC)
SIZE = 50  # rows per page, as the console's default


def _lists(platform: EmbeddedPlatform) -> dict[str, Callable[[Any, Position], list[str]]]:
    """Each list's page from a position, as the console and the `staff` commands read it;
    the rows as a position names them (a case or task number)."""
    office = "social_insurance_center"

    def ratings(s: Any, at: Position) -> list[str]:
        total = reports.rating_summary(s, now=NOW)["total"]
        page = reports.ratings_page(s, now=NOW, at=at, size=SIZE, total=total)
        return [r.case_number for r in page.rows]

    return {
        "clerk queue": lambda s, at: [
            r.case_number for r in platform.queue_page(s, "bench", at=at, size=SIZE).rows
        ],
        "office inbox": lambda s, at: [
            r.case_number for r in platform.queue_page(s, "bench", office, at=at, size=SIZE).rows
        ],
        "tasks": lambda s, at: [
            str(r.id) for r in task_page(s, "bench", start=at, size=SIZE, at=NOW)[0].rows
        ],
        "ratings": ratings,
    }


def _last_page(name: str, count: int) -> int:
    rows = -(-count // 3) if name == "office inbox" else count
    return max(1, -(-rows // SIZE))


LAST = Position(last=True, page=None)
PAGES = ("first", "deep next", "last", "jump")


async def positions(db: Database, name: str, read: Any, count: int) -> dict[str, Position]:
    """The pages measured: the first; a page deep in the list reached by keyset (after the
    first row of the page before the last, so a full page); the last (the order read
    backwards); and a jump straight to the last page's number (`--page K`: OFFSET)."""
    last = await db.run(read, LAST)
    before_last = await db.run(read, Position(before=last[0], page=None))
    return {
        "first": Position(),
        "deep next": Position(after=before_last[0], page=None),
        "last": LAST,
        "jump": Position(page=_last_page(name, count)),
    }


def _server_cpu(session: Any) -> float:
    """CPU seconds so far of the PostgreSQL server process behind `session` (0 on SQLite,
    which runs in this process)."""
    if session.bind.dialect.name != "postgresql":
        return 0.0
    pid = session.connection().connection.driver_connection.get_server_pid()
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0]) / 1e9


def _timed(read: Callable[[Any, Any], Any], server: list[float]) -> Callable[[Any, Any], Any]:
    def timed(session: Any, page: Position) -> Any:
        before = _server_cpu(session)
        result = read(session, page)
        server.append(_server_cpu(session) - before)
        return result

    return timed


async def _read(db: Database, read: Callable[[Any, Any], Any], page: Position, runs: int) -> tuple:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    cpu: list[float] = []
    wall: list[float] = []
    server: list[float] = []
    read = _timed(read, server)
    await db.run(read, page)  # warm
    for n in range(runs):
        if n == 0:
            event.listen(Engine, "before_cursor_execute", record)
        server.clear()
        c0, w0 = time.process_time(), time.perf_counter()
        await db.run(read, page)
        cpu.append(time.process_time() - c0 + server[0])
        wall.append(time.perf_counter() - w0)
        if n == 0:
            event.remove(Engine, "before_cursor_execute", record)
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000, len(statements)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.database == "sqlite":
            db = Database(f"sqlite:///{Path(tmp) / 'lists.db'}", vault=Vault(b"k" * 32))
            await db.create_all()
            await _run(db, args)
            await db.close()
        else:
            from tests.cases.databases import postgres_database

            async with postgres_database() as pg:
                await _run(pg, args)


async def _at_rest(db: Database) -> None:
    """On PostgreSQL, the tables as autovacuum leaves them after a bulk load (statistics for
    the planner, the visibility map for index-only scans), rather than whenever it happens
    to pass during the run. SQLite has nothing of the kind to wait for."""
    if db.is_sqlite:
        return
    import asyncpg

    from tests.cases.databases import PG_URL

    dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn, server_settings={"search_path": db.schema or "public"})
    try:
        tables = "platform_emb_cases, platform_emb_items, staff_tasks, ratings, cases, applicants"
        await conn.execute(f"VACUUM (ANALYZE) {tables}, rating_tallies")
    finally:
        await conn.close()


async def _run(db: Database, args: argparse.Namespace) -> None:
    platform = EmbeddedPlatform(db, now=lambda: NOW)
    results: dict[str, dict[int, dict[str, tuple]]] = {name: {} for name in _lists(platform)}
    seeded = 0
    for size in sorted(args.sizes):
        await db.run(seed, seeded, size - seeded, NOW)
        seeded = size
        await _at_rest(db)
        for name, read in _lists(platform).items():
            at = await positions(db, name, read, size)
            results[name][size] = {page: await _read(db, read, at[page], args.runs) for page in at}
    print(
        f"staff lists, {args.database}, pages of {SIZE}, median of {args.runs} "
        "(CPU ms of this process and of the database server's; wall ms in brackets)"
    )
    for name, by_size in results.items():
        print(f"  {name}:")
        for size, pages in by_size.items():
            figures = "  ".join(
                f"{page} {cpu:6.1f} ({wall:6.1f})" for page, (cpu, wall, _) in pages.items()
            )
            statements = "/".join(str(n) for _, _, n in pages.values())
            print(f"    {size:>7} cases  {figures}  statements {statements}")
        small, large = by_size[min(by_size)], by_size[max(by_size)]
        ratios = {page: large[page][0] / small[page][0] for page in PAGES}
        paged = max(ratios[page] for page in PAGES if page != "jump")
        print(
            f"    largest / smallest (worst of first, deep next, last; CPU): {paged:.2f}x"
            "   goal <= 1.5x   ("
            + ", ".join(f"{page} {ratio:.2f}x" for page, ratio in ratios.items())
            + "; a jump skips with OFFSET)"
        )


if __name__ == "__main__":
    asyncio.run(main())
