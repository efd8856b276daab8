"""`db purge --dry-run` as the number of expired files grows: 1,000, 10,000 and 50,000.

    .venv/bin/python benchmarks/purge.py [--sizes 1000 10000 50000] [--runs 3]

For each size, a fresh SQLite database gets that many closed cases past the retention period,
one page (and one file on disk) each, and as many open cases sharing no files; a tenth of the
old files are also used by an open case, so they must be kept. Printed per size: the dry run
(`cases.retention.purge_closed_photos`, which also stats each file on disk), the anchor (raw
sqlite3 reading the same expired pages, no files), their ratio and the cost per file. The
issue's figure before: 4.1 s for 50,000 files, the page objects loaded one by one.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert
from sqlalchemy.orm import Session

from cases.crypto import Vault
from cases.db import Database
from cases.files import FileStore
from cases.models import Applicant, Case, MaterialPage
from cases.retention import purge_closed_photos

NOW = datetime(2026, 4, 30, 1, 0, tzinfo=UTC)
RETENTION = 180
RAW = """
SELECT p.id, p.sha256, c.id, c.number FROM material_pages p JOIN cases c ON c.id = p.case_id
WHERE c.status = 'closed' AND c.closed_at < ? AND p.sha256 IS NOT NULL AND p.purged_at IS NULL
ORDER BY c.id, p.id
"""


def seed(session: Session, count: int) -> None:
    session.execute(
        insert(Applicant),
        [{"id": n + 1, "channel": "telegram", "external_user_id": str(n)} for n in range(count)],
    )
    old = NOW - timedelta(days=RETENTION + 30)
    cases = [
        {
            "id": n + 1,
            "number": f"YJ-20250101-{n:06d}",
            "applicant_id": n + 1,
            "form": {},
            "status": "closed" if n < count else "submitted",
            "closed_at": old if n < count else None,
        }
        for n in range(2 * count)
    ]
    for n in range(count, 2 * count):
        cases[n]["applicant_id"] = n - count + 1
    session.execute(insert(Case), cases)
    pages = [
        {"case_id": n + 1, "material_code": "id_card", "sha256": sha(n), "size": 1000}
        for n in range(count)
    ]
    # A tenth of the old files are also a page of an open case: they stay.
    pages += [
        {"case_id": count + n + 1, "material_code": "id_card", "sha256": sha(n), "size": 1000}
        for n in range(0, count, 10)
    ]
    session.execute(insert(MaterialPage), pages)


def sha(n: int) -> str:
    return f"{n:064x}"


def measure(count: int, runs: int, directory: Path) -> tuple[float, float, int]:
    path = directory / f"purge{count}.db"
    db = Database(f"sqlite:///{path}", vault=Vault(b"k" * 32))
    db.upgrade_blocking()
    store = FileStore(directory / f"files{count}", 1 << 20, vault=db.require_vault())
    db.run_blocking(seed, count)
    for n in range(count):
        target = store.path_for(sha(n))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"x" * 1000)
    ours, raw = [], []
    for _ in range(runs):
        started = time.perf_counter()
        report = purge_closed_photos(db, store, now=NOW, retention_days=RETENTION, dry_run=True)
        ours.append(time.perf_counter() - started)
        with sqlite3.connect(path) as conn:
            cutoff = (NOW - timedelta(days=RETENTION)).replace(tzinfo=None).isoformat(" ")
            started = time.perf_counter()
            rows = conn.execute(RAW, (cutoff,)).fetchall()
            raw.append(time.perf_counter() - started)
        assert report.pages == len(rows) == count, (report.pages, len(rows), count)
    db.close_blocking()
    return statistics.median(ours), statistics.median(raw), report.files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("expired files  dry run   raw read  ratio  per file   (SQLite, median of runs)")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            ours, raw, files = measure(size, args.runs, Path(tmp))
            print(
                f"{size:>13}  {ours:7.3f} s  {raw:7.3f} s  {ours / raw:5.1f}  "
                f"{ours / size * 1e6:6.1f} us  ({files} files would go, a tenth kept)"
            )


if __name__ == "__main__":
    main()
