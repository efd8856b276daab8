"""A question as one row (dialogs/questions.py): the rows agree with the table that orders
them, every text they name exists, and what the rows drive is what the applicant sees: the
review's lines (the kind of retirement included) and an edit menu of only what applies."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dialogs import machine
from dialogs.engine import Step, handle
from dialogs.engine.asking import SOURCES
from dialogs.engine.facts import requirements
from dialogs.engine.recording import MOVES, RECORDERS
from dialogs.events import Choice, Event, Text
from dialogs.questions import ASKED, QUESTIONS, UPLOAD, question
from dialogs.state import Context, ConversationData
from locales import LANGUAGES, Translator, catalog
from locales.replies import Reply, render
from tests.dialogs.conftest import id_number

CTX = Context(today=date(2026, 11, 26))
ID_WOMAN = id_number("19720315", male=False)
TYPED = Path(__file__).parents[2] / "dialogs" / "nlu_data" / "typed_answers.toml"
MAN = {"masked": "150627********0011", "birth_date": "1965-03-15", "sex": "male"}
WOMAN = {"masked": "150627********0020", "birth_date": "1972-03-15", "sex": "female"}


def answered(who: dict[str, Any], **more: Any) -> dict[str, Any]:
    """Everything answered up to the review, for a man or a woman."""
    answers: dict[str, Any] = {
        "language": "zh_CN",
        "consent": "v",
        "name": "张建国",
        "id_number": who,
        "phone": "138****2345",
        "category": "male" if who["sex"] == "male" else "female_worker",
        "retirement_type": "normal",
        "contribution_months": 180,
        "early": True,
        "town": "altan_xire",
        "has_employer": False,
        "name_matches_archive": True,
        "paid_before_1995_07": False,
        "lump_sum_before_1996": False,
        "veteran": False,
    }
    return answers | more


def requirements_of(answers: dict[str, Any]) -> tuple[Any, ...]:
    return requirements(ConversationData(answers=answers))


def send(state: str, answers: dict[str, Any], event: Event) -> Any:
    return handle(ConversationData(state=state, language="zh_CN", answers=answers), event, CTX)


def shown(reply: Reply) -> str:
    return render(reply.message, Translator("zh_CN"))


def edit_menu(answers: dict[str, Any]) -> list[str]:
    out = send("ask_review", answers, Choice("edit", "ask_review"))
    assert out.replies[-1].question == "ask_edit"
    return [o.id for o in out.replies[-1].choices]


# ---- the rows agree with the table and the catalogs ----
def test_every_question_of_the_order_has_a_row_and_the_rows_follow_the_order() -> None:
    assert [row.key for row in ASKED] == [s.value for s in machine.QUESTION_ORDER]
    assert question("ask_upload_id_card") is UPLOAD


def test_every_row_names_one_recorder_or_move_and_its_source_exists() -> None:
    for row in QUESTIONS.values():
        assert (row.records is None) != (row.moves is None), row.key
        assert row.records is None or row.records in RECORDERS, row.key
        assert row.moves is None or row.moves in MOVES, row.key
        assert row.choices_from is None or row.choices_from in SOURCES, row.key
        assert not (row.choices_from and row.choices), row.key
    assert UPLOAD.choices_from in SOURCES


def _conditions_into(state: str) -> set[str | None]:
    """The conditions of the table's rows that lead into a state on the way forward."""
    return {
        row.get("conditions")
        for row in machine.TABLE
        if row["dest"] == state and row["trigger"] == "next" and row["source"] != state
    }


@pytest.mark.parametrize("row", ASKED[1:], ids=lambda row: row.key)
def test_asked_if_is_the_condition_of_the_table_that_leads_to_the_question(row: Any) -> None:
    """The row does not decide who is asked (the table does); it says so for the review and
    the edit menu, and this keeps the two in step."""
    into = _conditions_into(row.key)
    if row.asked_if is None:
        assert None in into, into  # some way in needs no condition
    else:
        assert into == {row.asked_if}
        assert callable(getattr(Step, row.asked_if))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_a_row_names_exists_in_every_language(language: str) -> None:
    texts = catalog(language)
    for row in QUESTIONS.values():
        assert f"dialogs.{row.key}" in texts, row.key
        if row.editable:
            assert f"dialogs.field.{row.key}" in texts, row.key
        if row.review:
            assert f"dialogs.summary.{row.answer}" in texts, row.key
        assert row.hint in texts, row.key
        for choice in row.choices:
            key = f"dialogs.choice_at.{row.key}.{choice}" if row.own_labels else None
            assert (key or f"dialogs.choice.{choice}") in texts, (row.key, choice)


