"""Answering the current question: read the event (a button, typed words, a number, a contact,
pages), answer a question asked instead, record a valid answer and move on."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dialogs import answers as read
from dialogs import choice_words
from dialogs.engine import eligibility, identity, review, special_cases
from dialogs.engine.asking import (
    ask,
    choices,
    fail,
    file_not_needed,
    hand_over,
    limit,
    offer_at_limit,
    unclear,
)
from dialogs.engine.commands import faq
from dialogs.engine.flow import forward
from dialogs.engine.keys import NOT_NAMES, TEXT_HINTS
from dialogs.engine.turn import Turn
from dialogs.engine.uploads import upload
from dialogs.events import Choice, Contact, Event, Files, Text

# Words that make a message a question rather than a name.
_ASKING = re.compile(r"[?？]|吗|怎么|如何|什么|哪|多少|能不能|是否")
# Questions whose answer is recorded (True: move on; False: the recorder already replied).
_RECORD: dict[str, Callable[[Turn, Any], bool]] = {
    "ask_language": identity.record_language,
    "ask_consent": identity.record_consent,
    "ask_name": identity.record_name,
    "ask_id_number": identity.record_id_number,
    "ask_phone": identity.record_phone,
    "ask_category": eligibility.record_category,
    "ask_retirement_type": eligibility.record_retirement_type,
    "ask_contribution": eligibility.record_contribution,
    "ask_town": special_cases.record_town,
    "ask_employer_name": special_cases.record_employer_name,
}
# Questions whose answer is a move rather than a fact about the applicant.
_MOVE: dict[str, Callable[[Turn, str], None]] = {
    "ask_cancel": review.cancel,
    "ask_review": review.review,
    "ask_edit": review.edit,
}


def answer(t: Turn, event: Event) -> None:
    q = t.question()
    if q is None:  # a state without a question: nothing to answer
        return ask(t)
    if isinstance(event, Choice) and event.question is not None and event.question != q:
        t.say("dialogs.stale_button")
        return ask(t)
    if isinstance(event, Choice) and event.id == "person":
        return hand_over(t, "asked", q)
    if isinstance(event, Files) and not q.startswith("ask_upload_"):
        return file_not_needed(t, q)
    if isinstance(event, Contact) and q != "ask_phone":
        t.say("dialogs.hint.contact_not_needed")
        return ask(t)
    if isinstance(event, Text):
        text = event.text.strip()
        if not text:
            t.say("dialogs.hint.empty")
            return ask(t)
        if len(text) > read.MAX_TEXT:
            return fail(t, "dialogs.hint.too_long", max=read.MAX_TEXT)
    if q.startswith("ask_upload_"):
        return upload(t, event, q.removeprefix("ask_upload_"))
    ids, expects = choices(t, q)
    value: Any = None
    if isinstance(event, Choice):
        if event.id not in ids:
            return fail(t, TEXT_HINTS.get(q, "dialogs.hint.choose"))
        value = event.id
    elif isinstance(event, Contact):
        value = event.phone
    elif isinstance(event, Text):
        text = event.text.strip()
        offered = (*ids, "person") if ids and t.d.failures >= limit(t, q) else ids
        value = read_choice(q, text, offered, expects)
        if value is None and expects in ("text", "contact"):
            # A name is free text: only a clear question is taken as one. An employer's name
            # is full of the FAQ's words (伊金霍洛旗…煤矿, 住房公积金管理中心): there, only
            # words asked as a question are.
            named = q in ("ask_name", "ask_employer_name")
            if named and text.rstrip("。.!！~") in NOT_NAMES:
                return unclear(t, q)
            asked = q == "ask_name" or _ASKING.search(text) is not None
            if named and asked and faq(t, text, strict=True):
                return None
            # A question typed where a number was asked ("公积金怎么取?") is answered;
            # anything that could be the number is read as one (and explained if wrong).
            if not named and not _could_answer(q, text) and faq(t, text):
                return None
            value = text
        if value == "person":
            return hand_over(t, "asked", q)
        if value is None:
            return miss(t, text)
    accept(t, q, value)


def miss(t: Turn, text: str) -> None:
    """Words that are none of the offered choices. Only now does the intent classifier
    answer (a question asked here), and the question is repeated; either way it counts: at
    the limit the choices are listed with their numbers and a person offered, once."""
    t.d.failures += 1
    if not faq(t, text):
        t.say("dialogs.hint.choose")
        ask(t)
    offer_at_limit(t)


def read_choice(q: str, text: str, ids: tuple[str, ...], expects: str) -> str | None:
    """Choices first: the offered choice that typed words mean, or None. In order: a town's
    name, the choice's id, label or synonym (locales/) as the whole answer, its number, the
    short answers of the NLU's table ("没有", "丢了"), then a short answer containing one."""
    if not ids:
        return None
    if q == "ask_town":  # the towns' names and nicknames come from policy/towns.toml
        from policy.towns import match_town

        if town := match_town(text):
            return town
    if found := choice_words.exact(text, q, ids):
        return found
    if expects == "choice" and (found := choice_words.numbered(text, ids)):
        return found
    if q == "ask_cancel":  # deleting: only the button's words or number, nothing guessed
        return None
    if found := read.interpret_choice(text, list(ids)):
        return found
    return choice_words.contained(text, q, ids)


def accept(t: Turn, q: str, value: Any) -> None:
    """Validate and record one answer, then move on."""
    if q in _MOVE:
        return _MOVE[q](t, value)
    if q == "ask_reminder":
        if eligibility.reminder(t, value):
            forward(t)
        return None
    record = _RECORD.get(q)
    recorded = record(t, value) if record else special_cases.record(t, q, value)
    if not recorded:
        return None
    t.d.failures = 0
    t.answered = q
    if q not in t.d.history and q not in ("ask_language", "ask_consent"):
        t.d.history.append(q)
    forward(t)


def _could_answer(question: str, text: str) -> bool:
    if question == "ask_contribution":
        return read.parse_contribution(text) is not None
    return any(c.isdigit() for c in text)
