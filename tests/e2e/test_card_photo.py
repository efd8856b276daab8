"""The ID card's photo instead of typing the number (issue 18) on Telegram: the real bot over
HTTP against the loopback Bot API server, the real conversation service and the real OCR
reader (its worker process) on a generated phone photo of a card. While Telegram fails, the
reply that shows the number in full waits in the outbox sealed, never in clear on disk."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import push_worker
from cases.db import Database
from cases.files import FileStore
from cases.models import MaterialPage, NotificationOutbox
from dialogs.card_reader import CardPhotos
from dialogs.service import ConversationService
from integrations.idcard.reader import OcrCardReader
from tests.bot.harness import bot_settings, running_bot
from tests.e2e.journey import Applicant
from tests.e2e.processes import wait_until
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u
from tests.idcard import cards
from tests.idcard.cards import Shot

CARD = cards.woman("乌云其木格", date(1971, 8, 30))


@pytest.fixture(scope="module")
def reader() -> Iterator[OcrCardReader]:
    """One pool for the module: its worker loads the model once."""
    reader = OcrCardReader(today=lambda: date(2026, 11, 26))
    asyncio.run(reader.warm_up())  # its worker started and the model loaded, once
    yield reader
    reader.close()


async def to_id_number(who: Applicant) -> list:
    await who.say("/start")
    await who.press("zh_CN", "ask_language")
    await who.press("agree", "ask_consent")
    return await who.say("乌云其木格")


async def test_a_worker_sends_the_card_instead_of_typing_and_confirms_the_number(
    api: FakeBotApi, db: Database, tmp_path: Path, reader: OcrCardReader
) -> None:
    settings = bot_settings(api, tmp_path)
    files = FileStore(settings.files.dir, settings.files.max_bytes, vault=db.require_vault())
    service = ConversationService(db, settings, card_photos=CardPhotos(reader, files, db))
    who = Applicant(api, u.User(5011, "乌云"))
    async with running_bot(settings, service, db):
        asked = await to_id_number(who)
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


async def test_while_telegram_fails_the_number_shown_waits_sealed_and_then_arrives_in_full(
    api: FakeBotApi, db: Database, tmp_path: Path, reader: OcrCardReader
) -> None:
    settings = bot_settings(api, tmp_path)
    files = FileStore(settings.files.dir, settings.files.max_bytes, vault=db.require_vault())
    service = ConversationService(db, settings, card_photos=CardPhotos(reader, files, db))
    who = Applicant(api, u.User(5012, "乌云"))
    n = CARD.number
    shown = f"{n[:6]} {n[6:14]} {n[14:]}"
    async with running_bot(settings, service, db):
        await to_id_number(who)
        api.inject("sendMessage", 502, times=-1, description="Bad Gateway")
        photo = cards.photo(cards.front(CARD), Shot(angle=4, quality=75))
        await api.deliver(*who.photo_updates("id_card", [photo]), timeout=300)
        assert not any(shown in (c.text or "") for c in api.sent_to(5012))
        kept = await db.run(_kept_payloads)
        assert kept and all(set(p) == {"sealed"} for p in kept)  # the confirmation is kept
        for path in sorted(tmp_path.rglob("*")):  # the database, its journal, the files
            if path.is_file():
                data = path.read_bytes()
                for form in (n, shown):
                    assert form.encode() not in data, f"{form!r} in clear in {path.name}"

        api.faults.clear()  # Telegram is back: the push sender delivers the kept reply in full

        def delivered() -> bool:
            return any(shown in (c.text or "") for c in api.sent_to(5012))

        stop = asyncio.Event()
        pushing = asyncio.create_task(push_worker(settings, db, files, stop))
        try:
            await wait_until(delivered, "the kept confirmation sent")
        finally:
            stop.set()
            await pushing
        assert "姓名：乌云其木格" in next(
            c.text for c in api.sent_to(5012) if shown in (c.text or "")
        )


def _kept_payloads(session) -> list[dict]:  # type: ignore[no-untyped-def]
    query = select(NotificationOutbox.payload).where(NotificationOutbox.dedupe_key.like("reply:%"))
    return list(session.scalars(query))


async def test_an_album_of_both_sides_is_read_and_both_kept_as_the_cards_pages(
    api: FakeBotApi, db: Database, tmp_path: Path, reader: OcrCardReader
) -> None:
    settings = bot_settings(api, tmp_path)
    files = FileStore(settings.files.dir, settings.files.max_bytes, vault=db.require_vault())
    service = ConversationService(db, settings, card_photos=CardPhotos(reader, files, db))
    who = Applicant(api, u.User(5013, "乌云"))
    n = CARD.number
    async with running_bot(settings, service, db):
        await to_id_number(who)
        back = cards.photo(cards.back(), Shot(angle=3, quality=70))
        front = cards.photo(cards.front(CARD), Shot(angle=-4, quality=70))
        updates = who.photo_updates("id_card", [back, front])
        shown = await api.deliver(*updates, timeout=300)
        assert any(f"{n[:6]} {n[6:14]} {n[14:]}" in (c.text or "") for c in shown)
        who.seen.extend(shown)
        after = await who.press("card_yes", "ask_id_number")
        assert any("正面和背面这两张照片也已收下" in (c.text or "") for c in after)
        assert await db.run(_id_card_pages) == 2


def _id_card_pages(session) -> int:  # type: ignore[no-untyped-def]
    query = select(MaterialPage).filter_by(material_code="id_card")
    return len(list(session.scalars(query)))
