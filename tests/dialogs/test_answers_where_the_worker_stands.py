"""After the result, answers follow where the worker stands: the housing-fund steps that were
sent are sent again (not promised "once the case is done"), /help lists only what is still to
do, the approved monthly pension is said instead of an estimate, and a question asked at the
signature gets its answer before the sign prompt again."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dialogs.events import Command, Text
from dialogs.state import ConversationData
from tests.dialogs.test_after_result import NAME, SHA, said, turn, view
from tests.dialogs.test_pension_chat import ANSWERS

APPROVED = Decimal("2860.40")
CLOSED = view(status="closed", signed=True, rating="satisfied", monthly_pension=APPROVED)


def at(state: str, **kept: str) -> ConversationData:
    """The worker's conversation, answers and all, at `state` after the result."""
    return ConversationData(state, "zh_CN", {**ANSWERS, "name": NAME, "aftercare": kept})


def test_housing_fund_asked_after_closing_gets_the_steps_that_were_sent() -> None:
    text = said(turn(at("finished"), Text("公积金怎么取"), CLOSED).replies)
    assert "之前已经发给您" in text and "正常退休提取" in text
    assert "办结后，我会把" not in text


def test_help_once_signed_and_rated_lists_neither() -> None:
    text = said(turn(at("finished"), Command("help"), CLOSED).replies)
    assert "已办结" in text and "签字确认" not in text and "进行评价" not in text


def test_help_once_signed_lists_the_rating_but_not_the_signature() -> None:
    signed = view(status="signed", signed=True)
    text = said(turn(at("ask_rating"), Command("help"), signed).replies)
    assert "进行评价" in text and "签字确认" not in text


def test_the_estimate_asked_once_approved_is_the_approved_figure() -> None:
    text = said(turn(at("finished"), Text("养老金测算"), CLOSED).replies)
    assert "每月 2,860.40 元" in text
    assert "暂时算不出合计" not in text and "计发基数尚未公布" not in text


def test_a_question_where_the_name_is_asked_is_answered_then_the_sign_prompt() -> None:
    result = view(monthly_pension=APPROVED)
    out = turn(at("ask_signature_name"), Text("养老金2860是每个月吗"), result)
    text = said(out.replies)
    assert "每月 2,860.40 元" in text and "签字只需要输入您的姓名" not in text
    assert out.data.failures == 0 and out.replies[-1].question == "ask_signature_name"
    assert "完成签字" in said(out.replies[-1:])


@pytest.mark.parametrize("question", ["养老金2860是每个月吗", "公积金怎么取"])
def test_a_question_at_the_confirmation_is_answered_then_the_confirmation(question: str) -> None:
    data = at("ask_signature_confirm", signature_name=NAME, signature_sha=SHA)
    out = turn(data, Text(question), view(monthly_pension=APPROVED))
    assert out.commands == [] and out.replies[-1].question == "ask_signature_confirm"
    assert "请点下面的按钮" not in said(out.replies) and len(out.replies) >= 2
