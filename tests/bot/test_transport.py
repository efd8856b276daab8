"""PTB over aiohttp's pool (bot/transport.py) fails as PTB's own transport does, so the
channel's retries and outbox (bot/render.py) still see NetworkError and TimedOut."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.transport import bot_request
from tests.fake_bot_api import TOKEN, FakeBotApi


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """Accepts requests and never answers them."""
    never = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await never.wait()
        return web.Response()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hang)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/bot"
    never.set()
    await runner.cleanup()


async def test_calls_and_uploads_reach_the_bot_api(api: FakeBotApi):
    async with Bot(TOKEN, base_url=api.base_url, request=bot_request(2, read_timeout=5)) as bot:
        await bot.send_message(7, "你好")
        await bot.send_document(7, b"%PDF-1.4 fake", filename="告知单.pdf")
    (text,) = api.calls_of("sendMessage")
    (upload,) = api.calls_of("sendDocument")
    assert text.text == "你好"
    assert upload.files["document"] == ("告知单.pdf", b"%PDF-1.4 fake")


async def test_an_unreachable_bot_api_is_a_network_error():
    bot = Bot(
        TOKEN,
        base_url=f"http://127.0.0.1:{closed_port()}/bot",
        request=bot_request(1, read_timeout=5),
    )
    with pytest.raises(NetworkError):
        await bot.send_message(7, "你好")
    await bot.shutdown()


async def test_a_bot_api_that_does_not_answer_times_out(silent_server: str):
    bot = Bot(TOKEN, base_url=silent_server, request=bot_request(1, read_timeout=0.2))
    with pytest.raises(TimedOut):
        await bot.send_message(7, "你好")
    await bot.shutdown()