# ---- the review ----
@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("normal", "正常退休"),
        ("illness_disability", "因病或非因工致残"),
        ("special_work_type", "特殊工种（井下、高温等）"),
    ],
)
def test_the_review_shows_the_kind_of_retirement_chosen(kind: str, label: str) -> None:
    """Issue 13 noted that the review left out the kind of retirement."""
    out = send("choosing_edit", answered(MAN, retirement_type=kind), Choice("review", "ask_edit"))
    assert out.replies[-1].question == "ask_review"
    assert f"退休类型：{label}" in shown(out.replies[-1])


def test_the_review_lists_what_applies_in_the_order_asked() -> None:
    woman = answered(WOMAN, has_employer=True, employer_name="伊金霍洛旗天骄煤矿有限公司")
    out = send("choosing_edit", woman, Choice("review", "ask_edit"))
    text = shown(out.replies[-1])
    order = ["姓名：", "身份证号码：150627********0020", "手机号码：", "岗位类别：工人岗",
             "退休类型：正常退休", "累计缴费：15年", "所在镇：", "有参保单位：是",
             "参保单位：伊金霍洛旗天骄煤矿有限公司", "档案姓名一致：是",
             "1995年7月前缴过费：否", "补缴过1996年前的费用：否", "退役军人：否"]  # fmt: skip
    at = [text.index(line) for line in order]
    assert at == sorted(at)
    assert "养老保险手册：" not in text and "补缴票据：" not in text  # not asked of her


def test_a_mans_review_has_no_post_category() -> None:
    out = send("choosing_edit", answered(MAN), Choice("review", "ask_edit"))
    assert "岗位类别" not in shown(out.replies[-1])


# ---- the edit menu: only what applies to this worker ----
def test_a_mans_edit_menu_offers_only_his_questions() -> None:
    assert edit_menu(answered(MAN)) == [
        "ask_name", "ask_id_number", "ask_phone", "ask_retirement_type", "ask_contribution",
        "ask_town", "ask_has_employer", "ask_name_matches_archive", "ask_paid_before_1995_07",
        "ask_lump_sum_before_1996", "ask_veteran", "review",
    ]  # fmt: skip


def test_a_womans_edit_menu_offers_her_post_and_what_her_answers_led_to() -> None:
    woman = answered(
        WOMAN,
        has_employer=True,
        employer_name="伊金霍洛旗天骄煤矿有限公司",
        paid_before_1995_07=True,
        handbook="have",
    )
    ids = edit_menu(woman)
    assert ids.index("ask_category") == ids.index("ask_phone") + 1
    assert {"ask_employer_name", "ask_handbook"} <= set(ids)
    assert "ask_receipts" not in ids  # no lump sum: never asked


@pytest.mark.parametrize(
    "event",
    [
        Text("工人岗"),
        Text("岗位类别"),
        Text("工人岗（原50岁退休）"),
        Choice("ask_category", "ask_edit"),  # a forged or stale button
        Choice("female_worker", "ask_category"),  # a button of a woman's question
    ],
    ids=lambda e: getattr(e, "text", None) or getattr(e, "id", ""),
)
def test_nothing_at_a_mans_edit_menu_makes_him_a_woman_worker(event: Event) -> None:
    out = send("choosing_edit", answered(MAN), event)
    assert out.data.answers["category"] == "male"
    assert out.data.state != "ask_category"


def test_a_man_standing_at_the_category_question_is_not_recorded_as_a_woman() -> None:
    """Should a stored conversation stand there (a version that asked it), his answer is not
    recorded and the journey goes on."""
    answers = answered(MAN)
    del answers["retirement_type"]
    out = send("ask_category", answers, Choice("female_worker", "ask_category"))
    assert out.data.answers["category"] == "male"
    assert out.replies[-1].question == "ask_retirement_type"


def test_changing_the_kind_of_retirement_to_illness_hands_over_to_a_person() -> None:
    menu = send("ask_review", answered(MAN), Choice("edit", "ask_review"))
    at_type = handle(menu.data, Choice("ask_retirement_type", "ask_edit"), CTX)
    assert at_type.replies[-1].question == "ask_retirement_type"
    out = handle(at_type.data, Text("因病"), CTX)
    assert out.data.answers["retirement_type"] == "illness_disability"
    assert out.data.state == "handed_to_person"


def test_keeping_the_kind_of_retirement_returns_to_the_review() -> None:
    answers = answered(MAN)
    uploaded = {r.code: {"pages": 2, "status": "ok"} for r in requirements_of(answers)}
    data = ConversationData(
        state="ask_review", language="zh_CN", answers=answers, materials=uploaded
    )
    menu = handle(data, Choice("edit", "ask_review"), CTX)
    at_type = handle(menu.data, Choice("ask_retirement_type", "ask_edit"), CTX)
    out = handle(at_type.data, Text("正常退休"), CTX)
    assert out.replies[-1].question == "ask_review"
    assert "退休类型：正常退休" in shown(out.replies[-1])


