"""Composition of the Telegram channel: the PTB Application, our handlers, polling or the
webhook, and the push sender. `serve` runs it all until `stop` is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application

from app.settings import Settings, TelegramSettings
from bot.callback_answers import CallbackAnswers
from bot.channel import ConversationPort, TelegramChannel
from bot.config import api_urls, check_token, check_webhook
from bot.handlers import Deps, register_handlers
from bot.intake import Intake
from bot.menu import set_menu
from bot.polling import Poller
from bot.push_sender import PushLimits, PushSender
from bot.shared_intake import SharedIntake
from bot.transport import bot_request
from bot.uploads import UploadFetcher
from bot.webhook import WebhookServer, public_url
from cases import repositories as repo
from cases.db import Database
from cases.files import FileStore
from cases.models import utcnow
from cases.repositories import inbound

log = logging.getLogger(__name__)


@dataclass
class BotRuntime:
    application: Application
    intake: Intake
    channel: TelegramChannel
    answers: CallbackAnswers


def build_application(token: str, settings: TelegramSettings) -> Application:
    """PTB Application pointed at Telegram, a self-hosted Bot API server or a loopback one.
    No Updater (we poll ourselves, see bot.polling) and no persistence (the database is
    the record)."""
    base_url, base_file_url = api_urls(settings)
    return (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .updater(None)
        .request(bot_request(settings.connection_pool_size, read_timeout=30, connect_timeout=5))
        .get_updates_request(bot_request(2, read_timeout=30, connect_timeout=5))
        .build()
    )


def build_runtime(
    settings: Settings, service: ConversationPort, store: FileStore, token: str
) -> BotRuntime:
    application = build_application(token, settings.telegram)
    intake = Intake(application, album_wait=settings.telegram.album_wait_seconds)
    channel = TelegramChannel(service, store)
    fetcher = UploadFetcher(store, settings.files.max_bytes)
    answers = CallbackAnswers()
    register_handlers(application, Deps(channel, intake, fetcher, answers))
    return BotRuntime(application, intake, channel, answers)


async def forget_old_updates(db: Database) -> int:
    """Drop processed-update marks older than two days: Telegram keeps an update for 24
    hours at most, and after a quiet week it may restart its ids at random, so old marks
    would only ever drop a new update by mistake. (The runtime's clean-up runs this.)
    Also drops what killed workers left in the shared intake (bot/shared_intake.py)."""
    await db.run(inbound.forget_stale_inbound, utcnow() - timedelta(hours=1))
    return await db.run(repo.forget_processed_updates, utcnow() - timedelta(days=2))


def push_limits(settings: TelegramSettings) -> PushLimits:
    return PushLimits(settings.max_messages_per_second, settings.max_messages_per_chat_per_second)


async def serve(
    settings: Settings,
    service: ConversationPort,
    db: Database,
    store: FileStore,
    stop: asyncio.Event,
    *,
    ready: asyncio.Event | None = None,
) -> None:
    """Take in updates (polling or the webhook) and answer them until `stop` is set. Raises
    BotConfigError on a bad configuration and InvalidToken when Telegram refuses the token.
    Pushes are not sent here: the push sender runs once per deployment (`push_worker`)."""
    tg = settings.telegram
    token = check_token(tg.token.get_secret_value())
    check_webhook(tg)
    runtime = build_runtime(settings, service, store, token)
    application, bot = runtime.application, runtime.application.bot
    await application.initialize()  # getMe: a wrong token fails here, loudly
    await application.start()
    poller: Poller | None = None
    webhook: WebhookServer | None = None
    polling: asyncio.Task[None] | None = None
    sweeping: asyncio.Task[None] | None = None
    try:
        await set_menu(bot)
        if tg.mode == "webhook":
            secret = tg.webhook_secret.get_secret_value()
            webhook = WebhookServer(
                bot,
                runtime.intake,
                runtime.answers,
                path=tg.webhook_path,
                secret=secret,
                host=tg.listen_host,
                port=tg.listen_port,
            )
            sweeping = share_intake(runtime, db, tg, stop)
            await webhook.start()
            await bot.set_webhook(
                public_url(tg.webhook_url, tg.webhook_path),
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            # A webhook left from an earlier deployment would make getUpdates fail (409).
            await bot.delete_webhook()
            poller = Poller(bot, runtime.intake, timeout=tg.polling_timeout)
            polling = asyncio.create_task(poller.run(), name="poller")
        log.info("bot @%s serving in %s mode", bot.username, tg.mode)
        if ready is not None:
            ready.set()
        stopping = asyncio.create_task(stop.wait())
        waits: list[asyncio.Future[Any]] = [stopping] + ([polling] if polling else [])
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if polling is not None and polling.done():
            polling.result()  # a crashed poller ends the channel with its error
    finally:
        if poller is not None:
            poller.stop()
        if polling is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await polling
        if webhook is not None:
            await webhook.stop()  # Telegram keeps the webhook: other workers may serve it
        if runtime.intake.shared is not None:
            await runtime.intake.shared.close()  # unhandled album parts wait in the database
        if sweeping is not None:
            sweeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeping
        await application.stop()
        await application.shutdown()


def share_intake(
    runtime: BotRuntime, db: Database, tg: TelegramSettings, stop: asyncio.Event
) -> asyncio.Task[None] | None:
    """Webhook workers on PostgreSQL may be several behind one front: they keep each
    applicant's order and gather albums through the database (bot/shared_intake.py). Returns
    the task sweeping up albums left by killed workers."""
    if db.dialect != "postgresql":
        return None  # SQLite: one process takes in updates
    intake = runtime.intake
    intake.shared = SharedIntake(
        db,
        runtime.application.bot,
        intake.handle_parts,
        album_wait=tg.album_wait_seconds,
        order_wait=tg.order_wait_seconds,
    )
    return asyncio.create_task(intake.shared.sweep(stop), name="album-sweep")


def build_push_bot(settings: TelegramSettings, token: str) -> Bot:
    """A Bot of the push sender's own (its own connection pool): the sender runs in one
    process of the deployment, not necessarily one that takes in updates."""
    base_url, base_file_url = api_urls(settings)
    request = bot_request(16, read_timeout=30, connect_timeout=10)
    return Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)


async def push_worker(
    settings: Settings, db: Database, files: FileStore, stop: asyncio.Event
) -> None:
    """Deliver the notification outbox until `stop` is set (once per deployment). Documents
    come from the deployment's file store (shared when there are several machines)."""
    tg = settings.telegram
    bot = build_push_bot(tg, check_token(tg.token.get_secret_value()))
    await bot.initialize()
    sender = PushSender(bot, db, push_limits(tg), files=files)
    run = asyncio.create_task(sender.run(), name="push-sender")
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([run, stopping], return_when=asyncio.FIRST_COMPLETED)
    finally:
        sender.stop()
        stopping.cancel()
        try:
            await run
        finally:
            await bot.shutdown()
