"""Issue 13: any real name is accepted at the name question (numerals, the middle dot of
Mongolian names), and phone and ID numbers are read out of a sentence."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.engine import handle
from dialogs.events import Text
from dialogs.state import Context, ConversationData, SaveIdentity
from locales import Translator
from locales.replies import render
from tests.dialogs.conftest import id_number

CTX = Context(today=date(2026, 11, 26))


def at(state: str) -> ConversationData:
    return ConversationData(
        state=state, language="zh_CN", answers={"language": "zh_CN", "consent": "v"}
    )


def saved(out: object) -> SaveIdentity | None:
    return next((c for c in out.commands if isinstance(c, SaveIdentity)), None)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("冯十三", "冯十三"),
        ("王五十", "王五十"),
        ("李一", "李一"),
        ("张三", "张三"),
        ("乌力吉·巴特尔", "乌力吉·巴特尔"),
        ("乌力吉•巴特尔", "乌力吉·巴特尔"),
        ("乌力吉・巴特尔", "乌力吉·巴特尔"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("王百万", "王百万"),
        ("刘一千", "刘一千"),
        ("我叫冯十三", "冯十三"),
        ("姓名：乌力吉·巴特尔", "乌力吉·巴特尔"),
        ("阿拉坦其其格", "阿拉坦其其格"),
    ],
)
def test_a_real_name_is_accepted(typed: str, name: str) -> None:
    out = handle(at("ask_name"), Text(typed), CTX)
    assert out.data.answers.get("name") == name, [r.key for r in out.replies]
    assert out.data.state == "ask_id_number"


@pytest.mark.parametrize(
    "typed", ["张", "一二三四五六七八九十一二三四五六七八九十一", "养老金怎么算？"]
)
def test_what_is_no_name_is_not_taken_for_one(typed: str) -> None:
    out = handle(at("ask_name"), Text(typed), CTX)
    assert "name" not in out.data.answers


@pytest.mark.parametrize(
    ("typed", "phone"),
    [
        ("手机13904771234", "13904771234"),
        ("我的手机号是 139 0477 1234", "13904771234"),
        ("电话：0477-8123456", "04778123456"),
        ("13904771234", "13904771234"),
        ("手机号13904771234，白天都能打", "13904771234"),
    ],
)
def test_a_phone_is_read_out_of_a_sentence(typed: str, phone: str) -> None:
    out = handle(at("ask_phone"), Text(typed), CTX)
    found = saved(out)
    assert found is not None and found.phone == phone


def test_two_phones_in_a_sentence_are_asked_again() -> None:
    out = handle(at("ask_phone"), Text("13904771234或者13804771234"), CTX)
    assert saved(out) is None


@pytest.mark.parametrize(
    "template",
    ["我的身份证是{}", "身份证号：{}", "{}", "身份证 {} 谢谢"],
)
def test_an_id_number_is_read_out_of_a_sentence(template: str) -> None:
    number = id_number("19650515")
    out = handle(at("ask_id_number"), Text(template.format(number)), CTX)
    found = saved(out)
    assert found is not None and found.id_number == number


def test_a_number_a_digit_short_says_how_many_were_typed() -> None:
    out = handle(at("ask_id_number"), Text(id_number("19650515")[:17]), CTX)
    said = render(out.replies[0].message, Translator("zh_CN"))
    assert said.startswith("您输入了17位，身份证号码应为18位") and saved(out) is None


def test_a_mans_edit_menu_has_no_post_category() -> None:
    """Issue 13: 岗位类别 was offered to a man; choosing 工人岗 made him a woman worker."""
    man = {"masked": "150627********0011", "birth_date": "1965-03-15", "sex": "male"}
    answers = {"language": "zh_CN", "consent": "v", "name": "张建国", "id_number": man}
    answers |= {"phone": "138****2345", "category": "male", "retirement_type": "normal"}
    data = ConversationData(state="ask_review", language="zh_CN", answers=answers)
    out = handle(data, Text("修改"), CTX)
    ids = [o.id for o in out.replies[-1].choices]
    assert out.replies[-1].question == "ask_edit"
    assert "ask_name" in ids and "ask_category" not in ids
