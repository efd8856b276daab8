"""The console when the database goes away mid-session, and many consoles starting at once.

Real subprocesses (`python main.py chat --json`) on a real SQLite file and a real PostgreSQL
schema: every input line gets exactly one output line; while the database cannot be used the
line says "busy" and the process carries on; once it is back, the conversation goes on where
it stood. Waits are bounded waits for a line or a condition, never a measured time.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TextIO, cast

import asyncpg
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from app.settings import DatabaseSettings, FileSettings, SecuritySettings, Settings
from cases import repositories as repo
from cases.db import Database
from cases.errors import StoreUnavailable
from cases.files import open_file_store
from cases.migrate import head_revision
from console.chat import run_console
from console.json_lines import run_json
from console.session import Console
from dialogs.service import ConversationService
from locales import Translator
from locales.replies import Msg, Reply, to_json
from runtime.services import Services
from tests.cases.databases import PG_URL, TEST_KEY, postgres_database, postgres_schema
from tests.dialogs.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
BOUND = 90.0  # seconds: the most any line or condition is waited for (not a speed target)
BUSY = Translator("zh_CN")("dialogs.console.busy")


def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(ROOT)}
    return env | {"OCR__ENABLED": "false"} | extra  # pictures, not cards (tests/conftest.py)


def postgres_env(home: Path, schema: str, url: str = PG_URL) -> dict[str, str]:
    """A child process on the test's own schema of the shared test database."""
    # Without the setting the child would work on the shared `public` schema instead.
    assert "schema_name" in DatabaseSettings.model_fields
    return child_env(
        home,
        DATABASE_URL=url,
        DATABASE__SCHEMA_NAME=schema,
        SECURITY__DATA_KEY=base64.urlsafe_b64encode(TEST_KEY).decode(),
        LOG_LEVEL="WARNING",
    )


