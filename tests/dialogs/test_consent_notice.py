"""The personal-data notice before consent (POLICY §9): short enough to read on a phone,
naming what is collected, why, who sees it, how long and how to withdraw; the whole notice
(each office and what it sees) one tap away, and the consent asked on it too."""

from __future__ import annotations

from tests.dialogs.conftest import Person


async def to_consent(person: Person) -> None:
    await person.command("start")
    await person.tap("zh_CN")
    assert person.question == "ask_consent"


async def test_the_notice_is_short_and_says_what_why_who_how_long_and_how_to_withdraw(
    person: Person,
) -> None:
    await to_consent(person)
    notice = person.texts()
    assert len(notice.splitlines()) <= 10
    for part in ("身份证号码", "敏感个人信息", "只用于办理", "经办机构", "180天", "/cancel"):
        assert part in notice, part
    assert "旗医疗保障局" not in notice  # the offices one by one: in the whole notice
    assert "完整说明" in notice and "full_text" in person.choices()


async def test_the_whole_notice_is_one_tap_away_and_asks_the_same_consent(
    person: Person,
) -> None:
    await to_consent(person)
    await person.tap("full_text")
    assert person.message_keys() == ["dialogs.consent_full"]  # one message, the question
    assert person.question == "ask_consent" and person.choices() == ["agree", "decline"]
    whole = person.texts()
    assert "旗医疗保障局：姓名、身份证号码、手机号、参保单位" in whole
    assert "您是否同意" in whole
    await person.tap("agree")
    assert person.question == "ask_name"


async def test_typing_for_the_details_shows_the_whole_notice(person: Person) -> None:
    await to_consent(person)
    await person.text("我想看看详细说明")
    assert person.message_keys() == ["dialogs.consent_full"]
    await person.text("同意")
    assert person.question == "ask_name"
