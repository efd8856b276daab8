"""Issue 13: typed answers the walk-through found misread, each with what the worker must see.

"二十多年" at the contribution question, "明天再拍" at an upload, a sticker or a voice note at an
upload, and "完成" sent after an upload had already moved on by itself. (A rating typed as
"挺好的，满意": tests/dialogs/test_rating_words.py.) The engine is driven directly."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from dialogs.engine import handle
from dialogs.events import Choice, Command, Files, StoredFile, Text, Unsupported
from dialogs.state import Context, ConversationData
from locales import Translator
from locales.replies import render

CTX = Context(today=date(2026, 11, 26))
ZH = Translator("zh_CN")
MAN = {"masked": "150627********0011", "birth_date": "1965-03-15", "sex": "male"}
IDENTITY: dict[str, Any] = {
    "language": "zh_CN",
    "consent": "v",
    "name": "张建国",
    "id_number": MAN,
    "phone": "138****2345",
    "category": "male",
    "retirement_type": "normal",
}
# Every question before the uploads answered: a man with no employer and nothing special.
BEFORE_UPLOADS = IDENTITY | {
    "contribution_months": 240,
    "town": "altan_xire",
    "has_employer": False,
    "name_matches_archive": True,
    "paid_before_1995_07": False,
    "lump_sum_before_1996": False,
    "veteran": False,
}


def run(data: ConversationData, event: Any) -> tuple[ConversationData, list[str], str | None]:
    """(the conversation after, what the worker reads, the question now open)."""
    out = handle(data, event, CTX)
    asked = [r.question for r in out.replies if r.question is not None]
    return out.data, [render(r.message, ZH) for r in out.replies], asked[-1] if asked else None


def at_contribution() -> ConversationData:
    return ConversationData(state="ask_contribution", language="zh_CN", answers=dict(IDENTITY))


def uploading(material: str, pages: int = 0) -> ConversationData:
    return ConversationData(
        state="uploading",
        language="zh_CN",
        answers=dict(BEFORE_UPLOADS),
        material=material,
        materials={material: {"pages": pages, "status": "pending"}},
        history=["ask_upload_application_form"] if material != "application_form" else [],
    )


def photo(n: int) -> StoredFile:
    return StoredFile(f"{n:064x}", "image/jpeg", 200_000, 1600, 1200)


# --- "二十多年": a round figure is taken as "about", when it surely is enough --------------


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("二十多年", 240),
        ("20多年", 240),
        ("二十来年吧", 240),
        ("大概二十五年", 300),
        ("三十多年了", 360),
    ],
)
def test_a_round_figure_is_taken_as_about_and_the_worker_is_told(text, months):
    after, texts, question = run(at_contribution(), Text(text))
    assert after.answers["contribution_months"] == months
    assert any("先按大约" in t and "以社保中心核定的为准" in t for t in texts)
    assert question != "ask_contribution"


@pytest.mark.parametrize("text", ["十几年", "二十几年", "好几年", "十多年", "大概十年"])
def test_a_vague_figure_that_may_fall_short_is_asked_again_kindly(text):
    after, texts, question = run(at_contribution(), Text(text))
    assert "contribution_months" not in after.answers
    assert question == "ask_contribution"
    assert "具体几年" in texts[0] and "不清楚" in texts[0]
    assert not any("病退" in t or "提前退休" in t for t in texts)  # "十几年" was early_retirement


@pytest.mark.parametrize(
    ("text", "months"), [("15年", 180), ("15年零3个月", 183), ("二十年", 240)]
)
def test_an_exact_figure_is_recorded_without_a_word_about_it(text, months):
    after, texts, _ = run(at_contribution(), Text(text))
    assert after.answers["contribution_months"] == months
    assert not any("先按大约" in t for t in texts)


# --- "明天再拍": the worker will come back; the journey is saved ---------------------------


@pytest.mark.parametrize(
    "text",
    [
        "明天再拍",
        "明天再拍吧",
        "改天再传",
        "先不拍了",
        "现在没带",
        "晚上再发",
        "过两天再拍",
        "社保卡在老伴那，明天再拍行吗",  # asking leave is saying so, not a question
        "明天再传可以吗",
        "晚点再发行不行",
    ],
)
def test_coming_back_later_pauses_and_says_the_journey_is_saved(text):
    after, texts, _ = run(uploading("id_card"), Text(text))
    assert "保存好了" in texts[0] and "/start" in texts[0]
    assert after.state == "uploading" and after.material == "id_card"


def test_done_before_any_photo_says_none_has_arrived_and_how_to_send_one():
    after, texts, question = run(uploading("id_card"), Text("我拍好了"))
    assert "还没有收到照片" in texts[0] and "📎" in texts[0] and "还差" not in texts[0]
    assert question == "ask_upload_id_card" and after.materials["id_card"]["pages"] == 0


def test_done_after_one_side_of_two_says_how_many_are_missing():
    one, _, _ = run(uploading("id_card"), Files((photo(1),)))
    _, texts, question = run(one, Text("我拍好了"))
    assert "还差1页" in texts[0] and question == "ask_upload_id_card"


# --- a sticker or a voice note at an upload ------------------------------------------------


@pytest.mark.parametrize("what", ["sticker", "voice", "video", "animation", "unknown"])
def test_a_sticker_or_voice_note_at_an_upload_asks_plainly_for_a_photo(what):
    _, texts, question = run(uploading("id_card"), Unsupported(what))
    assert "这一步需要的是照片" in texts[0] and "身份证" in texts[0]
    assert question == "ask_upload_id_card"


def test_a_sticker_at_a_question_with_buttons_says_to_type_or_tap():
    data = ConversationData(state="ask_has_employer", language="zh_CN", answers=dict(IDENTITY))
    _, texts, _ = run(data, Unsupported("sticker"))
    assert texts == [ZH("dialogs.unsupported") + "\n" + ZH("dialogs.ask_has_employer")]


@pytest.mark.parametrize(("reads_cards", "photo_offered"), [(False, False), (True, True)])
def test_a_sticker_at_the_id_number_says_the_number_or_the_cards_photo(
    reads_cards: bool, photo_offered: bool
) -> None:
    data = ConversationData(state="ask_id_number", language="zh_CN", answers={"name": "张建国"})
    out = handle(data, Unsupported("sticker"), replace(CTX, reads_cards=reads_cards))
    said = render(out.replies[0].message, ZH)
    assert "身份证号码" in said and "按钮" not in said
    assert ("拍一张身份证正面" in said) is photo_offered
    assert out.replies[-1].question == "ask_id_number"


def test_a_sticker_at_a_typed_question_says_what_to_type_not_to_tap():
    data = ConversationData(state="ask_employer_name", language="zh_CN", answers=dict(IDENTITY))
    _, texts, question = run(data, Unsupported("sticker"))
    assert "请打字输入您的参保单位名称" in texts[0] and "按钮" not in texts[0]
    assert question == "ask_employer_name"


# --- "完成" after the upload moved on by itself --------------------------------------------


@pytest.mark.parametrize("late", [Text("完成"), Text("好了"), Text("传完了"), Choice("done")])
def test_done_after_the_upload_moved_on_by_itself_is_not_an_answer_to_the_next_question(late):
    moved, texts, question = run(uploading("id_card"), Files((photo(1), photo(2))))
    assert question != "ask_upload_id_card"  # two sides: the ID card moved on by itself
    materials_before = dict(moved.materials)
    after, texts, again = run(moved, late)
    # One message: what happened on top of the question now open.
    assert len(texts) == 1 and texts[0].startswith("身份证已收到2页，够了，已进入下一步。\n")
    assert again == question  # the same question, asked again, not answered
    assert after.materials == materials_before and after.answers == moved.answers


def test_the_old_done_button_of_the_finished_upload_is_answered_the_same_way():
    moved, _, question = run(uploading("id_card"), Files((photo(1), photo(2))))
    _, texts, again = run(moved, Choice("done", "ask_upload_id_card"))
    assert "已进入下一步" in texts[0] and again == question


def test_only_the_very_next_message_is_read_that_way():
    moved, _, _ = run(uploading("id_card"), Files((photo(1), photo(2))))
    later, _, _ = run(moved, Text("好的"))
    assert later.moved_on is None


# --- "一样" typed late; "在车间干活" read as a choice -------------------------------------

WOMAN = IDENTITY | {"id_number": MAN | {"sex": "female"}}
WOMAN.pop("category")


def at(question: str, answers: dict[str, Any]) -> ConversationData:
    return ConversationData(state=question, language="zh_CN", answers=dict(answers))


def before(question: str) -> dict[str, Any]:
    """The answers of BEFORE_UPLOADS given before `question`."""
    order = ["name_matches_archive", "paid_before_1995_07", "lump_sum_before_1996", "veteran"]
    keep = order[: order.index(question.removeprefix("ask_"))]
    return {k: v for k, v in BEFORE_UPLOADS.items() if k not in order or k in keep}


@pytest.mark.parametrize("late", ["一样", "一致", "相同", "名字一样", "不一样"])
def test_same_typed_late_for_the_archive_name_is_no_answer_to_the_1995_question(late):
    after, texts, question = run(
        at("ask_paid_before_1995_07", before("ask_paid_before_1995_07")), Text(late)
    )
    assert question == "ask_paid_before_1995_07" and "paid_before_1995_07" not in after.answers
    assert not any("已记为" in t for t in texts)


@pytest.mark.parametrize(("text", "meant"), [("一样", True), ("不一样", False)])
def test_same_still_answers_the_archive_name_question(text, meant):
    after, _, _ = run(
        at("ask_name_matches_archive", before("ask_name_matches_archive")), Text(text)
    )
    assert after.answers["name_matches_archive"] is meant


def test_a_category_read_from_free_words_is_said_back_on_top_of_the_next_question():
    after, texts, question = run(at("ask_category", WOMAN), Text("在车间干活"))
    assert after.answers["category"] == "female_worker" and question == "ask_contribution"
    # One message: the echo line, then the next question under it.
    (text,) = texts
    echo, asked = text.split("\n", 1)
    assert echo.startswith("已记为：工人岗（原50岁退休）") and "/back" in echo
    assert asked == ZH("dialogs.ask_contribution")


def test_in_english_the_echo_also_opens_the_next_question():
    data = replace(at("ask_category", WOMAN), language="en")
    out = handle(data, Text("factory work"), CTX)
    (reply,) = out.replies
    text = render(reply.message, Translator("en"))
    assert text.startswith("Recorded as: ") and "/back" in text.splitlines()[0]
    assert reply.question == "ask_contribution"


@pytest.mark.parametrize("plain", ["工人岗（原50岁退休）", "2", "第二个"])
def test_a_choice_named_by_its_label_or_number_is_not_said_back(plain):
    after, texts, _ = run(at("ask_category", WOMAN), Text(plain))
    assert after.answers["category"] == "female_worker"
    assert not any("已记为" in t for t in texts)


def test_after_the_echo_back_returns_to_the_choice_read_from_words():
    after, _, _ = run(at("ask_category", WOMAN), Text("在车间干活"))
    _, _, question = run(after, Command("back"))
    assert question == "ask_category"