class Chat:
    """One `main.py chat --json` process, spoken to a line at a time."""

    def __init__(self, cwd: Path, user: str, env: dict[str, str]) -> None:
        self.stderr = (cwd / f"stderr-{user}.txt").open("w+")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "chat", "--json", "--user", user],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            cwd=cwd,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stdout: IO[str]) -> None:
        for line in stdout:
            self.lines.put(line)

    def say(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one line; the one line that answers it."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        try:
            line = self.lines.get(timeout=BOUND)
        except queue.Empty:
            raise AssertionError(f"no answer to {message}: {self.errors()}") from None
        return json.loads(line)  # type: ignore[no-any-return]

    def finish(self) -> list[str]:
        """End of input: the process ends well; returns any lines it wrote beyond the answers."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=BOUND) == 0, self.errors()
        extra = []
        while not self.lines.empty():
            extra.append(self.lines.get())
        return extra

    def errors(self) -> str:
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=BOUND)
        self.stderr.close()


@pytest.fixture
def chats() -> Iterator[Callable[..., Chat]]:
    started: list[Chat] = []

    def start(cwd: Path, user: str, env: dict[str, str]) -> Chat:
        started.append(Chat(cwd, user, env))
        return started[-1]

    yield start
    for chat in started:
        chat.kill()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    give_up = time.monotonic() + BOUND
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)


def is_busy(answer: dict[str, Any]) -> bool:
    return answer.get("error") == "service_unavailable" and [
        r["text"] for r in answer["replies"]
    ] == [BUSY]


# ---- SQLite: the file locked by another connection for longer than the busy timeout ---------


def test_sqlite_locked_for_long_lines_say_busy_then_the_conversation_goes_on(
    tmp_path: Path, chats: Callable[..., Chat]
) -> None:
    chat = chats(tmp_path, "u1", child_env(tmp_path))
    assert chat.say({"command": "start"})["state"] == "ask_language"

    holder = sqlite3.connect(tmp_path / "data" / "app.db", isolation_level=None, timeout=30)
    holder.execute("BEGIN EXCLUSIVE")  # what a long staff batch or a stuck process would hold
    try:
        answer = chat.say({"choice": "zh_CN"})
        assert is_busy(answer), answer
        assert answer["state"] == "ask_language"  # still where it stood
        assert chat.process.poll() is None  # and the process carries on
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    again = chat.say({"choice": "zh_CN"})
    assert "error" not in again and again["state"] == "ask_consent"
    after = chat.say({"choice": "agree"})
    assert "error" not in after and after["state"] == "ask_name"
    assert chat.finish() == []
    assert "database is unavailable" in chat.errors()


def test_terminal_mode_says_busy_politely_in_chinese(tmp_path: Path) -> None:
    """The same in the terminal, in-process: a line while the file is locked is answered with
    the polite Chinese line; the next one, once it is free, as usual."""
    data = tmp_path / "data"
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite:///{data / 'app.db'}"),
        files=FileSettings(dir=data / "files"),
        security=SecuritySettings(data_key=SecretStr(base64.urlsafe_b64encode(TEST_KEY).decode())),
        data_dir=data,
    )
    holder: list[sqlite3.Connection] = []

    class Keyboard:
        """Types the lines; locks the file before the second, frees it before the third."""

        def __init__(self) -> None:
            self.lines = ["1\n", "1\n", "同意\n"]

        def readline(self) -> str:
            if len(self.lines) == 2:
                holder.append(
                    sqlite3.connect(data / "app.db", isolation_level=None, check_same_thread=False)
                )
                holder[0].execute("BEGIN EXCLUSIVE")
            elif len(self.lines) == 1:
                holder[0].execute("ROLLBACK")
                holder[0].close()
            return self.lines.pop(0) if self.lines else ""

    out = io.StringIO()
    clock = lambda: datetime(2026, 11, 26, 4, 0, tzinfo=UTC)  # noqa: E731
    keyboard = cast(TextIO, Keyboard())
    services = Services.build(settings, clock=clock)

    async def chat() -> int:
        try:
            return await run_console(services, stdin=keyboard, stdout=out)
        finally:
            await services.aclose()

    code = asyncio.run(chat())
    assert code == 0
    text = out.getvalue()
    first, busy, rest = text.split("> ")[1:4]
    assert "  1. 同意" in first  # "1" chose 中文: the consent question
    assert busy.strip() == BUSY  # "1" (agree) while the file was locked
    assert "请输入您的姓名" in rest  # "同意" once it was free again: consent given


# ---- PostgreSQL: connections killed, and the server unreachable for a while -----------------


async def test_postgresql_killed_connections_and_an_outage_then_the_conversation_goes_on(
    tmp_path: Path, chats: Callable[..., Chat]
) -> None:
    url = make_url(PG_URL)
    async with postgres_schema() as schema:
        async with postgres_database(schema, create=True):
            pass  # the tables, in the test's own schema
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        proxy.up()
        admin = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            through_proxy = url.set(host="127.0.0.1", port=proxy.port)
            env = postgres_env(tmp_path, schema, through_proxy.render_as_string(False))
            chat = chats(tmp_path, "pg-1", env)
            assert chat.say({"command": "start"})["state"] == "ask_language"

            # The server ends the app's connections (a restart, an operator, a failover).
            ports = proxy.upstream_ports()
            killed = await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE client_port = ANY($1::int[]) AND pid <> pg_backend_pid()",
                sorted(ports),
            )
            assert killed and all(row[0] for row in killed)
            answer = chat.say({"choice": "zh_CN"})
            assert "error" not in answer and answer["state"] == "ask_consent"

            # The server is unreachable for a while: each line is answered "busy".
            proxy.down()
            for _ in range(2):
                answer = chat.say({"choice": "agree"})
                assert is_busy(answer), answer
                assert answer["state"] == "ask_consent"
            assert chat.process.poll() is None

            proxy.up()
            back = chat.say({"choice": "agree"})
            assert "error" not in back and back["state"] == "ask_name"
            name = chat.say({"text": "张建国"})
            assert "error" not in name and name["state"] == "ask_id_number"
            assert chat.finish() == []
            assert "database is unavailable" in chat.errors()
        finally:
            proxy.down()
            await admin.close()


# ---- many processes starting at once on a brand-new database --------------------------------


def test_consoles_started_at_once_on_a_new_data_dir_all_answer(tmp_path: Path) -> None:
    started = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "chat", "--json", "--user", f"u{n}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=child_env(tmp_path),
        )
        for n in range(5)
    ]
    try:
        results = [p.communicate(json.dumps({"command": "start"}) + "\n", BOUND) for p in started]
    finally:
        for p in started:
            if p.poll() is None:
                p.kill()
                p.wait()
    for process, (out, err) in zip(started, results, strict=True):
        assert process.returncode == 0, err
        answers = [json.loads(line) for line in out.splitlines()]
        assert len(answers) == 1 and answers[0]["state"] == "ask_language", err
    with sqlite3.connect(tmp_path / "data" / "app.db") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]
        applicants = conn.execute("SELECT count(*) FROM applicants").fetchone()[0]
    assert applicants == 5
    # One data key for all of them, written whole, and no temporary key left behind.
    keys = [p.name for p in (tmp_path / "data").iterdir() if "secret.key" in p.name]
    assert keys == ["secret.key"]
    assert len(base64.urlsafe_b64decode((tmp_path / "data" / "secret.key").read_text())) == 32


async def test_postgresql_upgrades_started_at_once_migrate_once(tmp_path: Path) -> None:
    async with postgres_schema() as schema:
        env = postgres_env(tmp_path, schema)
        started = [
            subprocess.Popen(
                [sys.executable, str(ROOT / "main.py"), "db", "upgrade"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=tmp_path,
                env=env,
            )
            for _ in range(4)
        ]
        try:
            results = [p.communicate(timeout=BOUND) for p in started]
        finally:
            for p in started:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        for process, (_out, err) in zip(started, results, strict=True):
            assert process.returncode == 0, err
        admin = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            versions = await admin.fetch(f'SELECT version_num FROM "{schema}".alembic_version')
        finally:
            await admin.close()
        assert [row[0] for row in versions] == [head_revision()]


# ---- the work after each turn never costs the line its answer ------------------------------


async def test_trouble_after_the_turn_never_costs_the_line_its_answer(
    db: Database, service: ConversationService, clock: Callable[[], datetime], tmp_path: Path
) -> None:
    """The platform cannot even be built, and the pushes fail once as the database goes away
    right after the turn: each line still gets its one answer, and the push is shown with the
    next one."""

    def platform_down() -> Any:
        raise RuntimeError("the embedded platform failed to start")

    class TroubleAfterTurns(Console):
        failed_pushes = 0

        async def pushes(self) -> list[Reply]:
            if self.failed_pushes == 0:
                self.failed_pushes += 1
                raise StoreUnavailable("database unavailable: gone right after the turn")
            return await super().pushes()

    def accepted_push(session: Any) -> None:
        applicant = repo.get_or_create_applicant(session, "console", "u1")
        message = Msg("platform.accepted", {"case_number": "YJ-1", "count": 6})
        repo.enqueue_notification(session, applicant.id, to_json(Reply(message)), "push:1")

    await db.run(accepted_push)
    console = TroubleAfterTurns(
        service,
        db,
        open_file_store(tmp_path / "files", 1_000_000, db.require_vault()),
        "u1",
        1_000_000,
        platform=platform_down,
        clock=clock,
        data_dir=tmp_path,
    )
    lines = [json.dumps({"command": "start"}), json.dumps({"choice": "zh_CN"})]
    out = io.StringIO()
    await run_json(console, io.StringIO("".join(line + "\n" for line in lines)), out)
    await console.close()
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert "error" not in first and first["state"] == "ask_language"
    assert "platform.accepted" not in [r["key"] for r in first["replies"]]  # held back
    assert "error" not in second and second["state"] == "ask_consent"
    assert second["replies"][-1]["key"] == "platform.accepted"  # shown with the next answer
    assert "已受理" in second["replies"][-1]["text"]
