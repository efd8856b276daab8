"""`python main.py run`: serve applicants on Telegram."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="serve applicants on Telegram (long polling by default, or a webhook)",
        description="Needs TELEGRAM_TOKEN. TELEGRAM_API_BASE points at a self-hosted Bot API "
        "server. Webhook mode: TELEGRAM__MODE=webhook, TELEGRAM__WEBHOOK_URL, "
        "TELEGRAM__WEBHOOK_SECRET, TELEGRAM__WEBHOOK_PATH, TELEGRAM__LISTEN_PORT.",
    )
    parser.add_argument("--mode", choices=["polling", "webhook"], help="overrides TELEGRAM__MODE")
    parser.add_argument(
        "--no-push",
        action="store_true",
        help="do not run the push sender here (with several workers, run it in one only: "
        "Telegram's 30 messages/s is one budget for the whole bot)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from bot.config import BotConfigError, check_token, check_webhook

    settings = load_settings()
    if args.mode:
        settings.telegram.mode = args.mode
    setup_logging(settings.log_level)
    try:
        check_token(settings.telegram.token.get_secret_value())
        check_webhook(settings.telegram)
    except BotConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from cases.db import open_database

    db = open_database(settings)  # migrates the embedded SQLite database, outside any loop
    try:
        return asyncio.run(_serve(settings, db, push=not args.no_push))
    finally:
        db.close_blocking()


async def _serve(settings: object, db: object, *, push: bool) -> int:
    from telegram.error import InvalidToken

    from app.settings import Settings
    from bot.app import serve
    from cases.db import Database
    from cases.files import FileStore
    from dialogs.service import ConversationService

    assert isinstance(settings, Settings) and isinstance(db, Database)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    store = FileStore(settings.files.dir, settings.files.max_bytes)
    service = ConversationService(db, settings)
    try:
        await serve(settings, service, db, store, stop, push=push)
    except InvalidToken:
        print("error: Telegram refused TELEGRAM_TOKEN (revoked or mistyped)", file=sys.stderr)
        return 2
    return 0
