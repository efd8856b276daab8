"""Button presses through the real bot and conversation: every press stops its spinner, and a
keyboard pressed again (it stays on its message) gets a polite answer and the current question,
without moving the conversation back."""

from __future__ import annotations

from pathlib import Path

from cases.db import Database
from dialogs.service import ConversationService
from tests.bot.harness import bot_settings, running_bot
from tests.e2e.journey import Applicant
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u


async def test_an_old_keyboard_pressed_again_is_answered_politely_and_changes_nothing(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    settings = bot_settings(api, tmp_path)
    who = Applicant(api, u.User(5101, "李四"))
    async with running_bot(settings, ConversationService(db, settings), db):
        await who.say("/start")
        await who.press("zh_CN", "ask_language")
        asked_consent = await who.press("agree", "ask_consent")
        again = await who.press("agree", "ask_consent")  # the same keyboard, still shown
        after = await who.say("张三")
    assert "姓名" in (asked_consent[-1].text or "")
    # One message: out of date, and the current question asked again under it.
    (stale,) = [c for c in again if c.method == "sendMessage"]
    out_of_date, current = (stale.text or "").split("\n", 1)
    assert "已经过时" in out_of_date
    assert current == asked_consent[-1].text
    assert "身份证" in (after[-1].text or "")  # the name was taken: the next question
    assert len(api.calls_of("answerCallbackQuery")) == 3  # every press, spinner stopped
    assert api.calls_of("editMessageReplyMarkup") == []
