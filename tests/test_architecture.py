"""The shape of the code, checked on every run (issue 11): arrows point down only (the
import-linter contracts in pyproject.toml), imports at the top of modules, small modules and
simple functions. A failure names the module or function to split."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "app",
    "policy",
    "locales",
    "cases",
    "dialogs",
    "documents",
    "integrations",
    "aftercare",
    "bot",
    "console",
    "staffweb",
    "runtime",
    "commands",
)
MAX_LINES = 300
# Migrations are history: written once, never edited, so their size says nothing.
EXEMPT = ("cases/migrations/",)
# Imports inside functions, where they buy start-up time and memory:
LAZY_IMPORTS_ALLOWED = (
    # each command imports what it needs, so `main.py --help` loads no package
    "commands/",
    # the composition root builds each part on first use: a staff command never loads
    # the Telegram library, the NLU or the OCR model
    "runtime/services.py",
    # jieba costs ~0.6 s and ~90 MiB: loaded when the first free text needs it
    "dialogs/nlu_jieba.py",
    # Alembic costs ~0.14 s (more on a busy machine): imported only when a migration runs,
    # not for the one-query "already at head" check of every staff command
    "cases/migrate.py",
    # the JSON columns' PostgreSQL type, imported when a PostgreSQL database asks for it (the
    # dialect is loaded by then): a command on SQLite never loads the PostgreSQL dialect
    "cases/tables/base.py",
)


def modules() -> list[Path]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not rel.startswith(EXEMPT):
                found.append(path)
    return [*found, ROOT / "main.py"]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_layers_hold():
    """import-linter: channels → conversation → record → rules, never upwards."""
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_no_module_is_over_300_lines():
    long = {rel(p): n for p in modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_no_function_is_more_complex_than_c():
    complex_ = {
        f"{rel(p)}:{block.lineno} {block.name}": f"{cc_rank(block.complexity)} "
        f"({block.complexity})"
        for p in modules()
        for block in cc_visit(p.read_text())
        if cc_rank(block.complexity) not in "ABC"
    }
    assert complex_ == {}


def test_imports_are_at_the_top_of_modules():
    """Imports inside functions hide cycles and lose types; only the command modules keep
    them, for start-up time."""
    inside = []
    for path in modules():
        if rel(path).startswith(LAZY_IMPORTS_ALLOWED) or path.name == "main.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                inside += [
                    f"{rel(path)}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                ]
    assert inside == []
