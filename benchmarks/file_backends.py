"""Storing and reading one page on each file backend, measured in the same run: the local
folder (the anchor), PostgreSQL (`file_blobs`) and an S3 bucket on moto's server (loopback;
moto is a test double, so its figure says little about a real object store).

    .venv/bin/python benchmarks/file_backends.py [--pages 40] [--kib 600]

Prints per backend the median milliseconds of `put` and of `read` of a page of that size
(a phone photo after re-encoding is 300-900 KiB), and the ratio to the local folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cases.blobs import BlobBackend
from cases.crypto import Vault
from cases.files import FileStore
from tests.cases.blob_backends import BACKENDS, blob_backend, moto_s3


def _ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def measure(backend: BlobBackend, where: Path, pages: int, size: int) -> tuple[float, float]:
    vault = Vault(os.urandom(32))
    store = FileStore(where / "staging", 32 * 1024 * 1024, vault=vault, backend=backend)
    data = [os.urandom(size) for _ in range(pages)]
    put_times = [_ms(lambda d=d: store.put(d)) for d in data]  # type: ignore[misc]
    addresses = [store.address_of(d) for d in data]
    read_times = [_ms(lambda a=a: store.read(a)) for a in addresses]  # type: ignore[misc]
    return statistics.median(put_times), statistics.median(read_times)


async def main(pages: int, kib: int) -> None:
    results: dict[str, tuple[float, float]] = {}
    with moto_s3() as endpoint, tempfile.TemporaryDirectory() as scratch:
        for kind in BACKENDS:
            async with blob_backend(kind, Path(scratch) / kind, endpoint) as backend:
                results[kind] = await asyncio.to_thread(
                    measure, backend, Path(scratch) / kind, pages, kib * 1024
                )
    put0, read0 = results["local"]
    print(f"{pages} pages of {kib} KiB; median ms per page (ratio to the local folder)")
    for kind, (put, read) in results.items():
        print(
            f"  {kind:<11} put {put:7.2f} ({put / put0:4.1f}x)   read {read:7.2f} "
            f"({read / read0:4.1f}x)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--kib", type=int, default=600)
    args = parser.parse_args()
    asyncio.run(main(args.pages, args.kib))
