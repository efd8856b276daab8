"""A bad setting stops a command at once with one plain line per bad value (exit 2), never a
traceback; good spellings an operator uses are taken."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

MAIN = Path(__file__).resolve().parents[1] / "main.py"
KEY = "A" * 43 + "="  # 32 bytes, urlsafe base64


def staff_queue(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "TELEGRAM", "PLATFORM"))
    }
    return subprocess.run(
        [sys.executable, str(MAIN), "staff", "queue", "--as", "李娜"],
        cwd=tmp_path,
        env={**clean, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_each_bad_value_is_named_on_one_line_and_nothing_runs(tmp_path: Path) -> None:
    done = staff_queue(
        tmp_path,
        LOG_LEVEL="LOUD",
        TELEGRAM__LISTEN_PORT="99999",
        PLATFORM__MODE="htp",
        RUNTIME__LEADER_RETRY_SECONDS="0",
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0] == "配置有误 · bad configuration:"
    named = {line.split("=")[0].strip() for line in lines[1:]}
    assert named == {
        "LOG_LEVEL",
        "TELEGRAM__LISTEN_PORT",
        "PLATFORM__MODE",
        "RUNTIME__LEADER_RETRY_SECONDS",
    }
    assert not (tmp_path / "app.db").exists()  # stopped before touching anything


def test_a_lower_case_log_level_is_fine(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "TELEGRAM"))}
    account = subprocess.run(
        [sys.executable, str(MAIN), "staff", "user", "add", "--username", "李娜",
         "--role", "clerk", "--password-stdin"],
        input="a long password\n", cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**clean, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"},
    )  # fmt: skip
    assert account.returncode == 0, account.stderr
    done = staff_queue(tmp_path, LOG_LEVEL="warning")
    assert done.returncode == 0, done.stderr


# Bad values an operator could write, one per setting kind: (variable, value).
BAD_VALUES = [
    ("LOG_LEVEL", "LOUD"),
    ("LOG_FORMAT", "xml"),
    ("DEFAULT_LANGUAGE", "fr"),
    ("DATABASE__URL", "mysql://root:hunter2@db/app"),
    ("FILES__BACKEND", "nfs"),
    ("FILES__MAX_BYTES", "-1"),
    ("SECURITY__DATA_KEY", "not-a-key"),
    ("SECURITY__OLD_DATA_KEYS", "A" * 43 + "=,short"),
    ("TELEGRAM__MODE", "hook"),
    ("TELEGRAM__LISTEN_PORT", "70000"),
    ("TELEGRAM__API_BASE", "api.telegram.org/bot"),
    ("TELEGRAM__WEBHOOK_PATH", "telegram"),
    ("TELEGRAM__WEBHOOK_URL", "ftp://example.org/hook"),
    ("TELEGRAM__POLLING_TIMEOUT", "soon"),
    ("PLATFORM__MODE", "htp"),
    ("PLATFORM__URL", "127.0.0.1:8780"),
    ("PLATFORM__TIMEOUT_SECONDS", "0"),
    ("OFFICE_HOURS__MORNING_START", "8h30"),
    ("OFFICE_HOURS__AFTERNOON_END", "25:00"),
    ("OFFICE_HOURS__TIMEZONE", "Mars/Olympus"),
    ("SERVICE__REMINDER_DAYS_BEFORE", "-5"),
    ("RUNTIME__STATUS_PORT", "65536"),
    ("RUNTIME__READY_LAG_SECONDS", "-1"),
    ("WEB__SECURE_COOKIE", "perhaps"),
    ("WEB__IDLE_MINUTES", "0"),
    ("WEB__PAGE_SIZE", "many"),
    ("OCR__ENABLED", "maybe"),
]

# Every command that reads the settings stops on them the same way.
COMMANDS = [
    ["staff", "queue", "--as", "李娜"],
    ["web", "--port", "8799"],
    ["run"],
    ["db", "upgrade"],
    ["aftercare", "tick"],
    ["chat"],
]


def main_py(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in ("PATH", "HOME")}
    return subprocess.run(
        [sys.executable, str(MAIN), *args],
        cwd=tmp_path,
        env={**clean, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", **env},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_bad_value_is_one_line_for_every_command(tmp_path: Path, command: list[str]) -> None:
    done = main_py(tmp_path, command, dict(BAD_VALUES))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0] == "配置有误 · bad configuration:"
    named = [line.strip().split(":")[0].split("=")[0] for line in lines[1:]]
    assert sorted(named) == sorted(name for name, _ in BAD_VALUES)
    assert "hunter2" not in done.stderr and "not-a-key" not in done.stderr  # never echoed
    assert not (tmp_path / "app.db").exists()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "oracle://scott:tiger@db/app"}, "DATABASE_URL"),
        ({"TELEGRAM_API_BASE": "localhost:8081/bot"}, "TELEGRAM_API_BASE"),
        ({"OFFICE_HOURS__MORNING_END": "15:00"}, "OFFICE_HOURS"),  # after the afternoon opens
    ],
)
def test_flat_aliases_and_office_hours_in_order(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    done = main_py(tmp_path, ["staff", "queue", "--as", "李娜"], env)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "tiger" not in done.stderr
    assert done.stderr.splitlines()[1].strip().startswith(f"{named}:"), done.stderr


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_bad_port_argument_is_one_line(tmp_path: Path, port: str) -> None:
    done = main_py(tmp_path, ["web", "--port", port], {})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].endswith(f"'{port}' is not a port (1 to 65535)")


def test_an_unreadable_key_file_and_an_unreachable_database_are_one_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "secret.key").write_text("this is not a key\n")
    done = main_py(
        tmp_path, ["staff", "queue", "--as", "李娜"], {"SECURITY__KEY_FILE": "secret.key"}
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "not urlsafe base64" in done.stderr

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    for command in (["staff", "queue", "--as", "李娜"], ["db", "upgrade"]):
        url = f"postgresql://someone:pw@127.0.0.1:{closed}/app"
        done = main_py(tmp_path, command, {"DATABASE_URL": url, "SECURITY__DATA_KEY": KEY})
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith("数据库无法连接 · database unreachable:")
