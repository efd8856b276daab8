"""Issue 13: when the intent classifier does not know, the bot says it did not understand and
offers help and a person, instead of answering a question nobody asked.

The engine is a pure function: the conversation stands at a question, the words arrive, and
the test reads what the worker is told (rendered in Chinese)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dialogs.engine import handle
from dialogs.events import Text
from dialogs.state import Context, ConversationData
from locales import Translator
from locales.replies import render

CTX = Context(today=date(2026, 11, 26))
MAN = {"masked": "150627********0011", "birth_date": "1965-03-15", "sex": "male"}
ANSWERS: dict[str, Any] = {
    "language": "zh_CN",
    "consent": "v",
    "name": "张建国",
    "id_number": MAN,
    "phone": "138****2345",
    "category": "male",
}
NOT_UNDERSTOOD = Translator()("understanding.not_understood")


def say(state: str, text: str) -> tuple[list[str], list[str]]:
    """(the texts the worker reads, the choices of the last question asked)."""
    data = ConversationData(state=state, language="zh_CN", answers=dict(ANSWERS))
    out = handle(data, Text(text), CTX)
    texts = [render(r.message, Translator()) for r in out.replies]
    asked = [r for r in out.replies if r.question is not None]
    return texts, [o.id for o in asked[-1].choices] if asked else []


@pytest.mark.parametrize(
    ("state", "text"),
    [
        ("ask_retirement_type", "低保怎么申请？"),
        ("ask_retirement_type", "今天天气怎么样"),
        ("ask_phone", "高龄补贴在哪领"),
        ("ask_contribution", "孩子上学怎么报名？"),
        ("ask_has_employer", "how do I top up my phone?"),
        ("ask_veteran", "附近哪里有超市"),
    ],
)
def test_a_question_it_cannot_place_is_said_not_understood_and_a_person_offered(state, text):
    texts, choices = say(state, text)
    # One message: not understood on top, the question asked again below it.
    assert texts[0].startswith(NOT_UNDERSTOOD + "\n")
    assert "转人工" in texts[0] and "/help" in texts[0]
    assert "person" in choices  # the offer is a button on the question asked again
    assert len(texts) == 1  # and nothing else: no FAQ answer to a question nobody asked


@pytest.mark.parametrize(("state", "text"), [("ask_retirement_type", "好"), ("ask_veteran", "哦")])
def test_words_that_ask_nothing_get_the_questions_own_hint(state, text):
    texts, _ = say(state, text)
    assert NOT_UNDERSTOOD not in texts
    assert "没有看懂您的回答" in texts[0]


@pytest.mark.parametrize(
    "text", ["I don't know", "不知道", "我也不知道啊", "我不懂", "看不懂", "随便"]
)
@pytest.mark.parametrize("state", ["ask_retirement_type", "ask_has_employer", "ask_phone"])
def test_not_knowing_never_leads_to_cancelling_nor_to_a_wrong_answer(state, text):
    texts, _ = say(state, text)
    joined = "\n".join(texts)
    assert "撤回" not in joined and "删除" not in joined and "/cancel" not in joined
    assert "丢了也能办" not in joined  # the lost-document answer ("不知道" was that, at 0.999)


def test_a_real_question_is_still_answered_mid_journey():
    texts, _ = say("ask_has_employer", "公积金怎么取？")
    assert "公积金" in texts[0] and NOT_UNDERSTOOD not in texts


def test_after_submission_a_question_it_cannot_place_is_said_not_understood():
    data = ConversationData(state="submitted", language="zh_CN", answers=dict(ANSWERS))
    out = handle(data, Text("低保怎么申请？"), CTX)
    texts = [render(r.message, Translator()) for r in out.replies]
    assert texts[0] == Translator()("understanding.not_understood_idle")


@pytest.mark.parametrize(
    ("state", "text", "helps"),
    [
        ("ask_retirement_type", "不知道", "选“正常退休”"),
        ("ask_retirement_type", "不清楚", "选“正常退休”"),
        ("ask_retirement_type", "我也不知道", "选“正常退休”"),
        ("ask_category", "不知道", "单位人事部门也清楚"),
        ("ask_category", "记不清", "管理或技术岗"),
    ],
)
def test_not_knowing_how_to_choose_gets_how_to_choose_and_a_person(state, text, helps):
    texts, choices = say(state, text)
    assert helps in texts[0] and NOT_UNDERSTOOD not in texts
    assert "person" in choices  # the same question again, with 转人工 on it
