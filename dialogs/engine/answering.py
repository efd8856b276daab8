"""Answering the current question: read the event (a button, typed words, a number, a contact,
pages), answer a question asked instead, record a valid answer and move on."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from dialogs import answers as read
from dialogs import choice_words
from dialogs.engine import review
from dialogs.engine.asking import (
    ask,
    choices,
    fail,
    file_not_needed,
    limit,
    offer_at_limit,
    unclear,
)
from dialogs.engine.commands import faq
from dialogs.engine.flow import forward
from dialogs.engine.keys import NOT_NAMES
from dialogs.engine.person import not_known, number_not_known, person_asked
from dialogs.engine.recording import MOVES, RECORDERS
from dialogs.engine.turn import Turn
from dialogs.engine.uploads import upload
from dialogs.events import Choice, Contact, Event, Files, Text
from dialogs.questions import label_key, question
from locales.replies import Msg, Reply
from policy.towns import match_town

# Words that make a message a question rather than a name.
_ASKING = re.compile(r"[?？]|吗|怎么|如何|什么|哪|多少|能不能|是否")
# What reading an event gives when the engine already replied (a hint, a person, an FAQ).
_REPLIED = object()


def answer(t: Turn, event: Event) -> None:
    q = t.question()
    if q is None:  # a state without a question: nothing to answer
        return ask(t)
    if any(screen(t, q, event) for screen in _SCREENS):
        return None
    if q.startswith("ask_upload_"):
        return upload(t, event, q.removeprefix("ask_upload_"))
    value = _value(t, q, event)
    if value is not _REPLIED:
        before = len(t.replies)
        accept(t, q, value)
        if t.answered == q and (echo := _read_from_words(t, q, event, value)) is not None:
            _on_top(t, before, echo)
    return None


def _on_top(t: Turn, at: int, lead: Msg) -> None:
    """`lead` on top of the first message said from `at` (the next question): one message."""
    if at == len(t.replies):
        t.replies.append(Reply(lead))
        return
    said = t.replies[at]
    t.replies[at] = replace(said, message=said.message.led_by(lead))


def _read_from_words(t: Turn, q: str, event: Event, value: Any) -> Msg | None:
    """ "已记为：工人岗": a choice read from the worker's own words (not its label or number)
    is said back on top of the next question, so a misreading can be seen and undone (/back)."""
    if not isinstance(event, Text) or value not in choices(t, q)[0]:
        return None
    row = question(q)
    text = event.text.strip()
    if row is None or row.words == "towns" or choice_words.named(text, q, value):
        return None
    if choice_words.numbered(text, choices(t, q)[0]) == value:
        return None
    return Msg("dialogs.recorded_as", {"choice": Msg(label_key(value, q))})


# ---- events answered before any reading (True: replied) ----
def _stale(t: Turn, q: str, event: Event) -> bool:
    """A button of an earlier question, or of an older message of this one."""
    if not t.stale(event, q):
        return False
    ask(t, lead=Msg("dialogs.stale_button"))
    return True


def _person(t: Turn, q: str, event: Event) -> bool:
    if not (isinstance(event, Choice) and event.id == "person"):
        return False
    person_asked(t)
    return True


def _misplaced(t: Turn, q: str, event: Event) -> bool:
    """A file where no pages are asked; a shared contact where no phone number is."""
    if isinstance(event, Files) and not q.startswith("ask_upload_"):
        file_not_needed(t, q)
        return True
    if isinstance(event, Contact) and _expects(q) != "contact":
        ask(t, lead=Msg("dialogs.hint.contact_not_needed"))
        return True
    return False


def _unreadable(t: Turn, q: str, event: Event) -> bool:
    """Words that are empty or longer than any answer (a pasted page)."""
    if not isinstance(event, Text):
        return False
    text = event.text.strip()
    if not text:
        ask(t, lead=Msg("dialogs.hint.empty"))
        return True
    if len(text) > read.MAX_TEXT:
        fail(t, "dialogs.hint.too_long", max=read.MAX_TEXT)
        return True
    return False


_SCREENS = (_stale, _person, _misplaced, _unreadable)


# ---- reading the answer ----
def _value(t: Turn, q: str, event: Event) -> Any:
    """The answer an event gives, or _REPLIED when the engine answered it instead."""
    if isinstance(event, Choice):
        return _chosen(t, q, event)
    if isinstance(event, Contact):
        return event.phone
    if isinstance(event, Text):
        return _typed(t, q, event.text.strip())
    return None


def _chosen(t: Turn, q: str, event: Choice) -> Any:
    if event.id in choices(t, q)[0]:
        return event.id
    row = question(q)
    fail(t, row.hint if row is not None else "dialogs.hint.choose")
    return _REPLIED


def _typed(t: Turn, q: str, text: str) -> Any:
    """Choices first (the offered choice the words mean); at a question of words, the words,
    unless they are a question to answer; else a miss."""
    ids, expects = choices(t, q)
    offered = (*ids, "person") if ids and t.d.failures >= limit(t, q) else ids
    # At the review, a change named with its line ("缴费改成26年") before "改" alone.
    value: Any = review.field_to_change(t, text) if q == "ask_review" else None
    if value is None:
        value = read_choice(q, text, offered, expects)
    if value is None and expects in ("text", "contact"):
        # "转人工" typed where words are asked is no employer's or person's name.
        asks_person = read.interpret_choice(text, ["person"]) == "person"
        value = "person" if asks_person else _words(t, q, text)
    if value == "person":
        person_asked(t, text)
        return _REPLIED
    if value is None and not_known(q, text):
        number_not_known(t, q)
        return _REPLIED
    if value is None:
        miss(t, text)
        return _REPLIED
    return value


def _words(t: Turn, q: str, text: str) -> Any:
    """Typed words where words are asked: the answer, unless they ask a question (its row's
    `faq`). A name is free text: only a clear question is taken as one. An employer's name is
    full of the FAQ's words (伊金霍洛旗…煤矿, 住房公积金管理中心): there, only words asked as a
    question are. Where a number is asked, a question ("公积金怎么取?") is answered, and
    anything that could be the number is read as one (and explained if wrong)."""
    if not_known(q, text):
        number_not_known(t, q)
        return _REPLIED
    row = question(q)
    kind = row.faq if row is not None else None
    if kind in ("strict", "asked"):
        if text.rstrip("。.!！~") in NOT_NAMES:
            unclear(t, q)
            return _REPLIED
        asked = kind == "strict" or _ASKING.search(text) is not None
        return _REPLIED if asked and faq(t, text, strict=True) else text
    if not _could_answer(q, text) and faq(t, text):
        return _REPLIED
    return text


def miss(t: Turn, text: str) -> None:
    """Words that are none of the offered choices. Only now does the intent classifier
    answer (a question asked here), and the question is repeated; either way it counts: at
    the limit the choices are listed with their numbers and a person offered, once."""
    t.d.failures += 1
    if not faq(t, text):
        ask(t, lead=Msg("dialogs.hint.choose"))
    offer_at_limit(t)


def read_choice(q: str, text: str, ids: tuple[str, ...], expects: str) -> str | None:
    """Choices first: the offered choice that typed words mean, or None. In order: a town's
    name (where the row's words are the towns'), the choice's id, label or synonym (locales/)
    as the whole answer, its number, the short answers of the NLU's table ("没有", "丢了"),
    then a short answer containing one; where only the buttons' words count, nothing guessed."""
    if not ids:
        return None
    row = question(q)
    words = row.words if row is not None else "labels"
    if words == "towns" and (town := match_town(text)):
        return town
    if found := choice_words.exact(text, q, ids):
        return found
    if expects == "choice" and (found := choice_words.numbered(text, ids)):
        return found
    if words == "buttons":  # deleting: only the button's words or number
        return None
    if found := read.interpret_choice(text, list(ids)):
        return found
    return choice_words.contained(text, q, ids)


# ---- recording it ----
def accept(t: Turn, q: str, value: Any) -> None:
    """Validate and record one answer (or make the move it is), then move on. A question
    that does not apply to this applicant records nothing: a man is never made a woman
    worker, whatever reaches the category question."""
    row = question(q)
    if row is None:
        return ask(t)
    if not t.applies(row):
        return forward(t)
    if row.moves is not None:
        return MOVES[row.moves](t, value)
    if not RECORDERS[row.records or "as_is"](t, row, value):
        return None
    t.d.failures = 0
    t.d.unanswered = None  # answered since: no longer what a 转人工 would be about
    t.answered = q
    if row.back and q not in t.d.history:
        t.d.history.append(q)
    return forward(t)


def _expects(q: str) -> str:
    row = question(q)
    return row.expects if row is not None else "none"


def _could_answer(question: str, text: str) -> bool:
    if question == "ask_contribution":
        return read.parse_contribution(text) is not None
    return any(c.isdigit() for c in text)
