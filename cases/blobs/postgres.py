"""The `postgresql` file backend: encrypted files as rows of `file_blobs` in the deployment's
own database, seen by every worker on it.

Why a second, synchronous connection pool (psycopg) beside the application's asyncpg one: the
store is called from synchronous code everywhere (an upload being checked in a worker thread,
a document rendered inside a unit of work, the staff console, the CLI), and a short blocking
query there is what a disk read was before. Two connections at most per process.

A file is its ciphertext cut in parts of 1 MiB, inserted in one transaction that starts with
part 0 `ON CONFLICT DO NOTHING`: of two workers storing the same page at once, the second
waits for the first's part 0, finds it and writes nothing. Part 0 present means the whole
file is (one transaction), so `exists` looks at part 0 only. Reading fetches one part per
query, so no connection is held while the caller reads; a part shorter than 1 MiB is the
last one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from sqlalchemy import Engine, Table, create_engine, delete, func, select
from sqlalchemy.dialects.postgresql import insert

from cases.blobs.local import check_address
from cases.filecrypt import IterReader
from cases.models.blobs import FileBlob

if TYPE_CHECKING:
    from app.settings import Settings

PART = 1024 * 1024  # ciphertext bytes per row
_TABLE = cast(Table, FileBlob.__table__)


class PostgresBlobs:
    name = "postgresql"

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        connect_args: dict[str, Any] = {}
        if schema:
            connect_args["options"] = f"-csearch_path={schema}"
        self._engine: Engine = create_engine(
            psycopg_url(url),
            connect_args=connect_args,
            pool_size=2,
            max_overflow=2,
            pool_pre_ping=True,
        )
        self._where = f"{self._engine.url.render_as_string(hide_password=True)}"
        if schema:
            self._where += f" (schema {schema})"

    def publish(self, staged: Path, address: str) -> bool:
        check_address(address)
        with self._engine.begin() as conn, staged.open("rb") as f:
            first = conn.execute(
                insert(_TABLE)
                .values(address=address, part=0, data=f.read(PART))
                .on_conflict_do_nothing()
                .returning(_TABLE.c.part)
            ).first()
            if first is None:
                return False  # stored already (by this worker or another one)
            part = 1
            while data := f.read(PART):
                conn.execute(insert(_TABLE).values(address=address, part=part, data=data))
                part += 1
        return True

    def open(self, address: str) -> BinaryIO:
        check_address(address)
        first = self._part(address, 0)  # fetched now: a missing file fails here, not later
        if first is None:
            raise FileNotFoundError(address)
        return cast(BinaryIO, IterReader(self._parts(address, first)))

    def _parts(self, address: str, first: bytes) -> Iterator[bytes]:
        data: bytes | None = first
        part = 0
        while data is not None:
            yield data
            if len(data) < PART:
                return  # a short part is the last one: no query to find out
            part += 1
            data = self._part(address, part)  # None past the end (or purged meanwhile)

    def _part(self, address: str, part: int) -> bytes | None:
        with self._engine.connect() as conn:
            data = conn.execute(
                select(_TABLE.c.data).where(_TABLE.c.address == address, _TABLE.c.part == part)
            ).scalar()
        return None if data is None else bytes(data)

    def exists(self, address: str) -> bool:
        check_address(address)
        with self._engine.connect() as conn:
            found = conn.execute(
                select(_TABLE.c.part).where(_TABLE.c.address == address, _TABLE.c.part == 0)
            ).first()
        return found is not None

    def size(self, address: str) -> int | None:
        check_address(address)
        with self._engine.connect() as conn:
            size = conn.execute(
                select(func.sum(func.length(_TABLE.c.data))).where(_TABLE.c.address == address)
            ).scalar()
        return None if size is None else int(size)

    def delete(self, address: str) -> int:
        check_address(address)
        with self._engine.begin() as conn:
            sizes = conn.execute(
                delete(_TABLE)
                .where(_TABLE.c.address == address)
                .returning(func.length(_TABLE.c.data))
            ).scalars()
            return sum(int(size) for size in sizes)

    def addresses(self) -> Iterator[str]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(_TABLE.c.address).where(_TABLE.c.part == 0)).scalars()
            yield from list(rows)

    def describe(self) -> str:
        return f"PostgreSQL table file_blobs at {self._where}"

    def close(self) -> None:
        self._engine.dispose()


def psycopg_url(url: str) -> str:
    """The deployment's DATABASE_URL, spelled for the synchronous psycopg driver."""
    scheme, rest = url.split("://", 1)
    if not scheme.startswith("postgres"):
        raise ValueError("the postgresql file backend needs a PostgreSQL DATABASE_URL")
    return f"postgresql+psycopg://{rest}"


def from_settings(settings: Settings) -> PostgresBlobs:
    return PostgresBlobs(settings.database.url, schema=settings.database.schema_name or None)
