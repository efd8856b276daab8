"""The Telegram channel end to end over real HTTP: the real PTB Application and our handlers
against the loopback Bot API server, with a recording stand-in for the conversation."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from cases.db import Database
from cases.filecheck import check_file
from cases.files import FileStore
from dialogs.events import Choice, Command, Contact, Event, Files, Text, Unsupported
from locales.replies import Document, Msg, Option, Reply
from tests.bot import images
from tests.bot.harness import FakeOutcome, RecordingConversation, bot_settings, running_bot
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u

ANN = u.User(1001, "Ann")


async def test_text_goes_to_the_conversation_and_choices_become_versioned_buttons(
    api: FakeBotApi, db: Database, tmp_path: Path
):
    def script(event):
        options = (
            Option("yes", Msg("bot.command.start")),
            Option("no", Msg("bot.command.cancel")),
        )
        return [Reply(Msg("bot.command.help"), options, "choice", "consent")]

    service = RecordingConversation(script=script)
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.text(ANN, "你好"))
        (sent,) = await api.wait_sent(ANN.id, 1)
    assert service.events_of(ANN.id) == [Text("你好")]
    assert sent.params["parse_mode"] == "HTML"
    assert sent.text == "帮助"
    assert [b["callback_data"] for b in sent.buttons()] == ["v1|consent|yes", "v1|consent|no"]
    assert [b["text"] for b in sent.buttons()] == ["开始办理或继续", "取消本次办理"]


async def test_a_name_with_html_is_shown_as_typed(api: FakeBotApi, db: Database, tmp_path):
    typed = "<b>Zhang</b> & Sons"
    service = RecordingConversation(
        script=lambda e: [Reply(Msg("dialogs.pages_received", {"name": typed, "count": 1}))]
    )
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.text(ANN, typed))
        (sent,) = await api.wait_sent(ANN.id, 1)
    # Telegram shows this HTML-escaped text with parse_mode=HTML exactly as the applicant typed.
    assert "&lt;b&gt;Zhang&lt;/b&gt; &amp; Sons" in (sent.text or "")
    assert sent.params["parse_mode"] == "HTML"


async def test_a_button_press_is_a_choice_answered_with_its_keyboard_left_in_place(
    api: FakeBotApi, db: Database, tmp_path
):
    service = RecordingConversation()
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.callback(ANN, "v1|consent|yes", message_id=7))
        await api.deliver(u.text(ANN, "marker"))  # handled in order: the press is done
    assert service.events_of(ANN.id) == [Choice("yes", "consent"), Text("marker")]
    assert len(api.calls_of("answerCallbackQuery")) == 1
    # A second press is the conversation's to answer (tests/e2e/test_buttons.py): no edit.
    assert api.calls_of("editMessageReplyMarkup") == []


@dataclass
class WaitsForTheAnswer(RecordingConversation):
    """A conversation that cannot finish until the button press was answered."""

    api: FakeBotApi | None = None

    async def handle(
        self, channel: str, user_id: str, event: Event, update_id: str | None = None
    ) -> FakeOutcome:
        assert self.api is not None
        api = self.api
        await api.wait_for(lambda: api.calls_of("answerCallbackQuery"), what="the answer")
        return await super().handle(channel, user_id, event, update_id)


async def test_the_spinner_stops_without_waiting_for_the_conversation(
    api: FakeBotApi, db: Database, tmp_path
):
    service = WaitsForTheAnswer(api=api)
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.callback(ANN, "v1|consent|yes", query_id="cq-ann-1"))
        (reply,) = await api.wait_sent(ANN.id, 1)
    (answer,) = api.calls_of("answerCallbackQuery")
    assert answer.params["callback_query_id"] == "cq-ann-1"
    assert not answer.in_webhook_response  # polling: a call of its own
    assert reply.text == "帮助"


async def test_a_button_from_an_old_format_is_handed_over_as_stale(
    api: FakeBotApi, db: Database, tmp_path
):
    service = RecordingConversation()
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.callback(ANN, "consent:yes"))
        await api.wait_for(lambda: api.calls_of("answerCallbackQuery"), what="answer")
    (event,) = service.events_of(ANN.id)
    assert isinstance(event, Choice) and event.question == "<stale>"


async def test_asking_for_the_phone_shows_a_share_contact_keyboard(
    api: FakeBotApi, db: Database, tmp_path
):
    service = RecordingConversation(
        script=lambda e: [Reply(Msg("bot.command.help"), expects="contact")]
    )
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.text(ANN, "next"))
        (sent,) = await api.wait_sent(ANN.id, 1)
    (button,) = sent.buttons()
    assert button == {"text": "📱 发送我的手机号", "request_contact": True}


async def test_own_contact_is_a_contact_and_someone_elses_is_not(
    api: FakeBotApi, db: Database, tmp_path
):
    service = RecordingConversation()
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.contact(ANN, "+8613800138000"))
        api.add_update(u.contact(ANN, "+8613900139000", own=False))
        await api.wait_sent(ANN.id, 2)
    assert service.events_of(ANN.id) == [
        Contact("+8613800138000"),
        Unsupported("contact_of_someone_else"),
    ]


async def test_deep_link_start_carries_the_case_number(api: FakeBotApi, db: Database, tmp_path):
    service = RecordingConversation()
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.text(ANN, "/start YJ-20261126-0001"))
        api.add_update(u.text(ANN, "/status"))
        await api.wait_sent(ANN.id, 2)
    assert service.events_of(ANN.id) == [
        Command("start", "YJ-20261126-0001"),
        Command("status"),
    ]


async def test_a_photo_is_downloaded_in_its_largest_size_checked_and_stored(
    api: FakeBotApi, db: Database, tmp_path
):
    data = images.sharp_jpeg()
    service = RecordingConversation()
    async with running_bot(bot_settings(api, tmp_path), service, db) as store:
        api.add_update(u.photo(ANN, api.photo_sizes(data)))
        await api.wait_sent(ANN.id, 1)
    (event,) = service.events_of(ANN.id)
    assert isinstance(event, Files)
    (page,) = event.files
    assert (page.mime_type, page.width, page.height) == ("image/jpeg", 1200, 1600)
    assert page.problem is None
    # Kept re-encoded (no metadata), named by a keyed hash of what is kept, never by sha256.
    kept = store.read(page.sha256)
    assert page.sha256 == store.address_of(kept) != hashlib.sha256(data).hexdigest()
    with Image.open(io.BytesIO(kept)) as img:
        assert (img.format, img.size) == ("JPEG", (1200, 1600))


async def test_an_album_is_one_event_with_pages_in_the_order_sent_and_one_reply(
    api: FakeBotApi, db: Database, tmp_path
):
    pages = [images.sharp_jpeg(seed=1), images.blurred_jpeg(seed=2), images.sharp_jpeg(seed=3)]
    service = RecordingConversation()
    async with running_bot(bot_settings(api, tmp_path), service, db) as store:
        for data in pages:
            api.add_update(u.photo(ANN, api.photo_sizes(data), media_group_id="album-1"))
        await api.wait_sent(ANN.id, 1)
        api.add_update(u.text(ANN, "after the album"))
        await api.wait_sent(ANN.id, 2)
    (album, after) = service.events_of(ANN.id)
    assert isinstance(album, Files)
    # In the order sent: each named by the keyed hash of what is kept (cleaned when usable).
    kept = [check_file(d).cleaned or d for d in pages]
    assert [f.sha256 for f in album.files] == [store.address_of(k) for k in kept]
    assert [f.problem for f in album.files] == [None, "blurred", None]
    assert after == Text("after the album")
    assert len(api.sent_to(ANN.id)) == 2  # one reply for the album, one for the text


async def test_a_30_mb_file_is_refused_without_downloading_it(
    api: FakeBotApi, db: Database, tmp_path
):
    doc = api.document_of(b"%PDF-1.7 ...", "scan.pdf", "application/pdf", size=30 * 1024 * 1024)
    service = RecordingConversation()
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.document(ANN, doc))
        await api.wait_sent(ANN.id, 1)
    (event,) = service.events_of(ANN.id)
    assert isinstance(event, Files) and event.files[0].problem == "too_large"
    assert not api.calls_of("getFile") and not api.calls_of("download")


async def test_unknown_document_types_and_pdfs_are_told_apart(
    api: FakeBotApi, db: Database, tmp_path
):
    word = api.document_of(b"PK\x03\x04...", "cv.docx", "application/vnd.openxmlformats")
    pdf = api.document_of(images.real_pdf(pages=2), "form.pdf", "application/pdf")
    service = RecordingConversation()
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.document(ANN, word))
        api.add_update(u.document(ANN, pdf))
        await api.wait_sent(ANN.id, 2)
    (first, second) = service.events_of(ANN.id)
    assert first.files[0].problem == "unsupported_type"  # type: ignore[union-attr]
    assert second.files[0].page_count == 2 and second.files[0].problem is None  # type: ignore[union-attr]


async def test_stickers_and_voice_notes_are_unsupported(api: FakeBotApi, db: Database, tmp_path):
    service = RecordingConversation()
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.sticker(ANN))
        api.add_update(u.voice(ANN))
        await api.wait_sent(ANN.id, 2)
    assert service.events_of(ANN.id) == [Unsupported("sticker"), Unsupported("voice")]


async def test_the_same_update_delivered_twice_is_answered_once(
    api: FakeBotApi, db: Database, tmp_path
):
    """Telegram redelivers what a crashed bot had not confirmed: the second delivery reaches
    a new bot process, the conversation (its database) recognises the id, nothing is sent."""
    service = RecordingConversation()
    settings = bot_settings(api, tmp_path)
    async with running_bot(settings, service, db):
        update_id = api.add_update(u.text(ANN, "once"))
        await api.wait_sent(ANN.id, 1)
        api.redeliver(update_id)  # within the same process: dropped before the conversation
        api.add_update(u.text(ANN, "marker"))
        await api.wait_sent(ANN.id, 2)
    async with running_bot(settings, service, db):
        api.redeliver(update_id)
        await api.wait_for(lambda: len(service.events) == 3, what="the redelivery")
        api.add_update(u.text(ANN, "marker 2"))
        await api.wait_sent(ANN.id, 3)
    assert [(e, uid) for _, e, uid in service.events][:3] == [
        (Text("once"), str(update_id)),
        (Text("marker"), str(update_id + 1)),
        (Text("once"), str(update_id)),
    ]
    assert [c.text for c in api.sent_to(ANN.id)] == ["帮助"] * 3  # once, marker, marker 2


async def test_documents_are_sent_as_files(api: FakeBotApi, db: Database, tmp_path):
    settings = bot_settings(api, tmp_path)
    form = images.real_pdf()
    store = FileStore(settings.files.dir, settings.files.max_bytes, vault=db.require_vault())
    document = Document(store.put(form).address, "申请表.pdf")
    service = RecordingConversation(
        script=lambda e: [Reply(Msg("bot.command.help"), document=document)]
    )
    async with running_bot(settings, service, db):
        api.add_update(u.text(ANN, "form please"))
        (_, sent_doc) = await api.wait_sent(ANN.id, 2)
    assert sent_doc.method == "sendDocument"
    # Decrypted on the way out: the applicant gets the PDF itself.
    assert sent_doc.files["document"] == ("申请表.pdf", form)


async def test_the_menu_is_set_in_chinese_and_english(api: FakeBotApi, db: Database, tmp_path):
    async with running_bot(bot_settings(api, tmp_path), RecordingConversation(), db):
        pass
    assert api.commands["en"][0] == {"command": "start", "description": "Start or continue"}
    assert api.commands["zh"][0] == {"command": "start", "description": "开始办理或继续"}
    assert api.commands[""] == api.commands["zh"]


async def test_the_applicants_language_decides_the_rendering(
    api: FakeBotApi, db: Database, tmp_path
):
    service = RecordingConversation(language="en")
    async with running_bot(bot_settings(api, tmp_path), service, db):
        api.add_update(u.text(ANN, "hello"))
        (sent,) = await api.wait_sent(ANN.id, 1)
    assert sent.text == "Help"


async def test_while_the_database_is_away_the_update_is_held_and_answered_once_it_is_back(
    api: FakeBotApi, db: Database, tmp_path, monkeypatch
):
    from bot import channel
    from cases.errors import StoreUnavailable

    monkeypatch.setattr(channel, "STORE_FIRST_PAUSE", 0.01)  # backoff pauses, not the point
    outage = {"left": 3}
    inner = RecordingConversation()

    class Flaky:
        async def handle(self, *args, **kwargs):
            if outage["left"]:
                outage["left"] -= 1
                raise StoreUnavailable("database restarting")
            return await inner.handle(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(inner, name)

    async with running_bot(bot_settings(api, tmp_path), Flaky(), db):
        update_id = api.add_update(u.text(ANN, "你好"))
        sent = await api.wait_sent(ANN.id, 2)
        await api.wait_for(lambda: update_id not in api.pending_update_ids(), what="confirm")
    assert [c.text for c in sent] == [
        "系统正忙，您的消息已经收到，稍后会自动处理，不用重复发送。",  # told once
        "帮助",  # then the real answer, from the very same update
    ]
    assert inner.events_of(ANN.id) == [Text("你好")]
