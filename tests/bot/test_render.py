"""Small rendering rules that the end-to-end tests do not reach."""

from __future__ import annotations

from bot import callback_data
from bot.render import split_text, text_of
from dialogs.events import Choice
from locales import translator
from locales.replies import Msg, Option, Reply, from_json, to_json


def test_callback_data_round_trips_and_stays_within_64_bytes():
    data = callback_data.encode("ask_consent", "agree")
    assert data == "v1|ask_consent|agree"
    assert callback_data.decode(data) == Choice("agree", "ask_consent")
    # With the number of its message: a button of an older message of the same question.
    numbered = callback_data.encode("ask_review", "submit", 12)
    assert callback_data.decode(numbered) == Choice("submit", "ask_review", 12)


def test_a_question_too_long_for_callback_data_is_replaced_by_a_digest():
    question = "ask_upload_" + "very_long_material_code_" * 3
    data = callback_data.encode(question, "done")
    assert len(data.encode()) <= 64
    assert callback_data.decode(data) == Choice("done", None)


def test_data_of_another_format_is_not_a_choice():
    assert callback_data.decode("consent:yes") is None
    assert callback_data.decode("v0|q|x") is None
    assert callback_data.decode(None) is None


def test_long_texts_are_cut_at_line_ends_under_telegrams_limit():
    text = "\n".join(f"第{n}行" + "字" * 50 for n in range(200))
    parts = split_text(text)
    assert all(len(p) <= 4096 for p in parts) and len(parts) == 3
    assert "\n".join(parts) == text


def test_choices_are_numbered_in_the_text_when_the_keyboard_shares_the_phone():
    reply = Reply(
        Msg("bot.command.help"),
        (Option("skip", Msg("bot.command.back")),),
        expects="contact",
    )
    assert text_of(reply, translator("en")) == "Help\n\n1. Go back one step"


def test_what_was_wrong_opens_the_question_in_one_message_even_from_the_outbox():
    """A line on top of a question (已记为…, what was wrong) is part of that one message, also
    when the reply waited in the outbox (serialised and read back)."""
    lead = Msg("dialogs.recorded_as", {"choice": Msg("dialogs.choice.female_worker")})
    asked = Reply(Msg("dialogs.ask_contribution", lead=lead), expects="text", question="q")
    kept = from_json(to_json(asked))
    assert kept == asked
    text = text_of(kept, translator("zh_CN"))
    assert text.startswith("已记为：工人岗（原50岁退休）")
    assert "\n您累计缴纳养老保险多少年了？" in text
