"""Telegram channel throughput against a loopback Bot API server (its own process).

1. Updates per second through the full stack (update -> our handlers -> conversation service
   -> SQLite -> replies) beside a bare python-telegram-bot echo bot, same server, same run.
   Goal: full stack >= 0.5 x echo.
2. Push throughput of the push sender under Telegram's limits (30/s overall, 1/s per chat),
   with the server enforcing them: goal within 5% of 30/s and no 429 caused by our pacing.

    .venv/bin/python benchmarks/telegram_channel.py [--users 200] [--pushes 450]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import TOKEN  # noqa: E402
from tests.fake_bot_api import updates as u  # noqa: E402

ID_NUMBER = "150627196505150016"


class Server:
    """The loopback Bot API server in a child process, driven over its control endpoints."""

    def __init__(self, limits: bool = False) -> None:
        args = [sys.executable, "-m", "tests.fake_bot_api"]
        self.proc = subprocess.Popen(
            [*args, "--limits"] if limits else args, cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def queue(self, updates: list[dict]) -> None:
        body = json.dumps(updates).encode()
        request = urllib.request.Request(
            f"{self.url}/_control/updates", body, {"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request).read()

    async def stats(self) -> dict:
        def get() -> dict:
            return json.loads(urllib.request.urlopen(f"{self.url}/_control/stats").read())

        return await asyncio.to_thread(get)

    async def wait(self, done, timeout: float = 600) -> dict:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = await self.stats()
            if done(stats):
                return stats
            await asyncio.sleep(0.02)
        raise TimeoutError("benchmark did not finish")

    def send_times(self) -> list[float]:
        url = f"{self.url}/_control/stats?times=1"
        return json.loads(urllib.request.urlopen(url).read())["send_times"]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()


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


async def echo_bot(server: Server, updates: list[dict], pool: int = 64) -> float:
    """A bare echo bot. By default with the full stack's HTTP connection pool and number of
    updates handled at once (bot.app.build_application: 64; bot.polling.Poller: 64), so the
    two compare like with like. PTB's own default (256 connections) made this figure swing
    between ~120 and ~340 updates/s from run to run: httpcore checks every pooled connection
    on each request, so a run that happened to open many connections was ~2.5x slower."""
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

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{server.url}/bot")
        .base_file_url(f"{server.url}/file/bot")
        .concurrent_updates(pool)
        .connection_pool_size(pool)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    before = (await server.stats())["sent"]
    server.queue(updates)
    async with app:
        started = time.perf_counter()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        await app.start()
        await server.wait(lambda s: s["sent"] - before >= len(updates))
        elapsed = time.perf_counter() - started
        await app.updater.stop()
        await app.stop()
    return len(updates) / elapsed


async def full_stack(server: Server, updates: list[dict], tmp: Path) -> tuple[float, int]:
    from pydantic import SecretStr

    from app.settings import Settings
    from bot.app import serve
    from cases.db import Database
    from cases.files import FileStore
    from dialogs.service import ConversationService
    from tests.cases.databases import vault_for_tests

    settings = Settings()
    settings.telegram.api_base = f"{server.url}/bot"
    settings.telegram.token = SecretStr(TOKEN)
    settings.telegram.polling_timeout = 1
    db = Database(f"sqlite:///{tmp / 'bench.db'}", vault=vault_for_tests())
    await db.create_all()
    service = ConversationService(db, settings)
    store = FileStore(tmp / "files", settings.files.max_bytes, vault=db.require_vault())
    stop, ready = asyncio.Event(), asyncio.Event()
    before = (await server.stats())["sent"]
    server.queue(updates)
    task = asyncio.create_task(serve(settings, service, db, store, stop, ready=ready))
    await ready.wait()
    started = time.perf_counter()
    stats = await server.wait(lambda s: s["pending"] == 0)
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    await db.close()
    return len(updates) / elapsed, stats["sent"] - before


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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--pushes", type=int, default=450)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server = Server()
        try:
            # Warm both paths once (imports, jieba, connections) before measuring.
            await echo_bot(server, journey_updates(10_000, 5))
            await full_stack(server, journey_updates(20_000, 5), tmp)
            echo = await echo_bot(server, journey_updates(100_000, args.users))
            # The best an echo bot does on loopback: a small pool, as little scanning as can be.
            echo_small = await echo_bot(server, journey_updates(150_000, args.users), pool=8)
            ours, replies = await full_stack(server, journey_updates(200_000, args.users), tmp)
        finally:
            server.close()
        n = args.users * 5
        print(f"updates: {n} ({args.users} applicants x 5: /start, 2 buttons, name, ID number)")
        print(
            f"bare PTB echo bot      : {echo:8.1f} updates/s (1 reply each; 64 connections"
            " and 64 updates at once, as the full stack)"
        )
        print(f"same, 8 connections    : {echo_small:8.1f} updates/s (its best on loopback)")
        print(
            f"full stack             : {ours:8.1f} updates/s "
            f"({replies / n:.2f} messages sent each)"
        )
        print(f"ratio full/echo        : {ours / echo:8.2f}   (goal >= 0.5)")
        print(
            f"ratio full/echo, 8 conn: {ours / echo_small:8.2f}   (the full stack makes 2.2 API"
            " calls per update, the echo 1)"
        )
        push = await pushes(args.pushes, tmp)
        print(
            f"push sender            : {push['steady']:8.2f} messages/s steady, "
            f"{push['rate']:.2f} with the tail, for {push['sent']} (goal 28.5-30)\n"
            f"429s from the server's limits: {push['violations']}, "
            f"429s received: {push['retry_after']}"
        )


if __name__ == "__main__":
    asyncio.run(main())
