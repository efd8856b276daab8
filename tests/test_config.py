"""A bad setting stops a command at once with one plain line per bad value (exit 2), never a
traceback; good spellings an operator uses are taken."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parents[1] / "main.py"


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
