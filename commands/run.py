"""`python main.py run`: serve applicants on Telegram, with every background worker of the
deployment under one supervisor (see runtime.supervisor). Start it on one machine or on
several against one PostgreSQL database: all take in updates, one leads the rest."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import TYPE_CHECKING

from app import event_loop

if TYPE_CHECKING:
    from runtime.services import Services


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="serve applicants on Telegram (long polling by default, or a webhook)",
        description="Needs TELEGRAM_TOKEN. TELEGRAM_API_BASE points at a self-hosted Bot API "
        "server. Webhook mode: TELEGRAM__MODE=webhook, TELEGRAM__WEBHOOK_URL, "
        "TELEGRAM__WEBHOOK_SECRET, TELEGRAM__WEBHOOK_PATH, TELEGRAM__LISTEN_PORT. "
        "Several processes may serve one PostgreSQL database: one of them (the leader) also "
        "sends the pushes, relays cases to the approval platform and runs aftercare.",
    )
    parser.add_argument("--mode", choices=["polling", "webhook"], help="overrides TELEGRAM__MODE")
    parser.add_argument(
        "--no-push",
        action="store_true",
        help="never send pushes from this process, even when it leads (opt-out)",
    )
    parser.set_defaults(func=run)

    doctor = subparsers.add_parser(
        "doctor",
        help="检查部署：配置、数据库、密钥、文件存储、Bot API · check a deployment",
        description="One line per check (Chinese · English); exit 1 when any fails. Looks "
        "only: never migrates, never creates a key or a database.",
    )
    doctor.set_defaults(func=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    from runtime.doctor import FAILED, examine

    failed = False
    for finding in examine():
        print(finding.line(), flush=True)
        failed = failed or finding.mark == FAILED
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from bot.config import BotConfigError, check_token, check_webhook

    settings = load_settings()
    if args.mode:
        settings.telegram.mode = args.mode
    setup_logging(settings.log_level, settings.log_format)
    try:
        check_token(settings.telegram.token.get_secret_value())
        check_webhook(settings.telegram)
    except BotConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from runtime.services import Services

    services = Services.build(settings)  # migrates the embedded SQLite database, outside a loop
    try:
        return event_loop.run(_serve(services, push=not args.no_push))  # uvloop if installed
    finally:
        services.close_blocking()


async def _serve(services: Services, *, push: bool) -> int:
    from telegram.error import InvalidToken

    from bot.config import BotConfigError
    from runtime.leader import leadership_for
    from runtime.supervisor import Supervisor
    from runtime.workers import background, telegram_intake

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    supervisor = Supervisor(
        [telegram_intake(services), *background(services, push=push)],
        leadership_for(services.db, services.settings.runtime.leader_retry_seconds),
        fatal=(InvalidToken, BotConfigError),
    )
    if services.settings.runtime.status_port:
        from runtime.status import StatusServer
        from runtime.supervisor import Worker

        status = StatusServer(services, supervisor)
        supervisor.workers.append(Worker("status", status.run))
    try:
        await supervisor.run(stop)
    except InvalidToken:
        print("error: Telegram refused TELEGRAM_TOKEN (revoked or mistyped)", file=sys.stderr)
        return 2
    except BotConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
