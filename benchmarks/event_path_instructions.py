"""`event_path.py` in instructions rather than CPU time: the figure a loaded, shared machine
does not blur (there, CPU time per event swings threefold with the load of other work).

    .venv/bin/python benchmarks/event_path_instructions.py [--events 100] [--pg URL|none]

A second Python process under `valgrind --tool=callgrind` runs event_path's three variants
(the raw anchor, the repositories, the service) on SQLite and on PostgreSQL, `--events` each
after a warm-up, calling `zlib.crc32` before and after each: callgrind dumps its counts at
each such call (`--dump-before=crc32`), so each variant's instructions come out apart.
Printed: instructions per event of this process (the kernel's work for the sockets and the
PostgreSQL server's are not in them) and the service's ratio to the anchor. Slow: about ten
minutes on a busy machine. Needs valgrind.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import event_path as ep  # noqa: E402
from conversation import PG_URL, bench_database, journey  # noqa: E402

from app import event_loop  # noqa: E402
from app.settings import Settings  # noqa: E402
from dialogs.events import Command, Text  # noqa: E402
from dialogs.service import ConversationService  # noqa: E402

VARIANTS = ("anchor", "repositories", "service")
USERS = 20


async def _variants(pg: str | None, events: int) -> None:
    async with bench_database(pg) as db:
        service = ConversationService(db, Settings(), clock=lambda: ep.FIXED)  # type: ignore[arg-type]
        for i in range(USERS):
            for k, event in enumerate(journey(i)[:11]):
                await service.handle("bench", f"u{i}", event, update_id=i * 100 + k)
        con = None
        if pg is None:
            anchor = ep._sqlite_anchor(str(db.url).removeprefix("sqlite:///"), USERS)  # type: ignore[attr-defined]
        else:
            con, anchor = await ep._pg_anchor(pg, db.schema, USERS)  # type: ignore[attr-defined]
        update = 10**7

        async def repositories(n: int) -> None:
            await db.run_on_loop(ep._repositories, n + update, USERS)  # type: ignore[attr-defined]

        async def answering(n: int) -> None:
            event = Command("back") if n % 2 == 0 else Text("伊金霍洛旗某煤业有限公司")
            await service.handle("bench", f"u{n // 2 % USERS}", event, update_id=update + n)

        for r, work in enumerate((anchor, repositories, answering)):
            base = (r + 1) * 10 * events
            for n in range(20):  # warm-up: caches, prepared statements
                await work(base + n)
            zlib.crc32(b"start")
            for n in range(20, 20 + events):
                await work(base + n)
            zlib.crc32(b"stop")
        if con is not None:
            await con.close()


async def _child(pg: str | None, events: int) -> None:
    await _variants(None, events)
    if pg is not None:
        await _variants(pg, events)


def _measure(pg: str | None, events: int) -> list[dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = f"{tmp}/cg.out"
        callgrind = ["valgrind", "--tool=callgrind", "--dump-before=crc32"]
        child = [sys.executable, __file__, "--child", "--events", str(events)]
        subprocess.run(
            [*callgrind, f"--callgrind-out-file={out}", *child, "--pg", pg or "none"],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        counts = []
        for k in range(1, 13 if pg else 7):
            text = Path(f"{out}.{k}").read_text()
            found = re.search(r"^summary: (\d+)", text, re.MULTILINE)
            assert found, f"no summary in dump {k}"
            counts.append(int(found.group(1)))
    # Dump 1 is the set-up; then each variant's run, and the pause before the next.
    per_db = [counts[0:6], counts[6:12]] if pg else [counts[0:6]]
    return [
        {name: per_db[d][1 + 2 * i] / events for i, name in enumerate(VARIANTS)}
        for d in range(len(per_db))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--pg", default=PG_URL, help="PostgreSQL URL, or 'none' to skip it")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    pg = None if args.pg == "none" else args.pg
    if args.child:
        event_loop.run(_child(pg, args.events))
        return
    for label, figures in zip(("SQLite", "PostgreSQL"), _measure(pg, args.events), strict=False):
        print(f"{label} (instructions of this process per event):")
        for name in VARIANTS:
            print(f"  {name:<14} {figures[name]:>12,.0f}")
        print(f"  service's ratio to the anchor: {figures['anchor'] / figures['service']:.3f}")


if __name__ == "__main__":
    main()
