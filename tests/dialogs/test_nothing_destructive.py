"""Issue 13: nothing destructive from free text. Withdrawing consent, deleting, restarting
happen only by a command (/cancel, /restart) and a confirmation that says exactly what will be
lost; the intent classifier never leads there ("I don't know" was "cancel" at 0.97).

The engine is a pure function: these tests drive it directly at each question."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dialogs.engine import handle
from dialogs.events import Choice, Command, Text
from dialogs.machine import State
from dialogs.state import Context, ConversationData, DiscardDraft, WithdrawConsent
from locales import Translator
from locales.replies import Msg, render

TODAY = date(2026, 11, 26)
CTX = Context(today=TODAY)
MAN = {"masked": "150627********0011", "birth_date": "1965-03-15", "sex": "male"}
ANSWERS: dict[str, Any] = {
    "language": "zh_CN",
    "consent": "v",
    "name": "张建国",
    "id_number": MAN,
    "phone": "138****2345",
    "category": "male",
}
QUESTIONS = [
    "ask_name",
    "ask_id_number",
    "ask_phone",
    "ask_retirement_type",
    "ask_contribution",
    "ask_town",
    "ask_has_employer",
    "ask_employer_name",
    "ask_name_matches_archive",
    "ask_paid_before_1995_07",
    "ask_lump_sum_before_1996",
    "ask_veteran",
    "ask_review",
]
WORDS = [
    "I don't know",
    "不知道",
    "i dont know",
    "不想办了",
    "取消",
    "删除我的信息",
    "我要撤回同意",
]


def at(state: str, **more: Any) -> ConversationData:
    return ConversationData(state=state, language="zh_CN", answers=ANSWERS | more)


def destroyed(out: Any) -> bool:
    return out.data.state in (State.confirming_cancel, State.cancelled) or any(
        isinstance(c, DiscardDraft | WithdrawConsent) for c in out.commands
    )


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("words", WORDS)
def test_free_text_never_leads_to_cancelling(question: str, words: str) -> None:
    data = at(question)
    for _ in range(3):  # not the first time, nor after misses
        out = handle(data, Text(words), CTX)
        assert not destroyed(out), (question, words, [r.key for r in out.replies])
        data = out.data


@pytest.mark.parametrize("words", ["我不想办了，取消吧", "删除我的信息", "我要撤回同意"])
def test_cancel_in_words_says_how_and_the_question_stays(words: str) -> None:
    out = handle(at("ask_town"), Text(words), CTX)
    assert [r.key for r in out.replies] == [
        "dialogs.cancel_how",
        "dialogs.hint.choose",
        "dialogs.ask_town",
    ] or [r.key for r in out.replies] == ["dialogs.cancel_how", "dialogs.ask_town"]
    assert out.data.state == "ask_town"


@pytest.mark.parametrize("words", ["I don't know", "不知道", "不清楚"])
def test_i_dont_know_is_never_answered_as_a_faq_question(words: str) -> None:
    """Not "cancel" (0.97) nor "lost_document" (0.999): where it is no answer, the question
    is asked again with how to answer it."""
    out = handle(at("ask_veteran"), Text(words), CTX)
    keys = [r.key for r in out.replies]
    assert not any(k.startswith("faq.") or k == "dialogs.cancel_how" for k in keys), keys
    assert keys[-1] == "dialogs.ask_veteran"


def _shown(out: Any) -> str:
    tr = Translator("zh_CN")
    return "\n".join(render(r.message, tr) for r in out.replies)


def test_cancel_confirmation_says_exactly_what_is_lost() -> None:
    data = at("uploading", town="altan_xire")
    data.material = "social_security_card"
    data.materials = {"id_card": {"pages": 2, "status": "ok"}}
    out = handle(data, Command("cancel"), CTX)
    shown = _shown(out)
    for words in ("姓名", "身份证号码", "手机号码", "所在镇", "身份证照片（2页）", "同意"):
        assert words in shown, words
    assert "张建国" not in shown  # what is lost is named, never shown
    assert [o.label.key for o in out.replies[-1].choices] == [
        "dialogs.choice_at.ask_cancel.yes",
        "dialogs.choice_at.ask_cancel.no",
    ]


@pytest.mark.parametrize("words", ["嗯", "好的", "ok", "不知道", "I don't know", "行吧"])
def test_vague_words_at_the_confirmation_delete_nothing(words: str) -> None:
    asked = handle(at("ask_veteran"), Command("cancel"), CTX)
    out = handle(asked.data, Text(words), CTX)
    assert not any(isinstance(c, DiscardDraft | WithdrawConsent) for c in out.commands)


@pytest.mark.parametrize("words", ["确定删除", "是", "确定"])
def test_the_confirmation_typed_deletes(words: str) -> None:
    asked = handle(at("ask_veteran"), Command("cancel"), CTX)
    out = handle(asked.data, Text(words), CTX)
    assert out.data.state == "cancelled"
    assert any(isinstance(c, WithdrawConsent) for c in out.commands)


def test_restart_asks_first_and_keeps_everything_when_declined() -> None:
    asked = handle(at("ask_veteran"), Command("restart"), CTX)
    assert asked.data.state == "confirming_cancel"
    assert not asked.commands
    shown = _shown(asked)
    assert "从头开始" in shown and "姓名" in shown and "同意" not in shown.split("确认后")[1]
    kept = handle(asked.data, Choice("no", "ask_cancel"), CTX)
    assert kept.data.state == "ask_veteran" and kept.data.answers["name"] == "张建国"
    ((reply,),) = [kept.replies]  # one message: kept, then the question left
    assert reply.key == "dialogs.ask_veteran" and reply.message.lead == Msg("dialogs.cancel_kept")


def test_restart_confirmed_discards_the_draft_and_begins_again() -> None:
    asked = handle(at("ask_veteran"), Command("restart"), CTX)
    out = handle(asked.data, Choice("yes", "ask_cancel"), CTX)
    assert any(isinstance(c, DiscardDraft) for c in out.commands)
    assert not any(isinstance(c, WithdrawConsent) for c in out.commands)
    assert out.data.state == "ask_language" and "name" not in out.data.answers
