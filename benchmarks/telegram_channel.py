"""Telegram channel throughput against a loopback Bot API server (its own process).

1. Updates per second through the full stack (update -> our handlers -> conversation service
   -> SQLite -> replies), by polling and by webhook, beside a bare python-telegram-bot echo
   bot, same server, same run; with CPU and Bot API calls per update. Goal: full stack
   >= 0.6 x echo, median of five runs (--runs 5) on a shared machine.
2. Push throughput of the push sender under Telegram's limits (30/s overall, 1/s per chat),
   with the server enforcing them: goal within 5% of 30/s and no 429 caused by our pacing.

    .venv/bin/python benchmarks/telegram_channel.py [--users 200] [--pushes 450] [--runs 5]
        [--pool N]   (the full stack's and the echo bot's connections; default: the setting)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.settings import TelegramSettings  # noqa: E402
from benchmarks.bot_api_process import Server  # noqa: E402
from bot.transport import bot_request  # noqa: E402
from tests.fake_bot_api import TOKEN  # noqa: E402
from tests.fake_bot_api import updates as u  # noqa: E402
from tests.ports import free_port  # noqa: E402

ID_NUMBER = "150627196505150016"
SECRET = "benchmark_webhook_secret"


def journey_updates(first_user: int, users: int) -> list[dict]:
    """Five updates per applicant, as a person starts: /start, language, consent, name, ID."""
    out = []
    for n in range(users):
        who = u.User(first_user + n, "张三")
        out += [
            u.text(who, "/start"),
            u.callback(who, "v1|ask_language|zh_CN"),
            u.callback(who, "v1|ask_consent|agree"),
            u.text(who, "张三"),
            u.text(who, ID_NUMBER),
        ]
    return out


@dataclass
class Figures:
    """One measured run: updates per second, the bot process's CPU per update (steadier
    than the rate on a shared machine) and Bot API calls made per update."""

    rate: float
    cpu_ms: float
    calls: float

    @staticmethod
    def of(n: int, elapsed: float, cpu: float, before: dict, after: dict) -> Figures:
        made = sum(
            count - before["methods"].get(method, 0)
            for method, count in after["methods"].items()
            if method not in SETUP_METHODS
        )
        return Figures(n / elapsed, cpu * 1000 / n, made / n)


# Calls made at start-up and by polling itself, not in answer to an update.
SETUP_METHODS = {"getUpdates", "getMe", "setMyCommands", "deleteWebhook", "setWebhook", "close"}


async def echo_bot(
    server: Server, updates: list[dict], pool: int = 64, *, our_transport: bool = False
) -> Figures:
    """A bare echo bot with as many connections and updates handled at once as the full
    stack (bot.polling.Poller: 64 at once). PTB's own default (256 connections) made this
    figure swing between ~120 and ~340 updates/s from run to run: httpcore checks every
    pooled connection on each request. `our_transport`: over aiohttp's pool, as the full
    stack (bot/transport.py), to show what the transport alone is worth."""
    from telegram import Update
    from telegram.ext import (
        Application,
        CallbackQueryHandler,
        ContextTypes,
        MessageHandler,
        filters,
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "?")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None and update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, update.callback_query.data or "")

    builder = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{server.url}/bot")
        .base_file_url(f"{server.url}/file/bot")
        .concurrent_updates(64)
    )
    if our_transport:
        builder = builder.request(bot_request(pool, read_timeout=30))
    else:
        builder = builder.connection_pool_size(pool).pool_timeout(30)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    before = await server.stats()
    server.queue(updates)
    async with app:
        started, cpu = time.perf_counter(), time.process_time()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        await app.start()
        after = await server.wait(lambda s: s["sent"] - before["sent"] >= len(updates))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        await app.updater.stop()
        await app.stop()
    return Figures.of(len(updates), elapsed, cpu, before, after)


async def full_stack(
    server: Server, updates: list[dict], tmp: Path, *, mode: str = "polling", pool: int = 0
) -> Figures:
    from pydantic import SecretStr

    from app.settings import Settings
    from bot.app import serve
    from cases.db import Database
    from cases.files import FileStore
    from dialogs.service import ConversationService
    from tests.cases.databases import vault_for_tests

    settings = Settings()
    tg = settings.telegram
    tg.api_base, tg.token, tg.polling_timeout = f"{server.url}/bot", SecretStr(TOKEN), 1
    tg.connection_pool_size = pool or tg.connection_pool_size
    if mode == "webhook":
        tg.mode, tg.listen_port = "webhook", free_port()
        tg.webhook_url, tg.webhook_secret = f"http://127.0.0.1:{tg.listen_port}", SecretStr(SECRET)
    db = Database(f"sqlite:///{tmp / 'bench.db'}", vault=vault_for_tests())
    await db.create_all()
    service = ConversationService(db, settings)
    store = FileStore(tmp / "files", settings.files.max_bytes, vault=db.require_vault())
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, service, db, store, stop, ready=ready))
    readying = asyncio.create_task(ready.wait())
    await asyncio.wait([task, readying], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # it did not start: say why
    before = await server.stats()
    server.queue(updates)
    started, cpu = time.perf_counter(), time.process_time()
    after = await server.wait(lambda s: s["pending"] == 0)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    stop.set()
    await task
    await db.close()
    return Figures.of(len(updates), elapsed, cpu, before, after)


async def pushes(count: int, tmp: Path) -> dict:
    from telegram import Bot

    from bot.push_sender import PushLimits, PushSender
    from cases import repositories as repo
    from cases.db import Database
    from locales.replies import Msg, Reply, to_json
    from tests.cases.databases import vault_for_tests

    server = Server(limits=True)  # 30/s overall and 1/s per chat, enforced with 429s
    db = Database(f"sqlite:///{tmp / 'push.db'}", vault=vault_for_tests())
    await db.create_all()

    def enqueue(session) -> None:  # type: ignore[no-untyped-def]
        for n in range(count // 2):
            applicant = repo.get_or_create_applicant(session, "telegram", str(900_000 + n))
            for k in range(2):  # two per chat: the per-chat limit matters too
                reply = Reply(Msg("dialogs.pages_received", {"name": str(n), "count": k}))
                repo.enqueue_notification(session, applicant.id, to_json(reply), f"b-{n}-{k}")

    await db.run(enqueue)
    try:
        async with Bot(TOKEN, base_url=f"{server.url}/bot") as bot:
            stats = await PushSender(bot, db, PushLimits(30, 1)).run(until_empty=True)
        seen = await server.stats()
        times = server.send_times()
    finally:
        server.close()
        await db.close()
    span = seen["last_send"] - seen["first_send"]
    # The last chats' second messages must wait a second for their own chat: a tail that
    # says nothing about the overall pace. The steady rate leaves out the last 5%.
    steady = times[: int(len(times) * 0.95)]
    return {
        "sent": seen["sent"],
        "rate": (seen["sent"] - 1) / span,
        "steady": (len(steady) - 1) / (steady[-1] - steady[0]),
        "violations": seen["limit_violations"],
        "retry_after": stats.retry_after,
    }


@dataclass
class Run:
    echo: Figures  # the full stack's pool size
    echo_ours: Figures  # the echo bot over the full stack's transport (bot/transport.py)
    polling: Figures
    webhook: Figures


async def one_run(server: Server, users: int, pool: int, tmp: Path, n: int) -> Run:
    base = 100_000 * (n + 1)
    return Run(
        await echo_bot(server, journey_updates(base, users), pool),
        await echo_bot(server, journey_updates(base + 20_000, users), pool, our_transport=True),
        await full_stack(server, journey_updates(base + 40_000, users), tmp, pool=pool),
        await full_stack(
            server, journey_updates(base + 60_000, users), tmp, mode="webhook", pool=pool
        ),
    )


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} (runs: {', '.join(f'{v:.2f}' for v in values)})"


def report(runs: list[Run], users: int, pool: int) -> None:
    last = runs[-1]
    print(f"updates: {users * 5} per figure ({users} applicants x 5: /start, 2 buttons, name, ID)")
    print(f"{len(runs)} run(s); each line: median (every run). Pool: {pool} connections.")
    for name, pick in [
        ("echo bot, PTB's transport", lambda r: r.echo),
        ("echo bot, our transport", lambda r: r.echo_ours),
        ("full stack, polling", lambda r: r.polling),
        ("full stack, webhook", lambda r: r.webhook),
    ]:
        print(f"{name:28}: {spread([pick(r).rate for r in runs])} updates/s")
        cpu = statistics.median(pick(r).cpu_ms for r in runs)
        print(f"{'':28}  {cpu:6.2f} ms CPU per update, {pick(last).calls:.2f} API calls each")
    for name, ratio in [
        ("polling/echo (goal >= 0.6)", lambda r: r.polling.rate / r.echo.rate),
        ("webhook/echo", lambda r: r.webhook.rate / r.echo.rate),
        ("polling/echo, our transport", lambda r: r.polling.rate / r.echo_ours.rate),
        ("CPU per update, echo/polling", lambda r: r.echo.cpu_ms / r.polling.cpu_ms),
    ]:
        print(f"ratio {name:28}: {spread([ratio(r) for r in runs])}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--pushes", type=int, default=450)
    parser.add_argument("--runs", type=int, default=1, help="5 on a shared machine: medians")
    parser.add_argument("--pool", type=int, default=0, help="connections; 0: the setting")
    args = parser.parse_args()
    pool = args.pool or TelegramSettings().connection_pool_size
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server = Server()
        try:
            # Warm every path once (imports, jieba, connections) before measuring.
            await one_run(server, 5, pool, tmp, 0)
            runs = [
                await one_run(server, args.users, pool, tmp, n) for n in range(1, args.runs + 1)
            ]
        finally:
            server.close()
        report(runs, args.users, pool)
        if args.pushes:
            push = await pushes(args.pushes, tmp)
            print(
                f"push sender: {push['steady']:8.2f} messages/s steady, "
                f"{push['rate']:.2f} with the tail, for {push['sent']} (goal 28.5-30)\n"
                f"429s from the server's limits: {push['violations']}, "
                f"429s received: {push['retry_after']}"
            )


if __name__ == "__main__":
    asyncio.run(main())
