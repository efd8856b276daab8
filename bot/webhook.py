"""Webhook mode: our own aiohttp endpoint. Telegram's `X-Telegram-Bot-Api-Secret-Token`
header is checked on every request; the response goes back only once the update is handled,
so a crash mid-way makes Telegram deliver it again (the database drops what was done). The
response carries the answer to a button press, the one method Telegram takes there."""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot, Update

from bot.callback_answers import CallbackAnswers
from bot.intake import Intake

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def public_url(webhook_url: str, path: str) -> str:
    """The URL given to setWebhook: the configured one, with our path if it has none."""
    if urlsplit(webhook_url).path in ("", "/"):
        return webhook_url.rstrip("/") + path
    return webhook_url


class WebhookServer:
    def __init__(
        self,
        bot: Bot,
        intake: Intake,
        answers: CallbackAnswers,
        *,
        path: str,
        secret: str,
        host: str,
        port: int,
    ) -> None:
        self.bot, self.intake, self.answers = bot, intake, answers
        self.path, self.host, self.port = path, host, port
        self._secret = secret.encode()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(self.path, self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:  # tests ask for any free port
            server = site._server
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("webhook listening on %s:%s%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="wrong secret token")
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self.bot)
        except (ValueError, TypeError, KeyError):
            # Telegram would resend a 4xx/5xx forever; a body it cannot have sent is dropped.
            log.warning("webhook body is not a Telegram update; dropped")
            return web.Response(status=200)
        with self.answers.response_for(update.update_id) as slot:
            await self.intake.feed(update)
        if slot.method is not None:
            # One Bot API method rides in the response (bot.callback_answers): a call saved.
            return web.json_response(slot.method)
        return web.Response(status=200)
