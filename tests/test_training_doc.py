"""docs/training.md covers every staff action (issue 15): every `staff` command (and every
account command) and every page of the staff web console, in Chinese."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from main import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "training.md").read_text("utf-8")
# The console's pages as its routing table declares them (staffweb/app.py make_app).
_GET = re.compile(r'add_get\(\s*"([^"]+)"')


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_staff_command_is_in_the_training():
    staff = _subcommands(build_parser())["staff"]
    commands = _subcommands(staff)
    assert len(commands) >= 10
    for name, parser in commands.items():
        if name == "user":
            for sub in _subcommands(parser):
                assert f"staff user {sub}" in DOC, sub
        else:
            assert f"staff {name}" in DOC, name


def test_every_console_page_is_in_the_training():
    source = (ROOT / "staffweb" / "app.py").read_text("utf-8")
    pages = {p for p in _GET.findall(source) if not p.startswith("/static")}
    pages -= {"/", "/favicon.ico"}
    assert "/queue" in pages and "/inbox" in pages
    for page in pages:
        if "/materials/" in page:  # a material's pages, opened from the case page
            continue
        shown = page.replace("{number}", "办件编号")
        assert f"`{shown}`" in DOC, page


def test_the_training_is_in_chinese():
    chinese = sum(1 for ch in DOC if "\u4e00" <= ch <= "\u9fff")
    assert chinese > 1500
