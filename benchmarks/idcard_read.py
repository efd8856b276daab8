"""The ID card read from its photo (issue 18): accuracy, seconds and memory per photo.

    .venv/bin/python benchmarks/idcard_read.py [--photos 100] [--threads N] [--quiet]

1. Accuracy and time, in this process: `--photos` generated phone photos of card fronts
   (tests/idcard/cards.py `varied`: tilt up to ±12°, blur up to 1.6 px, JPEG 40–85, glare on
   one in three, the card 70–130 % of its nominal size; names include a Mongolian name with a
   middle dot and one with a character the model does not know, 赟). Each photo's line: its
   seconds, the process's resident memory after it, and what was read. Then: numbers exact
   (goal ≥ 98 %), wrong numbers that passed every check (goal 0), names exact (all, and those
   whose characters the model knows), p50/p95 seconds.
2. Memory of a bot process, each in a fresh subprocess with the conversation stack imported
   (runtime.services, dialogs.service, bot.app): without OCR; with OCR, the reader built, and
   after one photo read through its pool of worker processes (the model is loaded in the
   worker, never in the bot); the worker's own memory after the photo and at its peak.
3. A page of text (55 lines): answered "no card" after the detection, in how many seconds.

Seconds depend on the machine and on what else runs on it: compare runs on one machine only.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from integrations.idcard.ocr import OcrEngine, TooMuchText  # noqa: E402
from policy.idcard_front import read_front  # noqa: E402
from tests.dialogs.test_console_typed_journey import page  # noqa: E402
from tests.idcard import cards  # noqa: E402

GOAL_EXACT = 0.98
TODAY = date(2026, 11, 26)
UNKNOWN_TO_MODEL = frozenset("赟")  # read as a look-alike: such a name cannot be exact

_STACK = "import runtime.services, dialogs.service, bot.app"
# A bot process: the conversation stack imported; then, with OCR, the reader built and one
# photo read through its pool. RSS of the bot and of its worker, and their peaks (VmHWM).
_CHILD = """
import asyncio, datetime, sys
sys.path.insert(0, {root!r})
{stack}
def status(pid="self"):
    found = {{}}
    for line in open(f"/proc/{{pid}}/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]

async def main():
    from tests.idcard import cards  # the photo is made before measuring: not the bot's cost
    photo = cards.photo(cards.front(cards.man()))
    bare = status()[0]
    if not {ocr}:
        print(bare)
        return
    from integrations.idcard.reader import OcrCardReader
    # A generous time-out: on a shared machine one reading can take many times its CPU time.
    reader = OcrCardReader(timeout=300, today=lambda: datetime.date(2026, 11, 26))
    built = status()[0]
    await reader.read(photo)
    worker = status(await reader.call("pid"))
    after, peak = status()
    heavy = [m for m in ("onnxruntime", "cv2") if m in sys.modules]
    print(bare, built, after, peak, *worker, "+".join(heavy) or "-")
    reader.close()

if __name__ == "__main__":
    asyncio.run(main())
"""


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def accuracy(photos: int, threads: int | None, quiet: bool) -> None:
    engine = OcrEngine(threads)
    start = time.perf_counter()
    engine.load()
    print(f"model loaded in {time.perf_counter() - start:.2f} s, RSS {rss_mib():.0f} MiB")
    seconds: list[float] = []
    cpu_seconds: list[float] = []  # CPU time of all threads: steadier than wall time when
    # other work shares the machine
    exact = wrong = names = known = known_exact = 0
    for n, (card, shot) in enumerate(cards.varied(photos)):
        photo = cards.photo(cards.front(card), shot)
        start, cpu = time.perf_counter(), time.process_time()
        front = read_front(engine.lines(photo), TODAY)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu)
        got = front.number.number if front.number else None
        exact += got == card.number
        wrong += got is not None and got != card.number
        names += front.name == card.name
        if not UNKNOWN_TO_MODEL & set(card.name):
            known += 1
            known_exact += front.name == card.name
        if not quiet:
            print(
                f"photo {n:3d}: {seconds[-1]:.2f} s ({cpu_seconds[-1]:.2f} s CPU),"
                f" RSS {rss_mib():4.0f} MiB, {front.outcome:8s}"
                f" number {'exact' if got == card.number else 'WRONG' if got else 'none'},"
                f" name {'exact' if front.name == card.name else 'differs'}"
                f" (tilt {shot.angle:+.0f}°, blur {shot.blur}, JPEG {shot.quality})"
            )
    cuts = statistics.quantiles(seconds, n=20)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n{photos} photos: numbers exact {exact}/{photos} ({exact / photos:.1%}, goal"
        f" >= {GOAL_EXACT:.0%}), wrong numbers passing the checks {wrong} (goal 0)"
    )
    print(
        f"names exact {names}/{photos}; of names the model can spell {known_exact}/{known}"
        f" (the others are only offered, never recorded)"
    )
    print(
        f"seconds per photo: p50 {statistics.median(seconds):.2f}, p95 {cuts[18]:.2f},"
        f" max {max(seconds):.2f}; CPU seconds per photo: p50"
        f" {statistics.median(cpu_seconds):.2f}; peak RSS of this process {peak:.0f} MiB"
    )


def page_of_text(threads: int | None) -> None:
    """A page of 55 lines of text (as the typed-journey test sends): no card, told after the
    detection alone (TooMuchText), not after reading each line (~20 s CPU on 2 cores)."""
    engine = OcrEngine(threads)
    engine.load()
    with tempfile.TemporaryDirectory() as folder:
        dense = page(Path(folder) / "page.jpg", 1).read_bytes()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        engine.lines(dense)
        said = "read line by line"
    except TooMuchText as exc:
        said = f"no card ({exc})"
    print(
        f"\na page of text: {said} in {time.perf_counter() - start:.2f} s"
        f" ({time.process_time() - cpu:.2f} s CPU)"
    )


def memory() -> None:
    def child(ocr: bool) -> list[str]:
        code = _CHILD.format(root=str(ROOT), stack=_STACK, ocr=ocr)
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=False, text=True
        )
        if done.returncode:
            raise SystemExit(f"the memory measurement failed:\n{done.stderr[-3000:]}")
        return done.stdout.split()

    (without,) = child(ocr=False)
    bare, built, after, peak, worker, worker_peak, heavy = child(ocr=True)
    print(
        f"\nbot process (runtime.services, dialogs.service, bot.app imported):"
        f" without OCR {float(without):.0f} MiB; with OCR, reader built {float(built):.0f} MiB"
        f" (before: {float(bare):.0f}), after one photo read {float(after):.0f} MiB"
        f" (its peak {float(peak):.0f}, making the test photo included); model modules in the bot:"
        f" {heavy}"
    )
    print(
        f"its OCR worker process: {float(worker):.0f} MiB after the photo,"
        f" peak {float(worker_peak):.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None, help="onnxruntime threads")
    parser.add_argument("--quiet", action="store_true", help="no line per photo")
    args = parser.parse_args()
    accuracy(args.photos, args.threads, args.quiet)
    page_of_text(args.threads)
    memory()


if __name__ == "__main__":
    main()
