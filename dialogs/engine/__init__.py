"""The conversation engine: one pure function from (stored state, event, context) to
(new state, replies, commands).

No I/O here: the service loads the conversation, calls `handle`, applies the commands and saves
the new state in one transaction. The shared `transitions` machine (dialogs/machine.py) decides
every move of the table, and each question's row (dialogs/questions.py) says what it offers,
records and shows; the modules of this package read answers, validate them and say what to
reply, one module per part of the journey:

    dispatch         where an event goes (commands, idle states, the current question)
    commands         /start, /help, /status, /back, /cancel ... and questions in free text
    answering        reading the answer to the current question, then recording it
    recording        the recorders and moves that the question rows name
    identity         language, consent, name, ID number, phone
    eligibility      category, kind of retirement, contribution years, verdict, reminder
    special_cases    the materials questions and the checklist they decide
    uploads          pages, "done", "lost", "later"
    review           the review, editing an answer, confirming /cancel
    progress         /status: the stage before submission, the case after it
    after_submission supplements: returned pages reopen the upload step
    after_result     after the result: signing, rating, online_steps, result_questions
    document_requests  the reform's documents on request, the notice and its signed copy
    asking           the current question and its choices, failures, the person offered
    summary          the review's lines, and what /cancel would lose
    flow             the next question that still needs an answer
    turn, facts, keys  one event's work; policy glue and the machine's model; names
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from dialogs.engine.after_result import happen as after_result_happens
from dialogs.engine.dispatch import dispatch
from dialogs.engine.facts import Step
from dialogs.engine.keys import (
    CASE_NUMBER,
    CASE_STATUSES,
    CONSENT_SCOPE,
    CONSENT_VERSION,
    ITEM_STATUSES,
    LANGUAGES,
    MAX_FAILURES,
    PROBLEMS,
)
from dialogs.engine.turn import Command, Turn, number_buttons
from dialogs.events import Event
from dialogs.happenings import Happening
from dialogs.machine import State, set_state, thread_model
from dialogs.state import Context, ConversationData
from locales.replies import Reply

__all__ = [
    "CASE_NUMBER",
    "CASE_STATUSES",
    "CONSENT_SCOPE",
    "CONSENT_VERSION",
    "ITEM_STATUSES",
    "LANGUAGES",
    "MAX_FAILURES",
    "PROBLEMS",
    "Result",
    "Step",
    "handle",
    "happen",
]


class Result(NamedTuple):
    data: ConversationData
    replies: list[Reply]
    commands: list[Command]


def handle(data: ConversationData, event: Event, ctx: Context) -> Result:
    """One inbound event: the new conversation data, the replies, the commands to apply."""
    return _run(data, ctx, lambda turn: dispatch(turn, event))


def happen(data: ConversationData, happening: Happening, ctx: Context) -> Result:
    """An event from outside the chat (the notice delivered, the online-step check due)."""
    return _run(data, ctx, lambda turn: after_result_happens(turn, happening))


def _run(data: ConversationData, ctx: Context, work: Callable[[Turn], None]) -> Result:
    d = data.copy()
    step = thread_model(Step)
    step.d, step.ctx = d, ctx
    set_state(step, State(d.state))
    turn = Turn(d, ctx, step)
    work(turn)
    turn.flush_lead()
    number_buttons(turn)
    d.state = step.state.value  # the machine keeps a State
    step.d, step.ctx = ConversationData(), None  # hold no personal data between events
    return Result(d, turn.replies, turn.commands)
