"""The ID card's photo instead of typing the number (issue 18), through the conversation
service on SQLite and PostgreSQL: the number shown in full and confirmed, the photo kept as
the card's front, retakes, a typed number that differs from the card, and OCR switched off.

Photos are generated (tests/idcard/cards.py) and stored in a real encrypted file store. One
journey reads them with the real OCR reader; the others hand the service a fake reader with
the readings a real one gives (tests/idcard proves those on the same kind of photos)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.settings import Settings
from cases import repositories as repo
from cases.db import Database
from cases.files import FileStore
from cases.models import Applicant, Case, MaterialPage
from dialogs.card_reader import CardPhotos, CardReader
from dialogs.events import Choice, StoredFile
from dialogs.service import ConversationService
from integrations.idcard.fake import FakeCardReader
from integrations.idcard.reader import OcrCardReader
from integrations.platform.labels import Labels
from locales import Translator
from policy.idcard import parse_id_number
from policy.idcard_front import CardFront
from tests.dialogs.conftest import Person, id_number
from tests.dialogs.test_journeys import finish_uploads, town_and_employer
from tests.idcard import cards
from tests.idcard.cards import Shot

TODAY = date(2026, 11, 26)
CARD = cards.man("张建国", date(1965, 3, 15))


@pytest.fixture
def files(db: Database, tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files", 20 * 1024 * 1024, vault=db.require_vault())


def stored(files: FileStore, data: bytes) -> StoredFile:
    """What a channel hands the conversation after storing and checking a photo."""
    blob = files.put(data)
    return StoredFile(blob.sha256, "image/jpeg", blob.size, 1280, 960)


def person_with(
    db: Database, files: FileStore, clock: Callable[[], datetime], reader: CardReader | None
) -> Person:
    photos = None if reader is None else CardPhotos(reader, files, db)
    return Person(ConversationService(db, Settings(), clock=clock, card_photos=photos))


async def to_id_number(p: Person, name: str = "张建国") -> None:
    await p.command("start")
    await p.tap("zh_CN")
    await p.tap("agree")
    await p.text(name)
    assert p.question == "ask_id_number"


def read(card: cards.Card, name: str | None = None) -> CardFront:
    """The reading a real reader gives of a good photo of `card`."""
    number = parse_id_number(card.number, TODAY)
    return CardFront("read", number, name or card.name, card.birth, number.sex)


def pages(db: Database, material: str) -> list[MaterialPage]:
    def work(session):  # type: ignore[no-untyped-def]
        return list(session.scalars(select(MaterialPage).filter_by(material_code=material)))

    return db.run(work)  # type: ignore[return-value]


async def test_a_photo_of_the_card_is_read_shown_in_full_confirmed_and_kept_as_its_front(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    """The real reader: the number shown in full with the name, "yes" records it as if
    typed, and the ID card material then asks for the back only."""
    reader = OcrCardReader(today=lambda: TODAY)
    p = person_with(db, files, clock, reader)
    try:
        await to_id_number(p)
        assert "也可以直接拍一张身份证正面" in p.texts()  # the photo is offered
        front = stored(files, cards.photo(cards.front(CARD), Shot(angle=6, quality=60)))
        await p.files(front)
        n = CARD.number  # in full, grouped as the card's parts: region, birth date, the rest
        assert f"{n[:6]} {n[6:14]} {n[14:]}" in p.texts() and "姓名：张建国" in p.texts()
        assert p.choices() == ["card_yes", "card_no"] and p.question == "ask_id_number"
        await p.tap("card_yes")
        assert "号码已记下" in p.texts() and p.question == "ask_phone"
    finally:
        reader.close()
    await p.contact("13847712345")
    await p.tap("normal")
    await p.text("十五年")
    await town_and_employer(p)
    for _ in range(4):  # name as archive, paid before 1995-07, lump sum, veteran
        await p.tap("no" if p.question != "ask_name_matches_archive" else "yes")
    while p.question != "ask_upload_id_card":
        assert (p.question or "").startswith("ask_upload_"), p.question
        await p.files(stored(files, cards.something_else(seed=len(p.question or ""))))
        await p.tap("done")
    assert "身份证正面已收到，请再拍一张身份证背面" in p.texts()

    def record(session):  # type: ignore[no-untyped-def]
        applicant = session.scalars(select(Applicant)).one()
        return repo.id_number_of(session, applicant), applicant.card_number_enc

    number, held = await db.run(record)
    assert number == CARD.number and held is None  # recorded; nothing left held
    assert [pg.sha256 for pg in await pages(db, "id_card")] == [front.sha256]


async def test_no_type_it_instead_records_nothing_and_asks_for_the_digits(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    photo = cards.photo(cards.front(CARD))
    p = person_with(db, files, clock, FakeCardReader({photo: read(CARD)}))
    await to_id_number(p)
    await p.files(stored(files, photo))
    await p.tap("card_no")
    assert "请直接输入18位身份证号码" in p.texts() and p.question == "ask_id_number"
    typed = id_number("19650315")
    await p.text(typed)
    assert p.question == "ask_phone"
    assert await pages(db, "id_card") == []  # the refused reading's photo is no page

    def record(session):  # type: ignore[no-untyped-def]
        return repo.id_number_of(session, session.scalars(select(Applicant)).one())

    assert await db.run(record) == typed


async def test_confirming_by_typing_yes_works_like_the_button(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    photo = cards.photo(cards.front(CARD))
    p = person_with(db, files, clock, FakeCardReader({photo: read(CARD)}))
    await to_id_number(p)
    await p.files(stored(files, photo))
    await p.text("对")
    assert p.question == "ask_phone"


async def test_typing_a_number_while_a_reading_waits_takes_the_typed_one(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    photo = cards.photo(cards.front(CARD))
    p = person_with(db, files, clock, FakeCardReader({photo: read(CARD)}))
    await to_id_number(p)
    await p.files(stored(files, photo))
    other = id_number("19660101")
    await p.text(other)
    assert p.question == "ask_phone"
    await p.send(Choice("card_yes", "ask_id_number"))  # the old button: stale now
    assert "dialogs.stale_button" in p.message_keys()

    def record(session):  # type: ignore[no-untyped-def]
        applicant = session.scalars(select(Applicant)).one()
        return repo.id_number_of(session, applicant), applicant.card_number_enc

    assert await db.run(record) == (other, None)


async def test_a_name_read_differently_is_shown_and_the_typed_name_kept(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    """赟 is beyond the model: the card reads 张赞. The worker is told, nothing is changed."""
    card = cards.man("张赟", date(1965, 3, 15))
    photo = cards.photo(cards.front(card))
    p = person_with(db, files, clock, FakeCardReader({photo: read(card, name="张赞")}))
    await to_id_number(p, name="张赟")
    await p.files(stored(files, photo))
    assert "照片上的姓名读作“张赞”，您填写的是“张赟”。以您填写的为准" in p.texts()
    await p.tap("card_yes")

    def name(session):  # type: ignore[no-untyped-def]
        return session.scalars(select(Applicant)).one().full_name

    assert await db.run(name) == "张赟"


@pytest.mark.parametrize(
    ("reading", "said"),
    [
        (CardFront("unclear", problem="no_number"), "号码没有读清楚"),
        (CardFront("unclear", problem="birth_differs"), "号码没有读清楚"),
        (CardFront("back"), "这是身份证背面"),
        (CardFront("no_card"), "没有找到身份证号码"),
    ],
    ids=["blurred", "birth_disagrees", "back", "something_else"],
)
async def test_a_photo_without_a_valid_number_gets_a_retake_with_tips_and_the_offer_to_type(
    db: Database,
    files: FileStore,
    clock: Callable[[], datetime],
    reading: CardFront,
    said: str,
) -> None:
    photo = cards.photo(cards.front(CARD), Shot(blur=7))
    p = person_with(db, files, clock, FakeCardReader({photo: reading}))
    await to_id_number(p)
    await p.files(stored(files, photo))
    assert said in p.texts()
    assert "避开反光，让身份证占满画面，拿稳手机再拍" in p.texts()
    assert "输入" in p.texts() and p.question == "ask_id_number"
    assert p.choices() == []  # nothing to confirm


async def test_a_reader_too_busy_says_to_type_the_number(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    reader = FakeCardReader()
    reader.unavailable = "busy"
    p = person_with(db, files, clock, reader)
    await to_id_number(p)
    await p.files(stored(files, cards.photo(cards.front(CARD))))
    assert "现在暂时读不了照片，请直接输入18位身份证号码" in p.texts()
    assert p.question == "ask_id_number"


async def to_card_upload(p: Person, files: FileStore, typed: str) -> None:
    """Typed `typed` as the ID number, then every material before the ID card's."""
    await to_id_number(p)
    await p.text(typed)
    await p.contact("13847712345")
    await p.tap("normal")
    await p.text("十五年")
    await town_and_employer(p)
    for _ in range(4):
        await p.tap("no" if p.question != "ask_name_matches_archive" else "yes")
    while p.question != "ask_upload_id_card":
        await p.files(stored(files, cards.something_else(seed=len(p.question or ""))))
        await p.tap("done")


