"""How long a staff command takes, and what the schema check at start-up costs.

    .venv/bin/python benchmarks/staff_cli.py [--runs 10] [--baseline DIR]

Every staff command is a fresh process that opens the database; on the embedded default that
used to run Alembic's upgrade each time (import Alembic, load the scripts, open a migration
context) even when the file was already at head. Now it reads `alembic_version` with one query
and only migrates when behind. Printed:

1. the start-up schema step alone, each in a fresh process on a database already at head:
   the full Alembic upgrade against the cheap check;
2. `python main.py staff queue --as bench` end to end in this tree, against the anchor
   `python -c "import sqlalchemy"` in the same run (the goal: within 2x), and in
   `--baseline DIR` (for instance an older commit: `git archive <commit> | tar -x -C DIR`).
"""

from __future__ import annotations

import argparse
import base64
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY = base64.urlsafe_b64encode(b"b" * 32).decode()

STEP = """
import sys
from cases.db import Database
db = Database(sys.argv[1])
getattr(db, sys.argv[2])()
db.close_blocking()
"""


def _env(database: Path) -> dict[str, str]:
    # Bytecode is written (the warm-up run caches it), as an installed service has it and as
    # the anchor's site-packages do: PYTHONDONTWRITEBYTECODE in a shell would otherwise make
    # every run compile the whole tree from source (~0.3 s CPU, not start-up as staff see it).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "DATABASE_URL": f"sqlite:///{database}", "SECURITY__DATA_KEY": KEY}


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system of the child process

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(cmd: list[str], cwd: Path, env: dict[str, str], runs: int) -> Runs:
    out = Runs()
    for _ in range(runs):
        cpu, started = _cpu(), time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        out.wall.append(time.perf_counter() - started)
        out.cpu.append(_cpu() - cpu)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return out


def _line(label: str, runs: Runs) -> str:
    # CPU time is the steadier figure on a shared machine; wall time is what staff wait.
    return (
        f"  {label:<34} wall median {runs.median * 1000:6.0f} ms "
        f"(min {min(runs.wall) * 1000:5.0f})   "
        f"CPU median {runs.cpu_median * 1000:6.0f} ms   ({len(runs.wall)} runs)"
    )


def staff_queue(tree: Path, work: Path, runs: int) -> Runs:
    """`staff queue` in `tree`, on a database that tree has migrated itself."""
    database = work / f"{tree.name}.db"
    env = _env(database)
    python = sys.executable
    subprocess.run(
        [python, str(tree / "main.py"), "db", "upgrade"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    # The staff commands run as an account (a tree from before accounts ignores this).
    subprocess.run(
        [python, str(tree / "main.py"), "staff", "user", "add", "--username", "bench",
         "--role", "clerk", "--password-stdin"],
        cwd=work, env=env, input=b"a long password\n", capture_output=True,
    )  # fmt: skip
    cmd = [python, str(tree / "main.py"), "staff", "queue", "--as", "bench"]
    _timed(cmd, work, env, 1)  # warm the file cache and the bytecode
    return _timed(cmd, work, env, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--baseline", type=Path, help="another tree to compare with")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        database = work / "step.db"
        env = {**_env(database), "PYTHONPATH": str(ROOT)}
        python = sys.executable
        url = f"sqlite:///{database}"
        subprocess.run([python, "-c", STEP, url, "upgrade_blocking"], env=env, check=True)

        print("start-up schema step on a database at head (fresh process each):")
        steps: dict[str, Runs] = {}
        for method in ("upgrade_blocking", "upgrade_if_behind_blocking"):
            _timed([python, "-c", STEP, url, method], work, env, 1)
            steps[method] = _timed([python, "-c", STEP, url, method], work, env, args.runs)
        floor = _timed([python, "-c", "import cases.db"], work, env, args.runs)
        print(_line("import cases.db only (the floor)", floor))
        print(_line("full Alembic upgrade (before)", steps["upgrade_blocking"]))
        print(_line("one-query check (now)", steps["upgrade_if_behind_blocking"]))
        before_cpu = steps["upgrade_blocking"].cpu_median - floor.cpu_median
        now_cpu = steps["upgrade_if_behind_blocking"].cpu_median - floor.cpu_median
        print(
            f"  schema step, CPU above the floor: {before_cpu * 1000:.0f} ms -> "
            f"{now_cpu * 1000:.0f} ms"
        )

        print("python main.py staff queue --as bench (empty queue, fresh process each):")
        now = staff_queue(ROOT, work, args.runs)
        anchor = _timed([python, "-c", "import sqlalchemy"], work, env, args.runs)
        print(_line("anchor: python -c 'import sqlalchemy'", anchor))
        print(_line(f"this tree ({ROOT})", now))
        print(
            f"  staff queue / import sqlalchemy: CPU {now.cpu_median / anchor.cpu_median:.2f}x, "
            f"wall {now.median / anchor.median:.2f}x   (goal <= 2x)"
        )
        if args.baseline is not None:
            before = staff_queue(args.baseline.resolve(), work, args.runs)
            print(_line(f"baseline ({args.baseline})", before))
            print(
                f"  baseline / this tree: wall {before.median / now.median:.2f}x, "
                f"CPU {before.cpu_median / now.cpu_median:.2f}x"
            )


if __name__ == "__main__":
    main()
