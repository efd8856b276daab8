"""Composition of the Telegram channel: the PTB Application, our handlers, polling or the
webhook, and the push sender. `serve` runs it all until `stop` is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from telegram import Update
from telegram.ext import Application

from app.settings import Settings, TelegramSettings
from bot.channel import ConversationPort, TelegramChannel
from bot.config import api_urls, check_token, check_webhook
from bot.handlers import Deps, register_handlers
from bot.intake import Intake
from bot.menu import set_menu
from bot.polling import Poller
from bot.push_sender import PushLimits, PushSender
from bot.uploads import UploadFetcher
from bot.webhook import WebhookServer, public_url
from cases.db import Database
from cases.files import FileStore

log = logging.getLogger(__name__)


@dataclass
class BotRuntime:
    application: Application
    intake: Intake
    channel: TelegramChannel


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
        .connection_pool_size(64)
        .get_updates_connection_pool_size(2)
        .read_timeout(30)
        .write_timeout(60)  # uploads of documents
        .build()
    )


def build_runtime(
    settings: Settings, service: ConversationPort, store: FileStore, token: str
) -> BotRuntime:
    application = build_application(token, settings.telegram)
    intake = Intake(application, album_wait=settings.telegram.album_wait_seconds)
    channel = TelegramChannel(service)
    fetcher = UploadFetcher(store, settings.files.max_bytes)
    register_handlers(application, Deps(channel, intake, fetcher))
    return BotRuntime(application, intake, channel)


async def forget_old_updates(db: Database, every: float = 6 * 3600) -> None:
    """Drop processed-update marks older than two days: Telegram keeps an update for 24
    hours at most, and after a quiet week it may restart its ids at random, so old marks
    would only ever drop a new update by mistake."""
    from cases import repositories as repo
    from cases.models import utcnow

    while True:
        try:
            await db.run(repo.forget_processed_updates, utcnow() - timedelta(days=2))
        except Exception:
            log.exception("forgetting old processed updates failed; trying again later")
        await asyncio.sleep(every)


def push_limits(settings: TelegramSettings) -> PushLimits:
    return PushLimits(settings.max_messages_per_second, settings.max_messages_per_chat_per_second)


async def serve(
    settings: Settings,
    service: ConversationPort,
    db: Database,
    store: FileStore,
    stop: asyncio.Event,
    *,
    push: bool = True,
    ready: asyncio.Event | None = None,
) -> None:
    """Run the bot until `stop` is set. Raises BotConfigError on a bad configuration."""
    tg = settings.telegram
    token = check_token(tg.token.get_secret_value())
    check_webhook(tg)
    runtime = build_runtime(settings, service, store, token)
    application, bot = runtime.application, runtime.application.bot
    await application.initialize()  # getMe: a wrong token fails here, loudly
    await application.start()
    await set_menu(bot)
    tasks: list[asyncio.Task[object]] = [
        asyncio.create_task(forget_old_updates(db), name="forget-processed-updates")
    ]
    sender = PushSender(bot, db, push_limits(tg)) if push else None
    if sender is not None:
        tasks.append(asyncio.create_task(sender.run(), name="push-sender"))
        # Result notices and online-step checks: beside the push sender, in one worker only.
        from aftercare.chat import deps_from_settings
        from aftercare.worker import run_aftercare_worker

        aftercare = run_aftercare_worker(db, deps_from_settings(settings), stop)
        tasks.append(asyncio.create_task(aftercare, name="aftercare"))
    poller: Poller | None = None
    webhook: WebhookServer | None = None
    try:
        if tg.mode == "webhook":
            secret = tg.webhook_secret.get_secret_value()
            webhook = WebhookServer(
                bot,
                runtime.intake,
                path=tg.webhook_path,
                secret=secret,
                host=tg.listen_host,
                port=tg.listen_port,
            )
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
            tasks.append(asyncio.create_task(poller.run(), name="poller"))
        log.info("bot @%s serving in %s mode", bot.username, tg.mode)
        if ready is not None:
            ready.set()
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in done - {stopping}:
            task.result()  # a crashed poller or sender stops the bot, with its error
        stopping.cancel()
    finally:
        if poller is not None:
            poller.stop()
        if sender is not None:
            sender.stop()
        if webhook is not None:
            await webhook.stop()  # Telegram keeps the webhook: other workers may serve it
        tasks[0].cancel()  # the periodic clean-up never ends by itself
        for task in tasks:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task
        await application.stop()
        await application.shutdown()
