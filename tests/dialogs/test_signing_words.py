"""At 签字确认 the worker may type instead of tap: the buttons' own labels, the start of one,
or the words people use for them (locales/ synonyms) each mean that button; anything else
says what to tap or type, and a question there is answered before the question again."""

from __future__ import annotations

from datetime import date

import pytest

from cases.result_commands import RaiseAtSigning, SignNotice
from dialogs.events import Text
from dialogs.paperwork import Wanted
from tests.dialogs.test_after_result import NAME, SHA, conversation, said, turn

CALL_BY = date(2026, 5, 6)  # the next working day after 30 April (the May Day holiday)


def at_confirm(text: str):  # type: ignore[no-untyped-def]
    data = conversation("ask_signature_confirm", signature_name=NAME, signature_sha=SHA)
    return turn(data, Text(text))


@pytest.mark.parametrize("typed", ["确认签字", "确认", "签字", "好的"])
def test_the_sign_button_typed_signs(typed: str) -> None:
    out = at_confirm(typed)
    assert out.commands == [SignNotice(NAME, SHA)] and out.data.state == "ask_rating"
    assert "签字成功" in said(out.replies)


@pytest.mark.parametrize("typed", ["再看一遍", "再看一遍告知单", "看告知单"])
def test_reading_again_typed_sends_the_notice_and_signs_nothing(typed: str) -> None:
    out = at_confirm(typed)
    assert out.commands == [] and out.data.state == "ask_signature_confirm"
    notice = [r.document for r in out.replies if r.document is not None]
    assert len(notice) == 1 and isinstance(notice[0], Wanted) and notice[0].kind == "notice"


@pytest.mark.parametrize("typed", ["重新输入", "输错了"])
def test_typing_again_typed_goes_back_to_the_name(typed: str) -> None:
    out = at_confirm(typed)
    assert out.commands == [] and out.data.state == "ask_signature_name"


def test_not_satisfied_at_the_confirmation_is_an_objection_and_nothing_is_signed() -> None:
    out = at_confirm("不满意")
    assert out.commands == [RaiseAtSigning("object", "不满意", CALL_BY)]
    assert "已记下您的异议" in said(out.replies)


def test_not_satisfied_where_the_name_is_asked_is_an_objection_not_a_wrong_name() -> None:
    out = turn(conversation("ask_signature_name"), Text("不满意"))
    assert out.commands == [RaiseAtSigning("object", "不满意", CALL_BY)] and out.data.failures == 0


def test_other_words_at_the_confirmation_say_what_to_tap_or_type() -> None:
    out = at_confirm("嗯嗯那个")
    assert out.commands == [] and out.data.state == "ask_signature_confirm"
    assert "“确认签字”" in said(out.replies)
    assert out.replies[-1].question == "ask_signature_confirm"


def test_rating_skipped_in_words_of_its_button() -> None:
    out = turn(conversation("ask_rating"), Text("不评价了"))
    assert out.data.state == "finished" and "不评价也没关系" in said(out.replies)
