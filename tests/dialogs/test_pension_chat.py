"""养老金测算 in the conversation (issue 15), as the pure engine: offered with the verdict,
given on request mid-journey and after the case is closed, from the worker's answers and the
test base figures (8000 yuan, 2024; tests/policy/fixtures/pension_base_test.toml)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dialogs import engine
from dialogs.events import Event, Text
from dialogs.state import Context, ConversationData, ResultView
from locales import Translator
from locales.replies import Reply, render
from policy.pension_base import BaseTable, load_base_table

FIXTURE = Path(__file__).parents[1] / "policy" / "fixtures" / "pension_base_test.toml"
TODAY = date(2026, 4, 30)
# Born 1966-01: statutory 60y4m, 2026-05; divisor 139 - 7 x 4/12 = 136.67 -> 136.7.
ANSWERS: dict[str, Any] = {
    "name": "王建国",
    "id_number": {"masked": "1506**********1310", "birth_date": "1966-01-09", "sex": "male"},
    "category": "male",
    "retirement_type": "normal",
    "contribution_months": 360,
}


def said(replies: list[Reply]) -> str:
    tr = Translator("zh_CN")
    return "\n".join(render(r.message, tr) for r in replies)


def turn(state: str, event: Event, table: BaseTable | None = None, **answers: Any) -> Any:
    data = ConversationData(state, "zh_CN", {**ANSWERS, **answers})
    result = ResultView("YJ-20260430-0001", "closed") if state == "finished" else None
    ctx = Context(TODAY, result=result, pension_base=table or load_base_table(FIXTURE))
    return engine.handle(data, event, ctx)


def test_asked_mid_journey_with_index_and_balance_then_the_question_again():
    # basic   = 8000 x (1 + 1.1)/2 x 30 x 1% = 2520.00 .. 8000 x (1 + 1.3)/2 x 0.30 = 2760.00
    # account = 80000 / 136.7 = 585.22; total 3105.22 .. 3345.22, shown in whole yuan
    out = turn("ask_town", Text("测算 指数1.2 余额8万"))
    text = said(out.replies)
    assert "估算，以社保经办机构核定为准" in text
    assert "基础养老金：约2520至2760元/月" in text
    assert "个人账户养老金：约585元/月" in text
    assert "合计：约3105至3345元/月" in text
    assert "2026年的计发基数尚未公布" in text and "2024年" in text
    assert out.data.state == "ask_town" and out.replies[-1].question == "ask_town"


@pytest.mark.parametrize("words", ["我能领多少养老金", "养老金测算", "退休后一个月能领多少钱"])
def test_after_the_case_is_closed_the_question_is_answered(words):
    # index not given: 0.6 .. 1.0; basic = 8000 x 0.8 x 0.30 = 1920 .. 8000 x 1.0 x 0.30 = 2400
    out = turn("finished", Text(words))
    text = said(out.replies)
    assert "基础养老金：约1920至2400元/月" in text, text
    assert "个人账户养老金未计入" in text
    assert out.data.state == "finished"


@pytest.mark.parametrize("words", ["养老金什么时候开始发", "养老金每月几号发"])
@pytest.mark.parametrize("state", ["ask_town", "finished"])
def test_when_the_pension_is_paid_is_answered_with_when_not_how_much(words, state):
    text = said(turn(state, Text(words)).replies)
    assert "结果告知单" in text and "开始发" in text
    assert "元/月" not in text  # not the estimate


def test_after_closing_an_ordinary_question_gets_its_answer_not_only_the_menu():
    out = turn("finished", Text("医保费怎么补缴"))
    first = render(out.replies[0].message, Translator("zh_CN"))
    assert out.replies[0].key != "aftercare.finished", first
    assert out.data.state == "finished"


def test_no_base_figure_is_said_plainly_in_the_chat():
    out = turn("ask_town", Text("养老金测算"), table=BaseTable())
    text = said(out.replies)
    assert "内蒙古2026年的养老金计发基数尚未公布" in text
    assert "基础养老金：约" not in text and "合计：约" not in text


@pytest.mark.parametrize("table", [load_base_table(FIXTURE), BaseTable()], ids=["base", "none"])
def test_the_verdict_offers_the_estimate_only_where_it_can_give_a_figure(table: BaseTable):
    """With no base figure on file (the shipped empty file) no estimate is offered."""
    data = ConversationData("ask_contribution", "zh_CN", {**ANSWERS})
    data.answers.pop("contribution_months")
    out = engine.handle(data, Text("30年"), Context(TODAY, pension_base=table))
    text = said(out.replies)
    assert "预审结果" in text
    assert ("发“养老金测算”" in text) == bool(table.bases)
