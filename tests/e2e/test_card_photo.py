"""The ID card's photo instead of typing the number (issue 18) on Telegram: the real bot over
HTTP against the loopback Bot API server, the real conversation service and the real OCR
reader on a generated phone photo of a card."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cases.db import Database
from cases.files import FileStore
from dialogs.card_reader import CardPhotos
from dialogs.service import ConversationService
from integrations.idcard.reader import OcrCardReader
from tests.bot.harness import bot_settings, running_bot
from tests.e2e.journey import Applicant
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u
from tests.idcard import cards
from tests.idcard.cards import Shot

CARD = cards.woman("乌云其木格", date(1971, 8, 30))


async def test_a_worker_sends_the_card_instead_of_typing_and_confirms_the_number(
    api: FakeBotApi, db: Database, tmp_path: Path
) -> None:
    settings = bot_settings(api, tmp_path)
    files = FileStore(settings.files.dir, settings.files.max_bytes, vault=db.require_vault())
    reader = OcrCardReader(today=lambda: date(2026, 11, 26))
    service = ConversationService(db, settings, card_photos=CardPhotos(reader, files, db))
    who = Applicant(api, u.User(5011, "乌云"))
    try:
        async with running_bot(settings, service, db):
            await who.say("/start")
            await who.press("zh_CN", "ask_language")
            await who.press("agree", "ask_consent")
            asked = await who.say("乌云其木格")
            assert any("也可以直接拍一张身份证正面" in (c.text or "") for c in asked)
            photo = cards.photo(cards.front(CARD), Shot(angle=-5, quality=70))
            shown = await who.send_photos("id_card", [photo])
            text = "\n".join(c.text or "" for c in shown)
            n = CARD.number
            assert f"{n[:6]} {n[6:14]} {n[14:]}" in text and "姓名：乌云其木格" in text
            assert who.question() == "ask_id_number"
            after = await who.press("card_yes", "ask_id_number")
            said = "\n".join(c.text or "" for c in after)
            assert "号码已记下" in said
            assert any(b.get("request_contact") for c in after for b in c.buttons())
    finally:
        reader.close()
