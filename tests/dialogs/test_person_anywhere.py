"""转人工 at any stage (issue 13): a task for the clerk with the worker's words and where they
were, the day of the call on the working-day clock, and the journey goes on where it was.
Signing is covered in tests/aftercare/test_signing_way_out.py."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.clock import LOCAL_TZ
from cases.db import Database
from cases.models import StaffTask
from integrations.platform.labels import Labels
from locales import Translator
from tests.dialogs.conftest import Person
from tests.dialogs.test_guidance import at_employer
from tests.dialogs.test_journeys import finish_uploads
from tests.dialogs.test_robustness import at_name, at_upload

# NOW is Thursday 2026-11-26 10:00: the clerk phones by the next working day, Friday.
CALL_BY = "2026年11月27日"
ASKED = ["转人工", "人工客服", "我要找真人", "找个工作人员帮我", "I want to talk to a person"]


def handovers(session) -> list[dict]:  # type: ignore[no-untyped-def]
    query = select(StaffTask).where(StaffTask.kind == "handover").order_by(StaffTask.id)
    return [dict(t.detail) for t in session.scalars(query)]


def called_and_same_question(person: Person, question: str) -> None:
    assert "dialogs.person_called" in person.message_keys()
    assert CALL_BY in person.texts() or "Nov" in person.texts()
    assert person.question == question
    assert person.last is not None and person.last.state != "handed_to_person"


@pytest.mark.parametrize("typed", ASKED)
async def test_at_a_question_the_task_opens_and_the_question_stays(
    person: Person, db: Database, typed: str
) -> None:
    await at_name(person)
    await person.text("张建国")
    assert person.question == "ask_id_number"
    await person.text(typed)
    called_and_same_question(person, "ask_id_number")
    (detail,) = await db.run(handovers)
    assert detail["stage"] == "before_submission" and detail["question"] == "ask_id_number"
    assert detail["words"] == typed
    await person.text("150627196503151218")  # the journey goes on from there
    assert person.question == "ask_phone"
    # The clerk's task is due when the worker was told: Friday, by the office's close.
    due = await db.run(lambda s: s.scalars(select(StaffTask.due_at)).one())
    friday_close = datetime(2026, 11, 27, 18, tzinfo=LOCAL_TZ)
    assert due is not None and due.astimezone(LOCAL_TZ) == friday_close


async def test_at_an_upload_step(person: Person, db: Database) -> None:
    await at_upload(person)
    await person.text("转人工，这个身份证我不会拍")
    called_and_same_question(person, "ask_upload_id_card")
    (detail,) = await db.run(handovers)
    assert detail["stage"] == "upload" and detail["question"] == "ask_upload_id_card"
    assert "不会拍" in detail["words"]


async def test_a_tapped_person_button_goes_on_too(person: Person, db: Database) -> None:
    await at_name(person)
    await person.text("张建国")
    for _ in range(3):
        await person.text("1506271965")
    await person.tap("person")
    called_and_same_question(person, "ask_id_number")
    assert await db.run(handovers) == [
        {"reason": "asked", "question": "ask_id_number", "stage": "before_submission"}
    ]


async def submit(person: Person) -> None:
    await person.through_identity()
    await person.tap("normal")
    await person.text("15年")
    await person.tap("altan_xire")
    for answer in ("no", "yes", "no", "no", "no"):
        await person.tap(answer)
    await finish_uploads(person)
    await person.tap("submit")
    assert person.last is not None and person.last.state == "submitted"


@pytest.mark.parametrize("typed", ["转人工", "我要找人工问问养老金的事", "human please"])
async def test_after_submission(person: Person, db: Database, typed: str) -> None:
    await submit(person)
    await person.text(typed)
    assert "dialogs.person_called" in person.message_keys()
    assert "请选择" not in person.texts()  # no button that is not there
    assert person.last is not None and person.last.state == "submitted"
    (detail,) = await db.run(handovers)
    assert detail["stage"] == "after_submission" and detail["words"] == typed


async def test_numbers_in_the_words_are_masked_for_the_clerk(person: Person, db: Database) -> None:
    await at_upload(person)
    await person.text("转人工 我电话13904771234")
    (detail,) = await db.run(handovers)
    assert "13904771234" not in detail["words"]
    assert "aftercare.numbers_hidden" in person.message_keys()


@pytest.mark.parametrize("typed", ["转人工", "人工客服", "找工作人员"])
async def test_at_the_employer_name_the_words_are_no_employer(
    person: Person, db: Database, typed: str
) -> None:
    await at_employer(person)
    await person.tap("yes")
    await person.text(typed)
    called_and_same_question(person, "ask_employer_name")
    (detail,) = await db.run(handovers)
    assert detail["question"] == "ask_employer_name" and detail["words"] == typed
    await person.text("伊金霍洛旗伊泰煤矿有限公司")  # the real name is still taken
    assert person.question != "ask_employer_name"


async def test_the_question_the_bot_could_not_answer_goes_with_the_hand_over(
    person: Person, db: Database
) -> None:
    """The worker asks something the bot cannot answer, then 转人工: the clerk reads the
    question itself, and the step's name keeps its own quotes readable."""
    await person.to_the_form_upload()
    await person.text("我现在没有打印机怎么办")
    assert "这个问题我回答不了" in person.texts() and "不想答错" not in person.texts()
    await person.text("转人工")
    (detail,) = await db.run(handovers)
    assert detail["earlier"] == "我现在没有打印机怎么办"
    shown = Labels(Translator("zh_CN")).task_context(detail)
    assert shown == (
        "上传材料时，在“企业职工退休‘一件事一次办’申请表”一步：“转人工”"
        "；此前问过机器人没答上的问题：“我现在没有打印机怎么办”"
    )


async def test_a_question_answered_since_is_not_carried(person: Person, db: Database) -> None:
    await at_name(person)
    await person.text("张建国")
    await person.text("我现在没有打印机怎么办")
    assert "这个问题我回答不了" in person.texts()
    await person.text("150627196503151218")
    await person.text("转人工")
    (detail,) = await db.run(handovers)
    assert "earlier" not in detail
