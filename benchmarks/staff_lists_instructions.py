"""The staff lists at 1k and 50k cases on SQLite, in instructions rather than time: the figure
that a shared, loaded machine does not blur (`staff_lists.py` gives the time).

    .venv/bin/python benchmarks/staff_lists_instructions.py [--sizes 1000 50000] [--runs 3]

For each size a SQLite file grows to that many cases (as in `staff_lists.py`), then a second
Python process under `valgrind --tool=callgrind` reads each list's pages of 50 rows (the
first, a deep page reached by keyset from the one before it, the last, and a jump to the last
page's number by OFFSET: `staff_lists.positions`) `--runs` times, calling `zlib.crc32` before
and after each read: callgrind dumps its counts at each such call (`--dump-before=crc32`), so
each read's instructions (Python, the ORM and SQLite alike) come out apart from start-up.
Printed: the median per page and size, and the ratio of the largest size to the smallest
(goal <= 1.5 for the pages reached by paging; the jump shows what OFFSET costs). Slow: about
three minutes per size. Needs valgrind.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.staff_lists import NOW, PAGES, _lists, positions
from cases.crypto import Vault
from cases.db import Database
from integrations.platform.embedded.platform import EmbeddedPlatform
from tests.platform.bulk_staff import seed

KEY = Vault(b"k" * 32)
LISTS = ("clerk queue", "office inbox", "tasks", "ratings")  # in `_lists` order


async def _seed(path: Path, size: int) -> None:
    db = Database(f"sqlite:///{path}", vault=KEY)
    await db.create_all()
    await db.run(seed, 0, size, NOW)
    await db.close()


async def _reads(path: Path, size: int, runs: int) -> None:
    """The child under callgrind: every list's pages, `runs` times each, each read between
    two marker calls (the positions found before the first marker)."""
    db = Database(f"sqlite:///{path}", vault=KEY)
    platform = EmbeddedPlatform(db, now=lambda: NOW)
    assert tuple(_lists(platform)) == LISTS
    found = {
        name: await positions(db, name, read, size) for name, read in _lists(platform).items()
    }
    for name, read in _lists(platform).items():
        for page in found[name].values():
            await db.run(read, page)  # warm
            for _ in range(runs):
                zlib.crc32(b"start")
                await db.run(read, page)
                zlib.crc32(b"stop")
    await db.close()


def _measure(path: Path, size: int, runs: int, out: Path) -> dict[tuple[str, str], float]:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--dump-before=crc32",
        f"--callgrind-out-file={out}/cg.%p",
        sys.executable,
        __file__,
        "--read",
        str(path),
        str(size),
        str(runs),
    ]
    subprocess.run(command, check=True, capture_output=True)
    dumps: dict[int, int] = {}
    for dump in out.glob("cg.*.*"):
        found = re.search(r"^(?:summary|totals): (\d+)", dump.read_text(), re.M)
        dumps[int(dump.suffix[1:])] = int(found.group(1)) if found else 0
    # Dump 2k+1 holds what ran before a "start" marker, dump 2k+2 one read.
    keys = [(name, page) for name in LISTS for page in PAGES]
    return {
        key: statistics.median(dumps[2 * (runs * j + r) + 2] for r in range(runs))
        for j, key in enumerate(keys)
    }


def main() -> None:
    if sys.argv[1:2] == ["--read"]:
        path, size, runs = Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        asyncio.run(_reads(path, size, runs))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    counts: dict[int, dict[tuple[str, str], float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path, out = Path(tmp) / f"lists{size}.db", Path(tmp) / f"cg{size}"
            out.mkdir()
            asyncio.run(_seed(path, size))
            counts[size] = _measure(path, size, args.runs, out)
    print(
        "staff lists, sqlite, pages of 50, instructions per read (millions), "
        f"median of {args.runs}"
    )
    small, large = counts[sizes[0]], counts[sizes[-1]]
    for name, page in small:
        figures = "  ".join(f"{counts[s][(name, page)] / 1e6:7.2f}" for s in sizes)
        ratio = large[(name, page)] / small[(name, page)]
        print(f"  {name:>12} {page:>9} page: {figures}   largest / smallest {ratio:.2f}x")
    print(
        f"  sizes: {', '.join(str(s) for s in sizes)} cases; goal <= 1.5x for first, deep next"
        " and last (a jump to page K skips with OFFSET)"
    )


if __name__ == "__main__":
    main()
