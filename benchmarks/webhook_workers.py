"""Updates per second with 1, 2 and 3 `main.py run` webhook workers on one PostgreSQL
database, under bursts (issue 16).

Each round: a fresh database, N workers behind a loopback round-robin front
(tests/e2e/front.py), the loopback Bot API delivering as Telegram does (a chat's messages one
at a time, a user's presses on their own queue: docs/telegram-delivery.md). Every applicant's
journey from /start to an album of two pages and "done" goes out in bursts
(tests/e2e/bursts.py, 23 updates each), each burst queued for all applicants at once. Printed:
updates per second from the first burst to the last handled, how many applicants ended in the
state one-at-a-time handling ends in, replies doubled or lost, the lock conflicts
(advisory-lock waits plus lost version checks, summed over the workers' /metrics), and the
workers' CPU per update (what a machine shared with other work does not bend).

`--all-at-once` instead posts every queued update at once (the fake's default delivery) with
the blind bursts of five (presses before their buttons are shown): what only the update id
order can put right.

    .venv/bin/python benchmarks/webhook_workers.py [--applicants 300] [--workers 1 2 3]
        [--order-wait SECONDS] [--all-at-once]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.bursts import (  # noqa: E402
    album_pages,
    blind_bursts,
    journey_bursts,
    replies_to,
    settled,
    states,
)
from tests.e2e.front import RoundRobinFront  # noqa: E402
from tests.e2e.processes import postgres_deployment, wait_until  # noqa: E402
from tests.e2e.test_worker_bursts import one_at_a_time, reference_material  # noqa: E402
from tests.fake_bot_api import FakeBotApi  # noqa: E402
from tests.fake_bot_api import updates as u  # noqa: E402
from tests.ports import free_port  # noqa: E402

SECRET = "benchmark_worker_bursts_secret"


def worker_env(front: RoundRobinFront, port: int, status: int, order_wait: float | None) -> dict:
    env = {
        "TELEGRAM__MODE": "webhook",
        "TELEGRAM__WEBHOOK_URL": front.url,
        "TELEGRAM__WEBHOOK_SECRET": SECRET,
        "TELEGRAM__LISTEN_PORT": str(port),
        "TELEGRAM__ALBUM_WAIT_SECONDS": "1.5",  # as the e2e test: this machine is shared
        "RUNTIME__STATUS_PORT": str(status),
        "LOG_LEVEL": "WARNING",
    }
    if order_wait is not None:  # the bound on a gap in the update ids (default: settings)
        env["TELEGRAM__ORDER_WAIT_SECONDS"] = str(order_wait)
    return env


def conflicts(status_ports: list[int]) -> int:
    total = 0.0
    for port in status_ports:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
            for line in answer.read().decode().splitlines():
                if line.startswith("conversation_conflicts_total "):
                    total += float(line.split()[1])
    return int(total)


async def one_round(workers: int, applicants: int, order_wait: float | None, at_once: bool) -> str:
    async with FakeBotApi(record_calls=True, per_chat_order=not at_once) as api:
        where = Path(tempfile.mkdtemp(prefix="bench-workers-"))
        async with postgres_deployment(api, where) as deployment:
            ports = [free_port() for _ in range(workers)]
            status = [free_port() for _ in range(workers)]
            front = RoundRobinFront([f"http://127.0.0.1:{p}" for p in ports])
            await front.start()
            db = deployment.database()
            try:
                with ExitStack() as stack:
                    procs = [
                        stack.enter_context(
                            deployment.bot(f"w{n}", **worker_env(front, p, s, order_wait))
                        )
                        for n, (p, s) in enumerate(zip(ports, status, strict=True))
                    ]
                    for port in status:
                        await wait_until(
                            lambda p=port: _answers(p), "a worker up", procs=tuple(procs)
                        )
                    before = sum(cpu_seconds(p.pid) for p in procs)
                    line, total = await _measure(api, db, applicants, at_once)
                    used = sum(cpu_seconds(p.pid) for p in procs) - before
                    return (
                        f"{workers} worker(s): {line}, lock conflicts {conflicts(status)}; "
                        f"workers' CPU {used:.0f} s = {1000 * used / total:.0f} ms per update"
                    )
            finally:
                await db.close()
                await front.stop()


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user + system), from /proc: the figure a loaded machine
    does not bend, unlike updates per second."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
            return True
    except OSError:
        return False


async def _measure(api: FakeBotApi, db, applicants: int, at_once: bool) -> tuple[str, int]:
    reference = u.User(9400, "张三")
    pages = album_pages(api, 2, seed=700)
    if at_once:
        await one_at_a_time(api, db, blind_bursts(reference))
    else:
        material = await reference_material(api, db, reference)
        await one_at_a_time(api, db, journey_bursts(reference, material, pages)[-1:])
    expected_state = (await db.run(states))[str(reference.id)]
    expected = replies_to(api, reference.id)
    people = [u.User(10_000 + n, "张三") for n in range(applicants)]
    if at_once:
        plans = [blind_bursts(p) for p in people]
    else:
        plans = [journey_bursts(p, material, pages) for p in people]
    total = sum(len(b) for plan in plans for b in plan)
    started = time.perf_counter()
    for step in range(len(plans[0])):
        for plan in plans:
            for update in plan[step]:
                api.add_update(update)
        await wait_until(lambda: settled(db, api), f"burst {step + 1}", timeout=3600)
    elapsed = time.perf_counter() - started
    ended = await db.run(states)
    right = sum(1 for p in people if ended.get(str(p.id)) == expected_state)
    same = sum(1 for p in people if replies_to(api, p.id) == expected)
    for p in people:
        got = replies_to(api, p.id)
        if got != expected:  # the first difference, to see what went wrong
            pairs = enumerate(zip(got, expected, strict=False))
            at = next((n for n, (a, b) in pairs if a != b), None)
            at = min(len(got), len(expected)) if at is None else at
            print(f"  {p.id}: reply {at} {got[at : at + 2]} instead of {expected[at : at + 2]}")
            break
    line = (
        f"{total} updates in {elapsed:.1f} s = {total / elapsed:.1f} updates/s; "
        f"{right}/{applicants} at {expected_state}, {same}/{applicants} with exactly the "
        f"reference's replies"
    )
    return line, total


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--order-wait", type=float, default=None)
    parser.add_argument("--all-at-once", action="store_true")
    args = parser.parse_args()
    for workers in args.workers:
        line = await one_round(workers, args.applicants, args.order_wait, args.all_at_once)
        print(line, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
