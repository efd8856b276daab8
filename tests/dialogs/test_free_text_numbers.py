"""The employer's name refuses an ID or mobile number politely and asks again; nothing of the
number is kept."""

from __future__ import annotations

import pytest

from cases.db import Database
from cases.models import Conversation
from dialogs.engine.free_text import masked_words
from dialogs.state import ConversationData
from tests.dialogs.conftest import Person, rows
from tests.dialogs.test_guidance import at_employer


async def answers(db: Database) -> dict:
    """The answers as stored (what the offices and the form would get)."""
    conversation = await rows(db, lambda s: s.query(Conversation).one())
    return ConversationData.from_json(conversation.state, conversation.answers).answers


@pytest.mark.parametrize(
    "typed",
    [
        "伊金霍洛旗煤矿 150627196505150016",
        "联系人电话１３８ ００１３ ８０００",
        "+86 138-0013-8000 伊泰集团",
    ],
)
async def test_an_employer_name_with_a_number_is_refused_and_asked_again(
    person: Person, db: Database, typed: str
) -> None:
    await at_employer(person)
    await person.tap("yes")
    assert person.question == "ask_employer_name"
    await person.text(typed)
    assert "请不要写身份证号或手机号" in person.texts()
    assert person.question == "ask_employer_name"
    assert "employer_name" not in await answers(db)

    await person.text("伊金霍洛旗伊泰煤矿有限公司")
    assert person.question != "ask_employer_name"
    assert (await answers(db))["employer_name"] == "伊金霍洛旗伊泰煤矿有限公司"


def test_words_for_staff_keep_what_was_said_with_the_numbers_masked() -> None:
    assert masked_words("请打我电话 138 0013 8000，身份证150627196505150016") == (
        "请打我电话 138****8000，身份证1506**********0016",
        True,
    )
    assert masked_words("  养老金少了 300 元  ") == ("养老金少了 300 元", False)
    assert len(masked_words("说" * 900)[0]) == 500
