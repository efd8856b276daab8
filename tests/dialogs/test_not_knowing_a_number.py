""" "不知道" at the ID-number question is no wrong answer ("只能是数字" it was): the worker is
told where the number is printed, offered the card's photo where cards are read, and given
the 转人工 button (issue 13)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from app.settings import Settings
from cases.db import Database
from cases.files import FileStore
from dialogs.card_reader import CardPhotos
from dialogs.service import ConversationService
from integrations.idcard.fake import FakeCardReader
from tests.dialogs.conftest import Person
from tests.dialogs.test_card_photo import to_id_number

NOT_KNOWING = ["不知道", "不知道啊", "我不记得了", "记不清", "忘了", "不清楚", "I don't know"]


@pytest.mark.parametrize("typed", NOT_KNOWING)
async def test_where_to_find_the_number_and_a_person(person: Person, typed: str) -> None:
    await to_id_number(person)
    await person.text(typed)
    keys = person.message_keys()
    assert "dialogs.not_known.id_number" in keys and "dialogs.not_known.person" in keys
    assert "只能是数字" not in person.texts() and "policy.idcard" not in " ".join(keys)
    assert person.question == "ask_id_number" and "person" in person.choices()
    assert "身份证正面" in person.texts()


async def test_the_card_photo_is_offered_where_cards_are_read(
    db: Database, tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    files = FileStore(tmp_path / "files", 20 * 1024 * 1024, vault=db.require_vault())
    photos = CardPhotos(FakeCardReader(), files, db)
    person = Person(ConversationService(db, Settings(), clock=clock, card_photos=photos))
    await to_id_number(person)
    await person.text("不知道")
    assert "card_photo.ask_id_number" in person.message_keys()  # the photo offered,
    assert person.texts().count("拍一张身份证正面") == 1  # once: the question asked again


async def test_the_person_button_then_opens_a_task_and_the_number_still_counts(
    person: Person,
) -> None:
    await to_id_number(person)
    await person.text("不知道")
    await person.tap("person")
    assert "dialogs.person_called" in person.message_keys()
    await person.text("150627196503151218")
    assert person.question == "ask_phone"


async def test_a_wrong_number_is_still_explained(person: Person) -> None:
    await to_id_number(person)
    await person.text("15062719650315121")
    assert "dialogs.not_known.id_number" not in person.message_keys()
    assert person.question == "ask_id_number"


async def test_not_knowing_the_phone(person: Person) -> None:
    await to_id_number(person)
    await person.text("150627196503151218")
    await person.text("不知道")
    assert "dialogs.not_known.phone" in person.message_keys() and person.question == "ask_phone"
