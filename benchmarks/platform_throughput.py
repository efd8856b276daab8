"""Platform throughput on this machine: submissions delivered through the outbox in-process
and over signed loopback HTTP, and platform events applied (in the staff's transaction and
through the signed callback). Prints figures and ratios.

    .venv/bin/python benchmarks/platform_throughput.py [--cases 300]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp.test_utils import TestServer

from cases.platform.delivery import drain_platform_outbox
from integrations.platform.callbacks import deliver_callbacks
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.embedded.sinks import queue_for_callback
from integrations.platform.http_client import HttpPlatformClient
from integrations.platform.http_server import Security, build_app
from tests.platform.conftest import FakeClock, open_db, submitted_case

SECRET = b"benchmark"


async def drain_all(db, adapter, clock) -> int:  # type: ignore[no-untyped-def]
    total = 0
    while n := await drain_platform_outbox(db, adapter, now=clock, limit=100):
        total += n
    return total


async def accept_all(platform: EmbeddedPlatform, numbers: list[str]) -> None:
    for number in numbers:
        await platform.db.run(platform.accept, number, "staff:bench")


async def main(cases: int) -> None:
    clock = FakeClock(datetime(2026, 4, 30, 1, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        # In-process: our store and the embedded platform share one SQLite database.
        db = await open_db(Path(tmp) / "a.db")
        numbers = await db.run(
            lambda s: [submitted_case(s, f"u{i}", clock())[1] for i in range(cases)]
        )
        platform = EmbeddedPlatform(db, now=clock)
        t = time.perf_counter()
        assert await drain_all(db, platform, clock) == cases
        local_submit = cases / (time.perf_counter() - t)
        t = time.perf_counter()
        await accept_all(platform, numbers)  # accept + 6 dispatches + event applied, one txn
        local_accept = cases / (time.perf_counter() - t)
        await db.close()

        # Over HTTP: bot and platform on separate databases, every request signed.
        db = await open_db(Path(tmp) / "b.db")
        pdb = await open_db(Path(tmp) / "p.db")
        numbers = await db.run(
            lambda s: [submitted_case(s, f"u{i}", clock())[1] for i in range(cases)]
        )
        security = Security(SECRET, clock=lambda: clock().timestamp())
        remote = EmbeddedPlatform(pdb, sink=queue_for_callback, now=clock)
        pserver = TestServer(build_app(platform=remote, security=security), host="127.0.0.1")
        bserver = TestServer(build_app(callback_db=db, security=security), host="127.0.0.1")
        await pserver.start_server()
        await bserver.start_server()
        async with aiohttp.ClientSession() as http:
            client = HttpPlatformClient(
                http, str(pserver.make_url("")), SECRET, clock=lambda: clock().timestamp()
            )
            t = time.perf_counter()
            assert await drain_all(db, client, clock) == cases
            http_submit = cases / (time.perf_counter() - t)
            await accept_all(remote, numbers)
            t = time.perf_counter()
            delivered = 0
            while n := await deliver_callbacks(
                pdb,
                http,
                str(bserver.make_url("")),
                SECRET,
                now=clock,
                clock=lambda: clock().timestamp(),
            ):
                delivered += n
            assert delivered == cases
            http_events = cases / (time.perf_counter() - t)
        await pserver.close()
        await bserver.close()
        await db.close()
        await pdb.close()

    print(f"cases: {cases} (SQLite, WAL)")
    print(f"submissions delivered, in-process embedded : {local_submit:8.0f}/s")
    print(
        f"submissions delivered, signed HTTP loopback: {http_submit:8.0f}/s"
        f"  (ratio {http_submit / local_submit:.2f})"
    )
    print(f"acceptances (dispatch 6 items + apply event): {local_accept:7.0f}/s")
    print(f"events applied via signed HTTP callback    : {http_events:8.0f}/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    asyncio.run(main(parser.parse_args().cases))