SOMEONE_ELSE = id_number("19650315")  # typed; one digit of the sequence apart from the card's


async def card_sent_after(
    db: Database, files: FileStore, clock: Callable[[], datetime], typed: str
) -> tuple[Person, bytes]:
    """A worker who typed `typed` sends the card's front (whose number is CARD's) at the ID
    card's upload; the photo is returned to send again."""
    photo = cards.photo(cards.front(CARD))
    p = person_with(db, files, clock, FakeCardReader({photo: read(CARD)}))
    await to_card_upload(p, files, typed)
    await p.files(stored(files, photo))
    return p, photo


async def test_someone_elses_card_is_held_not_counted_until_the_worker_says_which_is_right(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    photo = cards.photo(cards.front(CARD))
    p = person_with(db, files, clock, FakeCardReader({photo: read(CARD)}))
    await to_card_upload(p, files, SOMEONE_ELSE)
    assert "请拍身份证正面和背面" in p.texts()  # typed: both sides are asked for
    await p.files(stored(files, cards.something_else(seed=99)))  # no card on it
    assert "这张照片里好像没有身份证" in p.texts() and await pages(db, "id_card") == []
    await p.files(stored(files, photo))
    card, typed = f"{CARD.number[:4]}**********{CARD.number[-4:]}", SOMEONE_ELSE[:4]
    assert f"身份证照片上的号码是 {card}，和您填写的号码 {typed}**********" in p.texts()
    assert CARD.number not in p.texts()  # masked like the typed one
    assert "已收到" not in p.texts() and await pages(db, "id_card") == []
    assert p.choices() == ["card_retake", "card_fix", "card_keep"]
    await p.text("好的")  # no answer: asked again, still nothing counted
    assert "哪一个是对的" in p.texts() and await pages(db, "id_card") == []
    await p.text("重拍")
    assert "请拍您本人的身份证" in p.texts() and p.question == "ask_upload_id_card"
    assert await pages(db, "id_card") == []


async def test_a_number_typed_wrong_is_changed_and_the_same_photo_then_counts(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    p, photo = await card_sent_after(db, files, clock, SOMEONE_ELSE)
    await p.text("号码填错了")
    assert p.question == "ask_id_number" and "请重新输入您的身份证号码" in p.texts()
    await p.text(CARD.number)
    assert p.question == "ask_upload_id_card"  # the answers after the number are kept
    await p.files(stored(files, photo))
    assert "不一致" not in p.texts() and len(await pages(db, "id_card")) == 1


async def test_a_worker_who_keeps_both_numbers_sees_it_at_review_and_the_clerk_is_warned(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    p, _ = await card_sent_after(db, files, clock, SOMEONE_ELSE)
    await p.text("都没错，就用这张")
    assert "提交后工作人员会核对" in p.texts() and len(await pages(db, "id_card")) == 1
    await finish_uploads(p)
    assert p.question == "ask_review"
    card = f"{CARD.number[:4]}**********{CARD.number[-4:]}"
    assert f"⚠ 身份证照片上的号码 {card} 与填写的号码 {SOMEONE_ELSE[:4]}" in p.texts()
    await p.tap("submit")

    def form(session):  # type: ignore[no-untyped-def]
        return dict(session.scalars(select(Case)).one().form)

    rows = dict(Labels(Translator("zh_CN")).form_rows(await db.run(form), mask_id=True))
    assert rows["⚠ 身份证照片上的号码（与填写的号码不一致，申请人坚持提交，请核对）"] == card


async def test_without_a_reader_a_photo_at_the_number_question_is_as_before(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    """OCR switched off: the question does not offer a photo and a photo is not needed."""
    p = person_with(db, files, clock, None)
    await to_id_number(p)
    assert "请输入您的18位身份证号码：" in p.texts() and "拍" not in p.texts()
    await p.files(stored(files, cards.photo(cards.front(CARD))))
    assert p.message_keys()[0] == "dialogs.hint.text_expected"
    await p.text(CARD.number)
    assert p.question == "ask_phone"


async def test_the_whole_journey_with_a_confirmed_card_submits(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    photo = cards.photo(cards.front(CARD))
    p = person_with(db, files, clock, FakeCardReader({photo: read(CARD)}))
    await to_id_number(p)
    await p.files(stored(files, photo))
    await p.tap("card_yes")
    await p.contact("13847712345")
    await p.tap("normal")
    await p.text("十五年")
    await town_and_employer(p)
    for _ in range(4):
        await p.tap("no" if p.question != "ask_name_matches_archive" else "yes")
    await finish_uploads(p)
    assert p.question == "ask_review"
    await p.tap("submit")
    assert p.last is not None and p.last.case_number
    assert len(await pages(db, "id_card")) == 2  # the confirmed front and one more page


async def test_a_reading_left_waiting_is_forgotten_when_the_journey_starts_again(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    photo = cards.photo(cards.front(CARD))
    p = person_with(db, files, clock, FakeCardReader({photo: read(CARD)}))
    await to_id_number(p)
    await p.files(stored(files, photo))

    def held(session):  # type: ignore[no-untyped-def]
        return session.scalars(select(Applicant)).one().card_number_enc

    assert await db.run(held) is not None  # encrypted, never the number in clear
    await p.tap("card_no")
    await p.send(Choice("card_yes", "ask_id_number"))  # the same keyboard, pressed again
    assert p.message_keys()[0] == "dialogs.stale_button" and p.question == "ask_id_number"
    await p.files(stored(files, photo))
    await p.command("restart")
    await p.tap("yes")
    assert await db.run(held) is None


async def test_an_album_of_both_sides_gives_the_number_and_keeps_both_as_the_cards_pages(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    """The back first, as a phone's album may order them: the front gives the number, both
    photos become the ID card material (front first), and its upload is never asked."""
    front, back = cards.photo(cards.front(CARD)), cards.photo(cards.back())
    reader = FakeCardReader({front: read(CARD), back: CardFront("back")})
    p = person_with(db, files, clock, reader)
    await to_id_number(p)
    sent_back, sent_front = stored(files, back), stored(files, front)
    await p.files(sent_back, sent_front)
    assert sorted(reader.asked) == sorted([front, back])  # both read
    n = CARD.number
    assert f"{n[:6]} {n[6:14]} {n[14:]}" in p.texts() and p.choices() == ["card_yes", "card_no"]
    await p.tap("card_yes")
    assert "正面和背面这两张照片也已收下" in p.texts() and p.question == "ask_phone"
    kept = [pg.sha256 for pg in await pages(db, "id_card")]
    assert kept == [sent_front.sha256, sent_back.sha256]
    await p.contact("13847712345")
    await p.tap("normal")
    await p.text("十五年")
    await town_and_employer(p)
    for _ in range(4):
        await p.tap("no" if p.question != "ask_name_matches_archive" else "yes")
    asked = []
    for _ in range(12):
        if not (p.question or "").startswith("ask_upload_"):
            break
        asked.append(p.question)
        await p.files(stored(files, cards.something_else(seed=len(asked))))
        await p.tap("done")
    assert asked and "ask_upload_id_card" not in asked
    assert p.question == "ask_review"
    await p.tap("submit")
    assert p.last is not None and p.last.case_number
    assert [pg.sha256 for pg in await pages(db, "id_card")] == kept


async def test_an_album_whose_other_photo_is_no_card_keeps_the_front_only(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    front, other = cards.photo(cards.front(CARD)), cards.something_else()
    p = person_with(db, files, clock, FakeCardReader({front: read(CARD)}))
    await to_id_number(p)
    sent_front = stored(files, front)
    await p.files(sent_front, stored(files, other))
    await p.tap("card_yes")
    assert "这张照片也算作身份证正面" in p.texts()
    assert [pg.sha256 for pg in await pages(db, "id_card")] == [sent_front.sha256]


async def test_at_the_card_upload_a_page_that_is_no_card_is_named_and_the_front_kept(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    """An album of the card's front and an ordinary page: not "已收到身份证，共2页"."""
    front, other = cards.photo(cards.front(CARD)), cards.something_else(seed=7)
    p = person_with(db, files, clock, FakeCardReader({front: read(CARD)}))
    await to_card_upload(p, files, CARD.number)
    sent_front = stored(files, front)
    await p.files(sent_front, stored(files, other))
    said = p.texts()
    assert "第2张照片里好像没有身份证" in said and "共2页" not in said
    assert [pg.sha256 for pg in await pages(db, "id_card")] == [sent_front.sha256]
    assert p.question == "ask_upload_id_card"  # the back is still to come


async def test_with_the_front_kept_a_second_front_is_not_taken_for_the_back(
    db: Database, files: FileStore, clock: Callable[[], datetime]
) -> None:
    """The front confirmed at the ID number; at the ID card material the worker sends the
    front again, then front and back as an album: only the back joins the kept front."""
    front, again = cards.photo(cards.front(CARD)), cards.photo(cards.front(CARD), Shot(angle=4))
    back = cards.photo(cards.back())
    reader = FakeCardReader({front: read(CARD), again: read(CARD), back: CardFront("back")})
    p = person_with(db, files, clock, reader)
    await to_id_number(p)
    sent_front = stored(files, front)
    await p.files(sent_front)
    await p.tap("card_yes")
    await p.contact("13847712345")
    await p.tap("normal")
    await p.text("十五年")
    await town_and_employer(p)
    for _ in range(4):
        await p.tap("no" if p.question != "ask_name_matches_archive" else "yes")
    while p.question != "ask_upload_id_card":
        await p.files(stored(files, cards.something_else(seed=len(p.question or ""))))
        await p.tap("done")
    await p.files(stored(files, again))
    assert "之前已经收到过" in p.texts() and p.question == "ask_upload_id_card"
    assert [pg.sha256 for pg in await pages(db, "id_card")] == [sent_front.sha256]
    sent_back = stored(files, back)
    await p.files(stored(files, again), sent_back)
    assert p.question != "ask_upload_id_card"
    assert [pg.sha256 for pg in await pages(db, "id_card")] == [
        sent_front.sha256,
        sent_back.sha256,
    ]
