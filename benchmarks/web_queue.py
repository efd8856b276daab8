"""The clerk's queue page with many open cases: server time per page, and its growth.

    .venv/bin/python benchmarks/web_queue.py [--sizes 1000 50000] [--runs 20]

For each size, a fresh SQLite database gets that many open cases (a few with a late item),
a clerk logs in, and `GET /queue?page=N` is timed over HTTP on 127.0.0.1 (first, middle and
last page; median of `--runs`). The page is one SELECT (rows and total together) plus the
audit row of the request; the goal is <= 100 ms per page on SQLite and a flat curve.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import insert

from app.settings import WebSettings
from cases.crypto import Vault
from cases.db import Database
from cases.files import FileStore
from cases.models.platform import EmbCase, EmbItem
from integrations.platform.embedded.platform import EmbeddedPlatform
from staffweb import accounts
from staffweb.app import make_app
from staffweb.core import Console

NOW = datetime(2026, 4, 30, 1, 0, tzinfo=UTC)


def seed(session, count: int) -> None:  # type: ignore[no-untyped-def]
    start = NOW - timedelta(days=30)
    rows = [
        {
            "case_number": f"YJ-20260401-{n:06d}",
            "idempotency_key": f"k{n}",
            "platform_ref": f"P{n}",
            "form": {"name": f"申请人{n}", "id_number_masked": "1506**********0011"},
            "materials": {},
            "status": ("received", "returned", "accepted")[n % 3],
            "received_at": start + timedelta(seconds=n),
        }
        for n in range(count)
    ]
    for chunk in range(0, count, 5000):
        session.execute(insert(EmbCase), rows[chunk : chunk + 5000])
    late = [
        {
            "case_number": f"YJ-20260401-{n:06d}",
            "item": "pension_claim",
            "office": "social_insurance_center",
            "status": "pending",
            "due_at": NOW - timedelta(hours=1),
            "data": {},
        }
        for n in range(2, count, 3)  # every accepted case has a pending item ...
    ]
    for item in late[100:]:
        item["due_at"] = NOW + timedelta(hours=1)  # ... 100 of them late
    for chunk in range(0, len(late), 5000):
        session.execute(insert(EmbItem), late[chunk : chunk + 5000])
    accounts.add_account(session, "bench", "clerk", "bench password", "bench", at=NOW)


async def measure(count: int, runs: int, directory: Path) -> dict[str, float]:
    db = Database(f"sqlite:///{directory / f'queue{count}.db'}", vault=Vault(b"k" * 32))
    await db.create_all()
    await db.run(seed, count)
    console = Console(
        db,
        FileStore(directory / "files", 1 << 20, vault=db.require_vault()),
        EmbeddedPlatform(db, now=lambda: NOW),
        WebSettings(),
        lambda: NOW,
    )
    client = TestClient(TestServer(make_app(console), host="127.0.0.1"))
    await client.start_server()
    try:
        page = await (await client.get("/login")).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        await client.post(
            "/login", data={"username": "bench", "password": "bench password", "csrf_token": token}
        )
        pages = -(-count // console.settings.page_size)
        out: dict[str, float] = {}
        for label, number in (("first", 1), ("middle", pages // 2 or 1), ("last", pages)):
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                response = await client.get(f"/queue?page={number}")
                await response.read()
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status == 200
            out[label] = statistics.median(times)
        return out
    finally:
        await client.close()
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 50000])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            result = await measure(size, args.runs, Path(tmp))
            shown = "  ".join(f"{k} page {v:6.1f} ms" for k, v in result.items())
            print(f"{size:>7} open cases: {shown}  (median of {args.runs}, SQLite, over HTTP)")


if __name__ == "__main__":
    asyncio.run(main())
