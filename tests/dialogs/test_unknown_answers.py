"""Issue 13: "不知道" is an answer where an office can find out. Recorded as "unknown", it asks
for no upload; the checklist says which office checks and what to bring if it cannot; the
review shows 不清楚. Where no office can find out (veteran, employer) it is no answer."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dialogs.engine import handle
from dialogs.engine.one_form import one_form
from dialogs.events import Text
from dialogs.state import Context, ConversationData
from locales import Translator
from locales.replies import render

CTX = Context(today=date(2026, 11, 26))
MAN = {"masked": "150627********0011", "birth_date": "1965-03-15", "sex": "male"}
BASE: dict[str, Any] = {
    "language": "zh_CN",
    "consent": "v",
    "name": "张建国",
    "id_number": MAN,
    "phone": "138****2345",
    "category": "male",
    "retirement_type": "normal",
    "contribution_months": 240,
    "town": "altan_xire",
    "has_employer": False,
}


def at(state: str, **answers: Any) -> ConversationData:
    return ConversationData(state=state, language="zh_CN", answers=BASE | answers)


def shown(out: Any, language: str = "zh_CN") -> str:
    tr = Translator(language)
    return "\n".join(render(r.message, tr) for r in out.replies)


@pytest.mark.parametrize(
    ("question", "then"),
    [
        ("ask_name_matches_archive", "ask_paid_before_1995_07"),
        ("ask_paid_before_1995_07", "ask_lump_sum_before_1996"),  # no handbook question
        ("ask_lump_sum_before_1996", "ask_veteran"),  # no receipts question
    ],
)
@pytest.mark.parametrize("words", ["不知道", "不清楚", "I don't know", "记不清了"])
def test_i_dont_know_is_recorded_and_the_journey_goes_on(
    question: str, then: str, words: str
) -> None:
    order = ["name_matches_archive", "paid_before_1995_07", "lump_sum_before_1996"]
    earlier = {"name_matches_archive": True, "paid_before_1995_07": False}
    before = order[: order.index(question.removeprefix("ask_"))]
    answers = {k: earlier[k] for k in before}
    out = handle(at(question, **answers), Text(words), CTX)
    assert out.data.answers[question.removeprefix("ask_")] == "unknown"
    assert out.data.state == then


def test_the_checklist_says_who_checks_and_what_to_bring() -> None:
    data = at(
        "ask_veteran",
        name_matches_archive="unknown",
        paid_before_1995_07="unknown",
        lump_sum_before_1996=False,
    )
    out = handle(data, Text("不是"), CTX)
    text = shown(out)
    assert "由旗就业和社会保险事业中心查询您的缴费记录" in text
    assert "请带上养老保险手册（如有）" in text
    assert "由旗人力资源综合服务中心核对您的人事档案" in text
    assert "户口簿（有曾用名的那一页）" in text
    assert "pension_handbook" not in out.data.materials
    assert "household_register" not in out.data.materials


def test_the_review_and_the_form_say_not_sure() -> None:
    answers = BASE | {"paid_before_1995_07": "unknown", "name_matches_archive": True}
    form = one_form(answers)
    assert form["paid_before_1995_07"] == "unknown"
    data = at("ask_review", **answers)
    data.materials = {c: {"pages": 1, "status": "ok"} for c in ("application_form",)}
    out = handle(data, Text("随便"), CTX)
    assert "1995年7月前缴过费：不清楚" in shown(out)
