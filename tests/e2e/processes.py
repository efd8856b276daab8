"""The production commands as real processes: `main.py run` (one or several), `main.py db
upgrade` and the staff commands, against a deployment of their own (a SQLite file, or a fresh
PostgreSQL database) and the loopback Bot API server."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cases.crypto import Vault
from cases.db import Database
from tests.cases.databases import PG_URL, _admin
from tests.fake_bot_api import FakeBotApi
from tests.log_guard import scan_output, scanned_log

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "main.py"
KEY = bytes(range(7, 39))
CLERK = "李娜"
PASSWORD = "a long password for tests"


JOURNEY_TOWN = "altan_xire"  # the town the e2e journeys answer (tests/e2e/journey.py)


def office_staff(item: str, town: str = JOURNEY_TOWN) -> str:
    """The account that answers `item`: one per office (`Deployment.add_staff`); an item
    routed by the town goes to that town's own office."""
    from policy.items import item as item_def

    office = f"town_{town}" if item_def(item).office_routed_by else item_def(item).office
    return f"经办-{office}"


@dataclass
class Deployment:
    """Where a deployment keeps its data, and the environment its commands run with."""

    where: Path
    url: str
    api: FakeBotApi

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM", "DATABASE", "RUNTIME", "PLATFORM", "SECURITY"))
        }
        env.update(
            TELEGRAM_TOKEN=self.api.token,
            TELEGRAM_API_BASE=self.api.base_url,
            TELEGRAM__ALBUM_WAIT_SECONDS="0.5",
            TELEGRAM__POLLING_TIMEOUT="1",
            DATABASE_URL=self.url,
            SECURITY__DATA_KEY=base64.urlsafe_b64encode(KEY).decode(),
            FILES__DIR=str(self.where / "files"),
            DATA_DIR=str(self.where),
            RUNTIME__LEADER_RETRY_SECONDS="0.5",
            RUNTIME__RELAY_INTERVAL_SECONDS="0.3",
            RUNTIME__AFTERCARE_INTERVAL_SECONDS="0.5",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def database(self) -> Database:
        return Database(self.url, vault=Vault(KEY))

    async def add_staff(self, **env: str) -> None:
        """The staff console's accounts the staff commands run as: the clerk `CLERK` and one
        per office (`office_staff`), on a database migrated as an operator does it."""
        from staffweb.accounts import add_account, office_codes

        upgraded = await asyncio.to_thread(self.command, "db", "upgrade", **env)
        assert upgraded.returncode == 0, upgraded.stderr
        url = env.get("DATABASE_URL", self.url)
        db = Database(url, vault=Vault(KEY))
        offices = office_codes()  # each town its own office
        try:
            for username, role in ((CLERK, "clerk"), *((f"经办-{o}", o) for o in offices)):
                await db.run(add_account, username, role, PASSWORD, "e2e", at=_now())
        finally:
            await db.close()

    def command(
        self, *args: str, timeout: float = 120, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """`python main.py ARGS`; its stderr (the log; stdout is the answer) is held to the log
        guard's rule."""
        done = subprocess.run(
            [sys.executable, str(MAIN), *args],
            cwd=self.where,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        scan_output(done.stderr, f"stderr of main.py {' '.join(args[:2])}")
        return done

    def staff(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A staff command as the clerk (or an office) types it; fails the test on exit 1."""
        done = self.command("staff", *args)
        assert done.returncode in (0, 2), done.stderr
        return done

    def staff_json(self, *args: str) -> Any:
        done = self.staff(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def bot(self, name: str = "bot", **env: str) -> Any:
        """`python main.py run` as production starts it; stopped with SIGTERM at the end."""
        return self.process(name, "run", **env)

    @contextmanager
    def process(self, name: str, *args: str, **env: str) -> Iterator[subprocess.Popen[bytes]]:
        """A long-running command (`run`, `web`, `platform serve`), its output in `<name>.log`,
        scanned by the log guard once the process has stopped."""
        path = self.where / f"{name}.log"
        with scanned_log(path, f"{name}.log of main.py {' '.join(args[:2])}"):
            log = path.open("ab")
            proc = subprocess.Popen(
                [sys.executable, str(MAIN), *args],
                cwd=self.where,
                env=self.env(**env),
                stdout=log,
                stderr=log,
            )
            try:
                yield proc
            finally:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    try:
                        proc.wait(30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                log.close()

    def log_of(self, name: str = "bot") -> str:
        path = self.where / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


@asynccontextmanager
async def sqlite_deployment(api: FakeBotApi, where: Path) -> AsyncIterator[Deployment]:
    yield Deployment(where, f"sqlite:///{where / 'app.db'}", api)


@asynccontextmanager
async def postgres_deployment(api: FakeBotApi, where: Path) -> AsyncIterator[Deployment]:
    """A database of its own (the leader lock is per database), migrated as an operator does
    it: `python main.py db upgrade`."""
    admin = await _admin()
    name = f"e2e_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_URL.rsplit("/", 1)[0] + "/" + name
        deployment = Deployment(where, url, api)
        upgraded = await asyncio.to_thread(deployment.command, "db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        yield deployment
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def wait_until(
    predicate: Any, what: str, *, timeout: float = 120, poll: float = 0.2, procs: tuple = ()
) -> Any:
    """Poll `predicate` (sync or async) until it returns something truthy; fail after a
    generous bound (this is a correctness test, not a timing one) or when a process died."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for proc in procs:
            assert proc.poll() is None, f"{what}: a bot process exited with {proc.returncode}"
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(poll)
