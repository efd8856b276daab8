"""`main.py db rotate-key` on the embedded default: the command makes the new key, keeps the
old one readable until every row and file is done, then the new key alone reads everything."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import DatabaseSettings, FileSettings, SecuritySettings, Settings
from cases import repositories as repo
from cases.crypto import Vault, decode_key, load_vault, next_key_file
from cases.key_rotation import Fault
from runtime.leader import FileLeadership
from runtime.rotate_key import rotate_key
from runtime.services import Services

ROOT = Path(__file__).resolve().parents[2]
PHOTO = b"\xff\xd8 a page of the handbook"


def deployment(where: Path) -> Settings:
    return Settings(
        data_dir=where,
        database=DatabaseSettings(url=f"sqlite:///{where / 'app.db'}"),
        files=FileSettings(dir=where / "files"),
        security=SecuritySettings(key_file=where / "secret.key"),
    )


def seed(settings: Settings) -> str:
    """A worker with numbers and a stored page, on the deployment's first key."""
    services = Services.build(settings)
    try:
        address = services.files.put(PHOTO).address

        def work(session: object) -> None:
            applicant = repo.get_or_create_applicant(session, "telegram", "42")  # type: ignore[arg-type]
            repo.set_id_number(session, applicant, "150627196505150016")  # type: ignore[arg-type]
            repo.set_phone(session, applicant, "13800138000")  # type: ignore[arg-type]

        services.db.run_blocking(work)
    finally:
        services.close_blocking()
    return address


def read_back(settings: Settings) -> tuple[str | None, str | None, list[bytes]]:
    services = Services.build(settings)
    try:

        def work(session: object) -> tuple[str | None, str | None]:
            found = repo.find_applicants_by_phone(session, "13800138000")  # type: ignore[arg-type]
            return (
                repo.id_number_of(session, found[0]),  # type: ignore[arg-type]
                repo.phone_of(session, found[0]),  # type: ignore[arg-type]
            )

        numbers = services.db.run_blocking(work)
        return (*numbers, [services.files.read(a) for a in services.files.all_hashes()])
    finally:
        services.close_blocking()


class Crash(Exception):
    """The process dying at that point."""


class StopOnce:
    """A crash in the middle of the first run: after the stored file's new copy is written."""

    def __call__(self, step: str) -> None:
        if step == "file.stored":
            raise Crash(step)


def test_the_key_file_is_replaced_only_when_everything_is_done(tmp_path: Path) -> None:
    settings = deployment(tmp_path)
    old = seed(settings)
    first_key = settings.security.key_file.read_text()
    said: list[str] = []
    stop: Fault = StopOnce()
    with pytest.raises(Crash):
        rotate_key(settings, say=said.append, fault=stop)
    # Stopped: the old key is still the key file, the new one waits beside it, and a process
    # started now reads everything with both.
    assert settings.security.key_file.read_text() == first_key
    assert next_key_file(settings.security.key_file).exists()
    middle = read_back(settings)
    assert middle[:2] == ("150627196505150016", "13800138000")
    assert middle[2] == [PHOTO, PHOTO]  # the old file and its new copy, both readable

    assert rotate_key(settings, say=said.append) == 0
    assert not next_key_file(settings.security.key_file).exists()
    new_key = settings.security.key_file.read_text()
    assert new_key != first_key
    assert load_vault(settings).key_id == Vault(decode_key(new_key)).key_id
    assert read_back(settings) == ("150627196505150016", "13800138000", [PHOTO])
    services = Services.build(settings)
    try:
        assert list(services.files.all_hashes()) != [old]
    finally:
        services.close_blocking()
    assert "全部完成" in said[-1]
    for line in said:
        assert first_key.strip() not in line and new_key.strip() not in line


def test_the_command_refuses_while_a_run_holds_the_leader_lock(tmp_path: Path) -> None:
    settings = deployment(tmp_path)
    seed(settings)
    first_key = settings.security.key_file.read_text()
    database = tmp_path / "app.db"
    # A `run` leading this deployment, as runtime.leader takes the lock (another open file:
    # flock conflicts between open files, in one process as across processes).
    running = FileLeadership(database.with_name("app.db.leader"), retry_seconds=0.1)
    assert asyncio.run(running.acquire(asyncio.Event()))
    said: list[str] = []
    try:
        assert rotate_key(settings, say=said.append) == 2
    finally:
        asyncio.run(running.release())
    assert "服务正在运行" in said[-1] and "main.py web" in said[-1]
    # Refused before anything changed: no new key beside the old one, the rows as they were.
    assert not next_key_file(settings.security.key_file).exists()
    assert settings.security.key_file.read_text() == first_key
    assert read_back(settings) == ("150627196505150016", "13800138000", [PHOTO])

    assert rotate_key(settings, say=said.append) == 0  # the service stopped: it goes ahead
    assert settings.security.key_file.read_text() != first_key


def test_with_the_key_in_the_environment_the_command_says_how_to_give_both_keys(
    tmp_path: Path,
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SECURITY", "DATABASE"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "SECURITY__DATA_KEY": "A" * 43 + "=",
        "FILES__DIR": str(tmp_path / "files"),
        "DATA_DIR": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "db", "rotate-key"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "SECURITY__OLD_DATA_KEYS" in run.stdout
