"""Start-up and the two ways updates arrive: long polling (default) and the webhook."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from app.settings import Settings
from bot.app import serve
from bot.config import BotConfigError, api_urls, check_token
from cases.db import Database
from cases.files import FileStore
from dialogs.events import Choice, Files, Text
from tests.bot import images
from tests.bot.harness import RecordingConversation, bot_settings, running_bot
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BEN = u.User(2002, "Ben", language_code="en")
SECRET = "webhook_secret_0123456789"


def webhook_settings(api: FakeBotApi, tmp_path: Path) -> tuple[Settings, str]:
    port = free_port()
    settings = bot_settings(
        api,
        tmp_path,
        mode="webhook",
        webhook_url=f"http://127.0.0.1:{port}",
        webhook_secret=SecretStr(SECRET),
        listen_port=port,
    )
    return settings, f"http://127.0.0.1:{port}/telegram/webhook"


async def test_webhook_mode_registers_the_secret_and_serves_updates(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    settings, url = webhook_settings(api, tmp_path)
    service = RecordingConversation()
    async with running_bot(settings, service, db):
        assert api.webhook == {"url": url, "secret_token": SECRET, "max_connections": 40}
        api.add_update(u.text(BEN, "hello"))
        await api.wait_sent(BEN.id, 1)
    assert service.events_of(BEN.id) == [Text("hello")]


async def test_webhook_refuses_a_request_without_the_secret(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    settings, url = webhook_settings(api, tmp_path)
    service = RecordingConversation()
    forged = {"update_id": 99, **u.text(BEN, "/start")}
    async with running_bot(settings, service, db), aiohttp.ClientSession() as http:
        async with http.post(url, json=forged) as missing:
            assert missing.status == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong" + SECRET}
        async with http.post(url, json=forged, headers=headers) as wrong:
            assert wrong.status == 403
    assert service.events == []


async def test_webhook_album_is_one_event_and_a_redelivery_is_answered_once(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    settings, _ = webhook_settings(api, tmp_path)
    service = RecordingConversation()
    pages = [images.sharp_jpeg(seed=n) for n in (4, 5)]
    async with running_bot(settings, service, db):
        for data in pages:
            api.add_update(u.photo(BEN, api.photo_sizes(data), media_group_id="g-7"))
        await api.wait_sent(BEN.id, 1)
        first = api.add_update(u.text(BEN, "thanks"))
        await api.wait_sent(BEN.id, 2)
        api.redeliver(first)  # Telegram resends when it did not get our 200 in time
        await api.wait_for(lambda: len(service.events) == 3, what="the redelivery")
        api.add_update(u.text(BEN, "marker"))
        await api.wait_sent(BEN.id, 3)
    album, thanks, again, marker = service.events_of(BEN.id)
    assert isinstance(album, Files) and len(album.files) == 2
    assert thanks == again == Text("thanks") and marker == Text("marker")
    assert len(api.sent_to(BEN.id)) == 3


async def test_webhook_answers_a_button_press_inside_its_http_response(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    settings, _ = webhook_settings(api, tmp_path)
    service = RecordingConversation()
    async with running_bot(settings, service, db):
        api.add_update(u.callback(BEN, "v1|consent|yes", query_id="cq-ben-1"))
        await api.wait_sent(BEN.id, 1)
        await api.wait_for(lambda: api.calls_of("answerCallbackQuery"), what="the answer")
    (answer,) = api.calls_of("answerCallbackQuery")
    # The spinner stopped without a call of its own: the answer came in the webhook's reply.
    assert answer.in_webhook_response
    assert answer.params == {"callback_query_id": "cq-ben-1"}
    assert service.events_of(BEN.id) == [Choice("yes", "consent")]


async def test_polling_is_the_default_and_removes_a_leftover_webhook(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    api.webhook = None
    service = RecordingConversation()
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.text(BEN, "hi"))
        await api.wait_sent(BEN.id, 1)
    assert api.calls_of("deleteWebhook") and api.calls_of("getUpdates")


@pytest.mark.parametrize(
    "token", ["", "   ", "12345", "abc:defghijklmnopqrstuvwxyz0123456789", "1:short"]
)
def test_a_missing_or_malformed_token_is_refused_with_a_clear_error(token: str):
    with pytest.raises(BotConfigError, match="TELEGRAM_TOKEN"):
        check_token(token)


async def test_serve_refuses_to_start_without_a_token(api: FakeBotApi, db: Database, tmp_path):
    settings = bot_settings(api, tmp_path)
    settings.telegram.token = SecretStr("")
    store = FileStore(tmp_path / "files", 1000, vault=db.require_vault())
    with pytest.raises(BotConfigError, match="not set"):
        await serve(settings, RecordingConversation(), db, store, asyncio.Event())
    assert api.calls == []


def test_main_run_without_a_token_exits_with_the_reason(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM")}
    env["TELEGRAM__TOKEN"] = ""
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TELEGRAM_TOKEN is not set" in result.stderr


def test_telegram_api_base_may_be_the_server_root_or_ptbs_form():
    settings = Settings().telegram
    settings.api_base = "http://127.0.0.1:8081"
    assert api_urls(settings) == ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")
    settings.api_base = "http://127.0.0.1:8081/bot"
    assert api_urls(settings) == ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")
    assert api_urls(Settings().telegram) == (
        "https://api.telegram.org/bot",
        "https://api.telegram.org/file/bot",
    )
