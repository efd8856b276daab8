"""/mydata: the worker sees what is stored about them, masked, and who has seen it; deletion
goes through /cancel's confirmation, which says what will be deleted."""

from __future__ import annotations

from tests.dialogs.conftest import Person, id_number

NUMBER = id_number("19650315")


async def test_before_anything_is_stored_the_worker_is_told_so(person: Person) -> None:
    await person.command("mydata")
    assert person.texts() == "我们还没有保存您的任何信息。"


async def test_the_worker_sees_their_data_masked_and_the_question_stays_open(
    person: Person,
) -> None:
    await person.through_identity(name="张建国", number=NUMBER, phone="13847712345")
    question = person.question
    await person.command("mydata")
    text = person.texts()
    assert "姓名：张建国" in text
    # One mask style, as on the review and on staff pages.
    assert f"身份证号：{NUMBER[:4]}**********{NUMBER[-4:]}" in text and NUMBER not in text
    assert "手机号：138****2345" in text and "13847712345" not in text
    assert "同意办理的时间：2026-11-26" in text
    assert "申请：还没有提交" in text and "还没有工作人员看过" in text
    assert "请发送 /cancel" in text
    assert person.question == question  # nothing changed: the same question is still open

    await person.command("cancel")
    assert person.question == "ask_cancel"  # the existing confirmation names what goes
    assert "确认后将删除" in person.texts() and "姓名" in person.texts()
    await person.tap("yes")
    await person.command("mydata")
    assert person.texts() == "我们还没有保存您的任何信息。"  # what was promised is gone
