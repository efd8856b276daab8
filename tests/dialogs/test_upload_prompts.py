"""The upload prompts say what to send; a count of pages appears only once a page is in
(never "已收到0页" before the first one)."""

from __future__ import annotations

from tests.dialogs.conftest import Person, page


async def test_the_first_upload_prompt_says_what_to_send_and_no_count(person: Person) -> None:
    await person.to_the_form_upload()
    first = person.texts()
    assert "请拍照或发PDF：申请表（本人签字即可）。拍完点“完成”。" in first
    assert "已收到" not in first and "0页" not in first

    await person.files(page("form-1"))
    assert person.question == "ask_upload_application_form"
    assert "已收到1页。拍完点“完成”。" in person.texts()

    await person.tap("done")
    assert person.question == "ask_upload_id_card"
    card = person.texts()
    assert "请拍身份证正面和背面，共两张。" in card and "已收到0页" not in card


async def test_each_photo_gets_one_message_saying_what_is_in_and_what_is_next(
    person: Person,
) -> None:
    await person.to_the_form_upload()
    for n in (1, 2):
        await person.files(page(f"form-{n}"))
        assert person.message_keys() == ["dialogs.ask_upload_application_form"]
        assert f"已收到{n}页。拍完点“完成”。" in person.texts()

    await person.tap("done")
    await person.files(page("card-front"))
    assert person.message_keys() == ["dialogs.ask_upload_id_card"]
    assert "正面和背面" in person.texts() and "已收到1页" in person.texts()
    # The last page the card can take: the receipt, then the next material's question.
    await person.files(page("card-back"))
    assert person.message_keys() == [
        "dialogs.pages_received",
        "dialogs.ask_upload_social_security_card",
    ]
    assert "已收到身份证，共2页" in person.texts()