# ---- typed answers at the questions of words (names: test_names_and_numbers.py) ----
@pytest.mark.parametrize(
    ("typed", "months"),
    [
        ("十五年", 180),
        ("交了二十多年", 240),
        ("15年零3个月", 183),
        ("180个月", 180),
        ("大概十五年吧", 180),
        ("不清楚", None),
        ("记不清了", None),
    ],
)
def test_contribution_years_as_typed(typed: str, months: int | None) -> None:
    answers = answered(MAN)
    del answers["contribution_months"]
    out = send("ask_contribution", answers, Text(typed))
    assert out.data.answers["contribution_months"] == months


@pytest.mark.parametrize(
    "typed",
    [
        "伊金霍洛旗天骄煤矿有限公司",
        "鄂尔多斯市住房公积金管理中心伊金霍洛旗分中心",
        "阿镇 供热公司",
    ],
)
def test_an_employer_name_full_of_faq_words_is_recorded(typed: str) -> None:
    out = send("ask_employer_name", answered(MAN, has_employer=True), Text(typed))
    assert out.data.answers["employer_name"] == " ".join(typed.split())


def test_a_question_typed_at_the_employer_name_is_answered_not_recorded() -> None:
    out = send("ask_employer_name", answered(MAN, has_employer=True), Text("公积金怎么取？"))
    assert "employer_name" not in out.data.answers
    assert out.replies[-1].question == "ask_employer_name"


# Typed answers at each question of words, and what is recorded (the choice questions' table
# is dialogs/nlu_data/typed_answers.toml, driven by tests/nlu/test_typed_answers.py).
WORDS: dict[str, list[tuple[str, Any]]] = {
    "ask_name": [
        ("张秀英", "张秀英"),
        ("我叫冯十三", "冯十三"),
        ("乌力吉・巴特尔", "乌力吉·巴特尔"),
    ],
    "ask_id_number": [
        (id_number("19650315"), "male"),
        (f"我的身份证是{id_number('19650315')}", "male"),
        (" ".join((ID_WOMAN[:6], ID_WOMAN[6:14], ID_WOMAN[14:])), "female"),
    ],
    "ask_phone": [
        ("13904771234", "139****1234"),
        ("手机13904771234", "139****1234"),
        ("139 0477 1234", "139****1234"),
        ("0477-8123456", "047****3456"),
    ],
    "ask_contribution": [("十五年", 180), ("二十多年", 240), ("不清楚", None)],
    "ask_employer_name": [("伊金霍洛旗天骄煤矿有限公司", "伊金霍洛旗天骄煤矿有限公司")],
}


def _recorded(q: str, value: Any) -> Any:
    return value["sex"] if q == "ask_id_number" else value


@pytest.mark.parametrize(
    ("q", "typed", "expected"),
    [(q, typed, expected) for q, rows in WORDS.items() for typed, expected in rows],
)
def test_typed_words_are_recorded(q: str, typed: str, expected: Any) -> None:
    answers = {"language": "zh_CN", "consent": "v", "has_employer": True}
    out = send(q, answers, Text(typed))
    key = QUESTIONS[q].answer
    assert key in out.data.answers, [r.key for r in out.replies]
    assert _recorded(q, out.data.answers[key]) == expected


def test_every_question_has_a_table_of_typed_answers() -> None:
    choice_table = set(tomllib.loads(TYPED.read_text(encoding="utf-8")))
    for row in QUESTIONS.values():
        if row.key in ("ask_edit", "ask_cancel"):
            continue  # the edit menu's and the confirmation's words: test_nothing_destructive
        assert row.key in choice_table or row.key in WORDS, row.key


# ---- what the walk found said twice, or said more exactly than typed ----
def before_contribution(who: dict[str, Any]) -> dict[str, Any]:
    answers = answered(who)
    del answers["contribution_months"]
    return answers


def test_a_woman_worker_of_1972_hears_once_that_she_reached_the_age_before_the_reform() -> None:
    out = send("ask_contribution", before_contribution(WOMAN), Text("15年"))
    said = "\n".join(shown(r) for r in out.replies)
    assert "预审结果" in said and said.count("改革前已到法定退休年龄") == 1


def test_a_round_figure_is_about_that_on_the_review_and_an_exact_one_is_not() -> None:
    about = send("ask_contribution", before_contribution(MAN), Text("二十多年"))
    review = send("choosing_edit", about.data.answers, Choice("review", "ask_edit"))
    assert "累计缴费：约20年" in shown(review.replies[-1])
    exact = send("ask_contribution", about.data.answers, Text("20年"))
    review = send("choosing_edit", exact.data.answers, Choice("review", "ask_edit"))
    assert "累计缴费：20年" in shown(review.replies[-1])
