"""Staff commands of the end of the journey, run as a clerk would, on a sandbox database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parents[2] / "main.py"


def _run(tmp: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TELEGRAM_TOKEN")}
    env["DATABASE__URL"] = "sqlite:///data/sandbox.db"
    env["FILES__DIR"] = "data/sandbox/files"
    return subprocess.run(
        [sys.executable, str(MAIN), *args],
        input=stdin,
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ratings_report_notice_view_and_closing_a_follow_up(tmp_path: Path) -> None:
    assert _run(tmp_path, "demo", "--sandbox").returncode == 0
    account = ("staff", "user", "add", "--username", "李", "--role", "clerk", "--password-stdin")
    added = _run(tmp_path, *account, stdin="a long password\n")
    assert added.returncode == 0 and "（窗口综合受理）" in added.stdout  # the role in words
    report = _run(tmp_path, "staff", "ratings", "--json", "--as", "李")
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["summary"]["total"] == 1 and data["summary"]["bad"] == 1
    row = data["ratings"][0]
    assert row["level"] == "dissatisfied" and row["followup_status"] == "done"
    text = _run(tmp_path, "staff", "ratings", "--as", "李").stdout
    assert "不满意 1" in text and "已回访" in text
    notice = _run(tmp_path, "staff", "notice", row["case_number"], "--as", "李")
    assert "已签字" in notice.stdout
    assert re.search(r"[0-9a-f]{12}", notice.stdout) is None  # no hash of the notice's version
    show = _run(tmp_path, "staff", "show", row["case_number"], "--as", "李")
    assert show.returncode == 0, show.stderr
    assert "结果告知：" in show.stdout and "已签字" in show.stdout  # the clerk's case view
    again = _run(
        tmp_path, "staff", "followup", str(row["followup_task"]), "--outcome", "x", "--as", "李"
    )
    assert again.returncode == 2 and "未能完成" in again.stderr  # already closed
