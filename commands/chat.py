"""`python main.py chat` and `python main.py start`: the console channel.

chat                       the journey in a terminal, in Chinese (choices by number or label,
                           files by path); pushes are shown as they arrive
chat --json --user ID      one JSON object per stdin line in, one JSON line out per input
start                      the offline default: apply migrations on the embedded database and
                           run the console chat (the README's start command)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runtime.services import Services


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chat = subparsers.add_parser(
        "chat", help="在终端办理 · the applicant conversation in a terminal (or JSON lines)"
    )
    chat.add_argument("--json", action="store_true", help="JSON lines in and out, for scripts")
    chat.add_argument("--user", default="console", help="the applicant's id on this channel")
    chat.add_argument(
        "--inbox",
        type=Path,
        metavar="DIR",
        help='JSON mode: {"file": NAME} reads NAME from this folder only (else send '
        '{"file": {"name": ..., "base64": ...}})',
    )
    chat.add_argument(
        "--documents",
        type=Path,
        metavar="DIR",
        help="where the documents sent to you (notice, forms) are saved to be opened "
        "(default: a private temporary folder; the data folder keeps them encrypted)",
    )
    chat.add_argument(
        "--today", type=date.fromisoformat, help="pretend today is YYYY-MM-DD (training, tests)"
    )
    chat.set_defaults(func=run_chat)

    start = subparsers.add_parser(
        "start", help="离线启动：迁移数据库并开始对话 · offline default: migrate and chat"
    )
    start.add_argument("--user", default="console", help="the applicant's id on this channel")
    start.set_defaults(func=run_start, json=False, today=None)


def _clock(today: date | None):  # type: ignore[no-untyped-def]
    if today is None:
        return None
    from datetime import UTC, time

    fixed = datetime.combine(today, time(4, 0), tzinfo=UTC)  # noon in China
    return lambda: fixed


def run_chat(args: argparse.Namespace) -> int:
    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from runtime.services import Services

    settings = load_settings()
    # Logs go to stderr and stay quiet: stdout is the conversation (or the JSON stream).
    setup_logging("WARNING")
    # The composition root; on the embedded default this applies the migrations.
    services = Services.build(settings, clock=_clock(args.today))
    try:
        return asyncio.run(_chat(services, args))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


async def _chat(services: Services, args: argparse.Namespace) -> int:
    from console.chat import run_console

    try:
        inbox = getattr(args, "inbox", None)
        documents = getattr(args, "documents", None)
        return await run_console(
            services, json_mode=args.json, user_id=args.user, inbox=inbox, documents=documents
        )
    finally:
        await services.aclose()


def run_start(args: argparse.Namespace) -> int:
    # open_database applies the migrations on the embedded SQLite default.
    return run_chat(args)
