"""`python main.py demo --sandbox` on a fresh directory: a whole case, offline, quickly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parents[2] / "main.py"


def test_the_sandbox_demo_runs_a_whole_case_and_leaves_the_notice(tmp_path: Path) -> None:
    # The defaults as an operator has them (the card reading on: the tests switch it off).
    unset = ("DATABASE_URL", "TELEGRAM_TOKEN", "OCR__ENABLED")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    done = subprocess.run(
        [sys.executable, str(MAIN), "demo", "--sandbox"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for step in ("已提交，办件编号", "受理登记", "结果告知单", "签字成功", "回访", "网办事项"):
        assert step in out, step
    notice = next(line for line in out.splitlines() if line.startswith("告知单文件："))
    path = Path(notice.split("：", 1)[1].strip())
    assert path.read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "data" / "sandbox.db").exists()
    assert not (tmp_path / "data" / "app.db").exists()  # the real store is never touched
