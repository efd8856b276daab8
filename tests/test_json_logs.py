"""LOG_FORMAT=json: one JSON object per line, every field masked as the text logs are."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from app.logging_setup import JsonFormatter

MAIN = Path(__file__).resolve().parents[1] / "main.py"


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("bot.channel", logging.WARNING, __file__, 1, message, args, exc_info)


def test_a_record_is_one_masked_json_object() -> None:
    try:
        raise ValueError("ID 150627196505150016 refused")
    except ValueError as exc:
        record = _record("phone %s from %s", "１３８００１３８０００", "王芳\n第二行", exc=exc)
    line = JsonFormatter().format(record)
    assert "\n" not in line  # one line, whatever the message holds
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "bot.channel"
    assert entry["message"] == "phone 138****8000 from 王芳\n第二行"  # Chinese stays readable
    assert "1506**********0016" in entry["exception"]
    assert "196505150016" not in line and "８０００" not in line
    assert entry["time"].endswith("+00:00")


def test_commands_log_json_lines_when_asked(tmp_path: Path) -> None:
    """The first start creates the data key and says so: as a JSON line on stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "SECURITY", "DATA"))}
    done = subprocess.run(
        [sys.executable, str(MAIN), "db", "upgrade"],
        cwd=tmp_path,
        env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "LOG_FORMAT": "JSON"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in done.stderr.strip().splitlines()]
    assert any("Created a new data key" in e["message"] for e in entries)
    assert all(e["level"] in {"INFO", "WARNING"} for e in entries)
