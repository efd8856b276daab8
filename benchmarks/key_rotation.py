"""How long `db rotate-key` takes: applicants (two numbers each) and stored files made again
with a new key, on SQLite, one row and one file per transaction as the command does it.

    .venv/bin/python benchmarks/key_rotation.py [--rows 2000] [--files 200] [--kib 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.crypto import Vault
from cases.db import Database
from cases.files import FileStore
from cases.key_rotation import ApplicantRows, rotate

OLD, NEW = bytes(range(32)), bytes(range(1, 33))


def seed(session: Session, rows: int) -> None:
    for n in range(rows):
        applicant = repo.get_or_create_applicant(session, "bench", str(n))
        repo.set_id_number(session, applicant, f"150627196505{n:06d}")
        repo.set_phone(session, applicant, f"138{n:08d}")


async def main(rows: int, files: int, kib: int) -> None:
    with tempfile.TemporaryDirectory() as where:
        url = f"sqlite:///{Path(where) / 'app.db'}"
        db = Database(url, vault=Vault(OLD))
        await db.create_all()
        await db.run(seed, rows)
        store = FileStore(Path(where) / "files", 10**9, vault=Vault(OLD))
        for _ in range(files):
            store.put(os.urandom(kib * 1024))
        await db.close()

        ring = Vault(NEW, old_keys=[OLD])
        db = Database(url, vault=ring)
        store = FileStore(Path(where) / "files", 10**9, vault=ring)
        started = time.perf_counter()
        report = await rotate(db, store, (ApplicantRows(),))
        took = time.perf_counter() - started
        await db.close()
    print(f"rotated {report.rows} rows and {report.files} files of {kib} KiB in {took:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--kib", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.files, args.kib))
