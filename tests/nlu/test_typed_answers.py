"""Issue 13: a worker who types instead of tapping is understood at every question with
choices. The table (dialogs/nlu_data/typed_answers.toml) was written before the matching was
tuned; each line is one worker's typed answer and the choice it must mean.

The engine is driven directly (it is a pure function): the conversation stands at the
question, the words arrive, and the test checks which choice the engine accepted."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dialogs.engine import answering, handle
from dialogs.events import Choice, Text
from dialogs.machine import State
from dialogs.state import Context, ConversationData

TABLE = Path(__file__).parents[2] / "dialogs" / "nlu_data" / "typed_answers.toml"
TODAY = date(2026, 11, 26)
# A woman born in 1972: not yet at her retirement age (so the reminder is asked).
WOMAN = {"masked": "150627********0020", "birth_date": "1972-03-15", "sex": "female"}
STATE = {"ask_reminder": State.not_yet_eligible}
# Answers that stand before each question (what the journey has recorded by then).
BEFORE: dict[str, dict[str, Any]] = {
    "ask_reminder": {"category": "female_worker", "contribution_months": 180},
    "ask_handbook": {"paid_before_1995_07": True},
    "ask_receipts": {"lump_sum_before_1996": True},
}


def _rows() -> list[Any]:
    with TABLE.open("rb") as fh:
        table = tomllib.load(fh)
    rows = []
    for question, by_choice in table.items():
        for choice, texts in by_choice.items():
            for text in texts:
                rows.append(pytest.param(question, choice, text, id=f"{question}-{text}"))
    return rows


ROWS = _rows()


def rows() -> list[tuple[str, str, str]]:
    """(question, choice, typed text) of the whole table."""
    return [tuple(p.values) for p in ROWS]  # type: ignore[misc]


def at(question: str, **answers: Any) -> ConversationData:
    base: dict[str, Any] = {
        "language": "zh_CN",
        "consent": "v",
        "name": "张秀英",
        "id_number": WOMAN,
        "phone": "138****2345",
    }
    if question not in ("ask_category",):
        base["category"] = "female_cadre"
    base |= BEFORE.get(question, {}) | answers
    state = STATE[question] if question in STATE else State(question)
    return ConversationData(state=state.value, language="zh_CN", answers=base)


def accepted(question: str, event: Any) -> Any:
    """The choice the engine accepted for this event at this question (None: none).
    Also used by benchmarks/nlu.py for the typed-answer accuracy."""
    seen: list[Any] = []
    real = answering.accept
    answering.accept = lambda t, q, value: seen.append((q, value))  # type: ignore[assignment]
    try:
        handle(at(question), event, Context(today=TODAY))
    finally:
        answering.accept = real  # type: ignore[assignment]
    return seen[0][1] if seen else None


def test_the_table_has_ten_answers_per_choice_question() -> None:
    with TABLE.open("rb") as fh:
        table = tomllib.load(fh)
    for question, by_choice in table.items():
        if question in ("ask_contribution", "ask_town", "ask_language", "ask_receipts"):
            continue  # not choice-only questions, or few ways to say them
        assert sum(len(v) for v in by_choice.values()) >= 10, question


@pytest.mark.parametrize(("question", "choice", "text"), ROWS)
def test_typed_answer_means_the_choice(question: str, choice: str, text: str) -> None:
    assert accepted(question, Text(text)) == choice


def test_the_button_itself_still_works() -> None:
    assert accepted("ask_retirement_type", Choice("normal", "ask_retirement_type")) == "normal"


# Words that are none of the offered choices: a question, a negated choice, a word of two.
NO_CHOICE = [
    ("ask_retirement_type", "正常退休需要什么材料？"),
    ("ask_retirement_type", "不是正常退休"),
    ("ask_retirement_type", "退休"),
    ("ask_retirement_type", "我想问一下养老金"),
    ("ask_category", "岗位"),
    ("ask_category", "退休"),
    ("ask_veteran", "不知道"),
    ("ask_veteran", "I don't know"),
    ("ask_has_employer", "I don't know"),
    ("ask_review", "不知道"),
    ("ask_reminder", "什么时候提醒"),
    ("ask_handbook", "手册是什么"),
]


@pytest.mark.parametrize(("question", "text"), NO_CHOICE)
def test_words_that_are_no_choice_are_not_taken_for_one(question: str, text: str) -> None:
    assert accepted(question, Text(text)) is None


def test_the_label_typed_is_recorded_not_answered_as_an_intent() -> None:
    """The issue's loop: 正常退休 typed at 哪种退休 was "您已经在办理中了", 26 times."""
    out = handle(at("ask_retirement_type"), Text("正常退休"), Context(today=TODAY))
    assert out.data.answers["retirement_type"] == "normal"
    assert "dialogs.already_applying" not in [r.key for r in out.replies]


def test_two_misses_list_the_choices_with_numbers_and_offer_a_person_once() -> None:
    ctx = Context(today=TODAY)
    data = at("ask_retirement_type")
    first = handle(data, Text("嗯嗯嗯嗯嗯"), ctx)
    assert "dialogs.offer_person" not in [r.key for r in first.replies]
    second = handle(first.data, Text("随便"), ctx)
    keys = [r.key for r in second.replies]
    assert keys[-3:] == [
        "dialogs.hint.numbered",
        "dialogs.offer_person",
        "dialogs.ask_retirement_type",
    ]
    listed = second.replies[-3].message.params["lines"]
    assert [m.params["n"] for m in listed] == [1, 2, 3, 4]
    assert listed[-1].params["label"].key == "dialogs.choice.person"
    assert [o.id for o in second.replies[-1].choices][-1] == "person"
    third = handle(second.data, Text("随便"), ctx)  # said once, the button stays
    assert "dialogs.offer_person" not in [r.key for r in third.replies]
    assert [o.id for o in third.replies[-1].choices][-1] == "person"
    by_number = handle(third.data, Text("4"), ctx)  # the listed number of 转人工
    assert "dialogs.person_called" in [r.key for r in by_number.replies]
    assert by_number.data.state == State.ask_retirement_type.value  # the journey goes on


def test_a_listed_number_picks_that_choice() -> None:
    out = handle(at("ask_retirement_type"), Text("第二个"), Context(today=TODAY))
    assert out.data.answers["retirement_type"] == "illness_disability"
