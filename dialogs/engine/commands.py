"""What works anywhere: /start, /help, /status, /language, /back, /cancel, /restart; and a
question asked in free text, answered from the FAQ without losing the place."""

from __future__ import annotations

from collections.abc import Callable

from dialogs import nlu
from dialogs.choice_words import unsure
from dialogs.engine import pension
from dialogs.engine.asking import ask, begin, unclear
from dialogs.engine.keys import FAQ_MIN_CONFIDENCE
from dialogs.engine.not_understood import not_understood
from dialogs.engine.online_steps import steps_again
from dialogs.engine.person import person_asked
from dialogs.engine.progress import status
from dialogs.engine.review import confirm_cancel
from dialogs.engine.turn import Turn
from dialogs.events import Command
from dialogs.machine import AFTER_RESULT, AFTER_SUBMISSION, State
from dialogs.nlu_numbers import unclear_period
from dialogs.state import DiscardDraft
from locales.replies import Msg, Reply

_NOT_STARTED = (State.start, State.cancelled)
# Intents that are no question to answer once the journey has begun.
_NOT_A_QUESTION = frozenset({"greeting", "apply"})
# FAQ answers worded for someone already in the journey (the general ones invite /start).
_IN_JOURNEY = {"eligibility": "dialogs.faq.eligibility"}


def command(t: Turn, event: Command) -> None:
    name = event.name
    s = t.state
    if name == "start":
        if s in _NOT_STARTED:
            return begin(t)
        if s is State.declined:
            t.trigger("reconsider")
            return ask(t)
        if s in AFTER_SUBMISSION or event.argument:
            return status(t, event.argument)
        t.say("dialogs.welcome_back")
        return ask(t)
    if name == "help":
        t.say("dialogs.help")
        return ask(t)
    if name == "status":
        return status(t, event.argument)
    if name == "language":
        if s in _NOT_STARTED:
            return begin(t)
        if s is not State.ask_language:
            t.d.resume = s.value
            t.jump(State.ask_language)
        return ask(t)
    if name == "back":
        return back(t)
    if name == "cancel":
        return cancel(t)
    if name == "restart":
        if s in AFTER_SUBMISSION:
            return ask(t, lead=Msg("dialogs.restart_after_submission"))
        if s in (*_NOT_STARTED, State.declined):  # nothing collected yet: nothing to lose
            t.do(DiscardDraft())
            t.reset()
            return begin(t)
        return confirm_cancel(t, "restart")  # what will be lost is said, then confirmed
    return ask(t)


def back(t: Turn) -> None:
    if t.state in AFTER_SUBMISSION:
        return ask(t, lead=Msg("dialogs.back_after_submission"))
    if not t.d.history or t.d.editing:
        return ask(t, lead=Msg("dialogs.back_unavailable"))
    previous = t.d.history.pop()
    t.clear(previous)
    if previous.startswith("ask_upload_"):
        t.d.material = previous.removeprefix("ask_upload_")
        t.jump(State.uploading)
    else:
        t.jump(State(previous))
    t.d.failures = 0
    ask(t)


def cancel(t: Turn) -> None:
    s = t.state
    if s in AFTER_SUBMISSION:
        return ask(t, lead=Msg("dialogs.cancel_after_submission"))
    if s in (*_NOT_STARTED, State.declined):
        t.say("dialogs.nothing_to_cancel")
        return None
    confirm_cancel(t, "cancel")


def faq(t: Turn, text: str, strict: bool = False, again: Callable[[Turn], None] = ask) -> bool:
    """Answer a question asked in free text, then repeat the current question (`again`: after
    the result, its own menu). False when there is nothing to answer (not a question we
    recognise, or a greeting where no question is open): the caller replies then."""
    if unsure(text):  # "I don't know" asks nothing (it was "cancel", 0.97)
        return False
    if unclear_period(text):  # "十几年" is a period said vaguely, not early_retirement
        return False
    intent = nlu.classify(text)
    if intent.name == "unknown" or intent.confidence < FAQ_MIN_CONFIDENCE:
        # Below the calibrated threshold: said so, never answered with a guess (a name is
        # free text: there only a clear question is one).
        return not strict and not_understood(t, text)
    # A name is short and free: only a clear question (a known word of two characters or
    # more, e.g. 公积金, 材料) is taken as one; "张" alone is a surname, not 涨 (a raise).
    # Numerals are names too (冯十三, 王五十): a number word is no sign of a question here.
    words = [k for k in intent.keywords if len(k) > 1 and nlu.parse_number(k) is None]
    if strict and (intent.confidence < 0.8 or not words):
        return False
    if intent.name == "cancel":
        # Nothing destructive from free text: how to cancel is said, the command does it.
        t.say("dialogs.cancel_how")
        again(t)
        return True
    if intent.name == "progress":
        status(t, "")
        return True
    if intent.name in _NOT_A_QUESTION:
        return _not_a_question(t, intent.name, again)
    if intent.name == "pension_amount":  # "能领多少": the estimate itself, where it can be
        if pension.asks_when(text):  # "什么时候开始发": the month is the office's to set
            t.say("pension.when_paid")
        elif not pension.answer(t, text):
            t.say(nlu.faq_key(intent))
        again(t)
        return True
    if intent.name == "human_agent":  # at any stage: a task, the day of the call, go on
        person_asked(t, text)
        return True
    _say_answer(t, intent)
    again(t)
    return True


def _say_answer(t: Turn, intent: nlu.Intent) -> None:
    """The FAQ's answer; after the result, an online step's own steps again (the FAQ promises
    them "once the case is done")."""
    steps = steps_again(t, intent.name) if t.state in AFTER_RESULT else None
    if steps is not None:
        t.replies.append(Reply(steps))
    else:
        t.say(_IN_JOURNEY.get(intent.name) or nlu.faq_key(intent))


def _not_a_question(t: Turn, name: str, again: Callable[[Turn], None]) -> bool:
    """Mid-journey, the FAQ's "send /start to begin" only confuses: at a question, say how to
    answer it; in a state without one, the caller's standing message says where we are."""
    q = t.question()
    if q is None:
        return False
    if name == "apply":
        t.say("dialogs.already_applying")
        again(t)
    else:
        unclear(t, q)
    return True
