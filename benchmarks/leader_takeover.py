"""How fast another process takes over when the leader is killed outright (SIGKILL).

Two processes run the runtime's supervisor with the leader lock exactly as `main.py run` does
(`runtime.leader.leadership_for` + `runtime.supervisor.Supervisor`), each with one singleton
worker that prints the moment it starts. The leader is killed; the take-over time is from the
kill to the follower's worker starting. Per database (SQLite file, PostgreSQL) and per retry
interval (`RUNTIME__LEADER_RETRY_SECONDS`), five rounds, median and worst.

    .venv/bin/python benchmarks/leader_takeover.py [--rounds 5] [--retry 2.0 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")

PROCESS = """
import asyncio, sys, time
from cases.db import Database
from runtime.leader import leadership_for
from runtime.supervisor import Supervisor, Worker

async def singleton(stop):
    print(f"leading {time.time():.6f}", flush=True)
    await stop.wait()

async def main():
    db = Database(sys.argv[1])
    supervisor = Supervisor([Worker("probe", singleton, singleton=True)],
                            leadership_for(db, float(sys.argv[2])))
    await supervisor.run(asyncio.Event())

asyncio.run(main())
"""


def start(url: str, retry: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", PROCESS, url, str(retry)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def leading_at(proc: subprocess.Popen[str]) -> float:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("leading "):
        raise RuntimeError(f"unexpected output {line!r}")
    return float(line.split()[1])


def one_round(url: str, retry: float) -> float:
    leader = start(url, retry)
    leading_at(leader)
    follower = start(url, retry)
    # The follower is asking, again and again; the kill falls anywhere in its retry cycle.
    time.sleep(max(1.0, 2 * retry) + random.uniform(0, retry))
    try:
        killed = time.time()
        os.kill(leader.pid, signal.SIGKILL)
        leader.wait()
        return leading_at(follower) - killed
    finally:
        for proc in (leader, follower):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


async def pg_database() -> tuple[str, str]:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN)
    name = f"bench_leader_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return name, "postgresql+asyncpg://" + PG_ADMIN.split("://", 1)[1].rsplit("/", 1)[
        0
    ] + "/" + name


async def drop_pg(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--retry", type=float, nargs="+", default=[2.0, 0.5])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        targets = [("SQLite (flock)", f"sqlite:///{Path(folder) / 'app.db'}", None)]
        try:
            name, url = asyncio.run(pg_database())
            targets.append(("PostgreSQL (advisory lock)", url, name))
        except Exception as exc:  # no server: say so, measure SQLite only
            print(f"PostgreSQL skipped: {exc!r}")
        print(f"{'database':28} {'retry s':>8} {'median s':>9} {'worst s':>8}  rounds")
        try:
            for label, url, _ in targets:
                for retry in args.retry:
                    times = [one_round(url, retry) for _ in range(args.rounds)]
                    print(
                        f"{label:28} {retry:8.2f} {statistics.median(times):9.3f} "
                        f"{max(times):8.3f}  {args.rounds}  "
                        f"(median / retry interval = {statistics.median(times) / retry:.2f})"
                    )
        finally:
            for _, _, name in targets:
                if name:
                    asyncio.run(drop_pg(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
