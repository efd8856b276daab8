"""转人工 wherever the worker is (issue 13): a task for the clerk with the worker's words and
where they were, the day they will be phoned by on the working-day clock, and the journey
goes on where it was (before submission the question is asked again; after it, nothing is
lost either). Signing has its own way out, with the notice left unsigned (signing.py)."""

from __future__ import annotations

from dialogs import nlu
from dialogs.choice_words import unsure
from dialogs.engine.asking import ask, limit
from dialogs.engine.free_text import masked_words
from dialogs.engine.turn import Turn
from dialogs.machine import AFTER_SUBMISSION
from dialogs.state import HandToPerson
from locales import when
from locales.replies import Msg
from policy.workdays import add_working_days

CALL_WITHIN_WORKING_DAYS = 1  # the clerk phones back by the next working day
# Numbers a worker may not have at hand, and choices no office can make for them: where to
# find it, or how to choose ("不知道" is no wrong answer).
NUMBER_HELP = {
    "ask_id_number": "dialogs.not_known.id_number",
    "ask_phone": "dialogs.not_known.phone",
    "ask_retirement_type": "dialogs.not_known.retirement_type",
    "ask_category": "dialogs.not_known.category",
}


def stage_of(t: Turn) -> str:
    """Where the worker was, for the clerk: before_submission, upload, after_submission."""
    if (t.question() or "").startswith("ask_upload_"):
        return "upload"
    return "after_submission" if t.state in AFTER_SUBMISSION else "before_submission"


def person_asked(t: Turn, text: str = "") -> None:
    """The worker asked for a person (tapped or typed): the clerk's task, the day of the
    call, and the same question again (or, with none open, nothing more)."""
    words, hidden = masked_words(text)
    due = add_working_days(t.ctx.today, CALL_WITHIN_WORKING_DAYS)
    earlier, t.d.unanswered = t.d.unanswered or "", None
    t.do(HandToPerson("asked", t.question(), words, stage_of(t), call_by=due, earlier=earlier))
    t.d.failures = 0
    t.say("dialogs.person_called", due=Msg(*when.day(due)))
    if hidden:  # ID or phone numbers in the words: kept masked, and the worker told
        t.say("aftercare.numbers_hidden")
    if t.question() is not None:
        ask(t)


def not_known(q: str, text: str) -> bool:
    """The whole message says the worker does not know a number asked here ("忘了")."""
    return q in NUMBER_HELP and (unsure(text) or nlu.not_knowing(text))


def number_not_known(t: Turn, q: str) -> None:
    """ "不知道" where a number is asked: where to find it, and the 转人工 button on the
    question (not counted as a wrong answer)."""
    t.say(NUMBER_HELP[q])  # where cards are read, the question asked again offers the photo
    t.say("dialogs.not_known.person")
    t.d.failures = max(t.d.failures, limit(t, q))  # the 转人工 button from now on
    ask(t)
