"""A whole journey on Telegram: the real bot, the real conversation service and case store,
over HTTP against the loopback Bot API server."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select

from cases.db import Database
from cases.filecheck import check_file
from cases.models import Case, MaterialPage
from dialogs.service import ConversationService
from tests.bot.harness import bot_settings, running_bot
from tests.e2e.journey import Applicant, answer_questions, submit, upload_everything
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u


def pages_by_material(session) -> dict[str, list[str]]:
    pages: dict[str, list[str]] = {}
    for page in session.scalars(select(MaterialPage).order_by(MaterialPage.page_no)):
        pages.setdefault(page.material_code, []).append(page.sha256)
    return pages


def submitted_cases(session) -> list[tuple[str | None, str]]:
    return [(c.number, c.status) for c in session.scalars(select(Case))]


async def test_a_whole_journey_with_an_album_ends_in_a_submitted_case(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    settings = bot_settings(api, tmp_path)
    who = Applicant(api, u.User(5005, "张三"))
    async with running_bot(settings, ConversationService(db, settings), db) as store:
        await answer_questions(who)
        await upload_everything(who)
        final = await submit(who)
    ((number, status),) = await db.run(submitted_cases)
    assert number is not None and status == "submitted"
    assert any(number in (c.text or "") for c in final)  # told the case number
    stored = await db.run(pages_by_material)
    for material, shots in who.photos.items():
        # Every page, in the order sent, kept cleaned under the keyed hash of what is kept.
        hashes = [store.address_of(check_file(s).cleaned or s) for s in shots]
        assert stored[material] == hashes, material
        assert all(store.exists(h) for h in hashes)
        assert not any(hashlib.sha256(s).hexdigest() in stored[material] for s in shots)
    assert len(who.photos["id_card"]) == 2
    # The album got one answer ("received ..., 2 pages"), not one per photo.
    received = [c.text for c in who.answers["id_card"] if "共" in (c.text or "")]
    assert len(received) == 1 and "共2页" in (received[0] or "")


async def test_a_deep_link_opens_the_progress_of_ones_own_case_only(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    settings = bot_settings(api, tmp_path)
    owner = Applicant(api, u.User(6006, "Owner"))
    stranger = Applicant(api, u.User(6007, "Stranger"))
    async with running_bot(settings, ConversationService(db, settings), db):
        await answer_questions(owner)
        await upload_everything(owner)
        await submit(owner)
        ((number, _),) = await db.run(submitted_cases)
        mine = await owner.say(f"/start {number}")
        theirs = await stranger.say(f"/start {number}")
    assert number is not None
    assert any(number in (c.text or "") for c in mine)
    assert not any(number in (c.text or "") for c in theirs)


async def test_a_30_mb_file_and_a_sticker_get_clear_answers_mid_journey(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    from locales import translator

    tr = translator("zh_CN")
    settings = bot_settings(api, tmp_path)
    who = Applicant(api, u.User(7007, "李四"))
    async with running_bot(settings, ConversationService(db, settings), db):
        await answer_questions(who)
        asked = who.question()
        huge = api.document_of(b"%PDF-1.7", "scan.pdf", "application/pdf", size=30 * 2**20)
        too_big = await api.deliver(u.document(who.user, huge))
        sticker = await api.deliver(u.sticker(who.user))
        who.seen.extend(too_big + sticker)
        assert who.question() == asked  # still waiting for the same material
    assert tr("dialogs.retake.too_large") in [c.text for c in too_big]
    # At an upload step a sticker is answered plainly: this step needs a photo (issue 13).
    assert any(c.text.startswith("这一步需要的是照片") for c in sticker)
    assert not api.calls_of("download")
