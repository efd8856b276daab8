"""Machines of one deployment, for tests: each has a folder of its own (its `data/`) and
shares the PostgreSQL database (a fresh schema) and the data key with the others.

    with shared_schema() as schema:
        a, b = Machine(tmp / "a", schema), Machine(tmp / "b", schema)
        services = Services.build(a.settings(), migrate=True)     # in this process
        b.command("db", "purge")                                 # or as the operator would
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from app.settings import DatabaseSettings, FileSettings, SecuritySettings, Settings
from tests.cases.databases import PG_URL
from tests.log_guard import scan_output

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "main.py"
KEY = base64.urlsafe_b64encode(bytes(range(9, 41))).decode()


@contextmanager
def shared_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards (fails under CI=true when unreachable)."""
    dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://", 1)
    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable at {dsn}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {dsn}: {exc}")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@dataclass
class Machine:
    where: Path
    schema: str
    backend: str = "postgresql"
    url: str = PG_URL
    extra: dict[str, str] = field(default_factory=dict)

    def settings(self) -> Settings:
        return Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=self.where,
            database=DatabaseSettings(url=self.url, schema_name=self.schema),
            files=FileSettings(backend=self.backend, dir=self.where / "files"),  # type: ignore[arg-type]
            security=SecuritySettings(data_key=SecretStr(KEY)),
        )

    def env(self) -> dict[str, str]:
        keep = ("TELEGRAM", "DATABASE", "RUNTIME", "PLATFORM", "SECURITY", "FILES", "LOG_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(keep)}
        env.update(
            DATABASE_URL=self.url,
            DATABASE__SCHEMA_NAME=self.schema,
            FILES__BACKEND=self.backend,
            FILES__DIR=str(self.where / "files"),
            DATA_DIR=str(self.where),
            SECURITY__DATA_KEY=KEY,
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra)
        return env

    def command(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """`python main.py ARGS` on this machine, as an operator runs it."""
        self.where.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [sys.executable, str(MAIN), *args],
            cwd=self.where,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        scan_output(done.stderr, f"stderr of main.py {' '.join(args[:2])}")  # the log guard's rule
        return done
