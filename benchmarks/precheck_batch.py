"""Batch pre-check throughput and memory: `.venv/bin/python benchmarks/precheck_batch.py`.

Generates N staff lines (valid numbers of men and women, with and without category and
contribution months, about 2% garbage) and pushes them through the very code that
`python main.py precheck` uses (`commands.precheck.run_batch`):

1. in-process, on one core, timed without tracing; then again under tracemalloc at N/10 and N
   lines, to show that peak memory does not grow with the input (streamed, never loaded whole);
2. through a real subprocess, `main.py precheck` reading a pipe that a thread fills while
   another reads the answers, with the child's peak RSS.

Goal (issue 2): at least 50,000 lines/s on one core, flat memory.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commands.precheck import run_batch  # noqa: E402
from policy.idcard import check_character  # noqa: E402

TODAY = date(2026, 11, 26)
GOAL_LINES_PER_SECOND = 50_000


def staff_lines(count: int, seed: int = 2) -> Iterator[bytes]:
    rng = random.Random(seed)
    regions = ("150627", "152728", "150602", "610802", "140202")
    for _ in range(count):
        if rng.random() < 0.02:
            yield rng.choice((b"", b"garbage", b"1' OR '1'='1", b"\xff\xfe"))
            continue
        birth = date(rng.randint(1955, 1995), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"{rng.choice(regions)}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        fields = [first17 + check_character(first17)]
        male = int(first17[16]) % 2 == 1
        category = "male" if male else rng.choice(("", "female_cadre", "female_worker"))
        months = str(rng.randint(0, 420)) if rng.random() < 0.5 else ""
        if category or months:
            fields.append(category)
        if months:
            fields.append(months)
        yield ",".join(fields).encode()


def write_input(path: Path, count: int) -> None:
    with path.open("wb") as fh:
        for line in staff_lines(count):
            fh.write(line + b"\n")


class CountingSink(io.RawIOBase):
    """Counts answer lines and bytes without keeping them."""

    def __init__(self) -> None:
        self.lines = 0
        self.bytes = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.lines += data.count(b"\n")
        self.bytes += len(data)
        return len(data)


def in_process(path: Path) -> tuple[int, float, float, int]:
    """Lines, wall seconds, CPU seconds of this process, answer bytes."""
    sink = CountingSink()
    with path.open("rb") as source:
        start, cpu = time.perf_counter(), time.process_time()
        count = run_batch(source, sink, TODAY)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert sink.lines == count
    return count, elapsed, cpu, sink.bytes


def long_line_peak(size: int = 10_000_000) -> int:
    """tracemalloc peak while one line of `size` bytes goes through, as from a pipe."""

    class Source:
        def __init__(self) -> None:
            self.left = size

        def read1(self, n: int = -1, /) -> bytes:
            n = min(self.left, 1 << 16)
            self.left -= n
            return b"1" * n if n else b""

    tracemalloc.start()
    try:
        assert run_batch(Source(), CountingSink(), TODAY) == 1
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def traced_peak(path: Path) -> int:
    # Empty the caches first, so that the peak includes them (they are bounded).
    from policy.precheck import _fixed_json
    from policy.retirement import _assess

    _fixed_json.cache_clear()
    _assess.cache_clear()
    tracemalloc.start()
    try:
        with path.open("rb") as source:
            run_batch(source, CountingSink(), TODAY)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def through_pipe(path: Path) -> tuple[int, float, float, int]:
    """`main.py precheck` fed through a pipe (by a thread, in 64 KiB chunks) while its answers
    are read; returns answers, seconds from spawn to the last answer, the child's CPU seconds
    (start-up included) and its peak RSS in KiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "main.py", "precheck", "--today", TODAY.isoformat()]
    start = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, preexec_fn=one_core
    )
    assert child.stdin is not None and child.stdout is not None

    def feed() -> None:
        assert child.stdin is not None
        with child.stdin, path.open("rb") as source:
            while chunk := source.read(1 << 16):
                child.stdin.write(chunk)

    writer = threading.Thread(target=feed)
    writer.start()
    answers = 0
    while chunk := child.stdout.read(1 << 16):
        answers += chunk.count(b"\n")
    writer.join()
    child.wait()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return answers, elapsed, cpu, after.ru_maxrss


def startup_cpu_seconds() -> float:
    """CPU seconds of `main.py precheck` on empty input: interpreter and imports."""
    command = [sys.executable, "main.py", "precheck", "--today", TODAY.isoformat()]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, input=b"", check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = args.lines

    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp, "small.txt"), Path(tmp, "big.txt")
        write_input(small, max(n // 10, 1))
        write_input(big, n)
        print(f"input: {n:,} lines, {big.stat().st_size / 1e6:.1f} MB")

        # Same process, one core: take the best of a few runs (the first warms the caches).
        saved = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        one_core()
        runs = [in_process(big) for _ in range(args.runs)]
        if saved is not None:
            os.sched_setaffinity(0, saved)
        count, wall, cpu, out_bytes = min(runs, key=lambda run: run[2])
        rate = count / cpu
        print(
            f"in-process run_batch, one core: {rate:,.0f} lines per CPU-second, "
            f"{count / wall:,.0f} lines/s wall (best of {args.runs}, CPU "
            f"{', '.join(f'{r[2]:.3f}s' for r in runs)}); {out_bytes / count:.0f} bytes/answer"
        )
        print(f"  vs goal {GOAL_LINES_PER_SECOND:,}/s: x{rate / GOAL_LINES_PER_SECOND:.2f}")

        peak_small, peak_big = traced_peak(small), traced_peak(big)
        print(
            f"tracemalloc peak: {peak_small / 1024:.0f} KiB for {n // 10:,} lines, "
            f"{peak_big / 1024:.0f} KiB for {n:,} lines "
            f"(ratio x{peak_big / peak_small:.2f} for x10 the input; input file "
            f"{big.stat().st_size / 1024:.0f} KiB)"
        )

        print(f"one 10 MB line: tracemalloc peak {long_line_peak() / 1024:.0f} KiB")

        startup = startup_cpu_seconds()
        startup_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        answers, elapsed, cpu, rss = through_pipe(big)
    assert answers == n, f"{answers} answers for {n} lines"
    rate = n / max(cpu - startup, 1e-9)
    print(
        f"subprocess pipe (main.py precheck, pinned to one core): {n / elapsed:,.0f} lines/s "
        f"wall from spawn; child CPU {cpu:.2f}s of which start-up {startup:.2f}s: "
        f"{rate:,.0f} lines per CPU-second after start-up; child peak RSS {rss / 1024:.1f} MiB "
        f"(on empty input {startup_rss / 1024:.1f} MiB)"
    )
    print(f"  vs goal {GOAL_LINES_PER_SECOND:,}/s: x{rate / GOAL_LINES_PER_SECOND:.2f}")


if __name__ == "__main__":
    main()
