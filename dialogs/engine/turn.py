"""One event's work: the conversation being changed, the context it is read in, and what the
engine says and asks the service to do. Every part of the engine receives the `Turn`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cases.result_commands import AfterResultCommand
from dialogs.engine.facts import Step, dependents
from dialogs.events import Choice, Event
from dialogs.machine import State, question_key, set_state
from dialogs.questions import ANSWER_KEY, QUESTIONS, Question
from dialogs.state import ClearMaterial, Context, ConversationData, DomainCommand
from locales.replies import Msg, Reply

# What the engine asks the service to do: the commands before the result, and after it.
Command = DomainCommand | AfterResultCommand


def number_buttons(t: Turn) -> None:
    """This turn's messages with buttons get the next number: from now on, buttons of the
    messages before are stale (`Turn.stale`), whatever question they belong to."""
    if not any(r.choices for r in t.replies):
        return
    t.d.shown += 1
    t.replies[:] = [replace(r, shown=t.d.shown) if r.choices else r for r in t.replies]


class Turn:
    def __init__(self, d: ConversationData, ctx: Context, step: Step) -> None:
        self.d, self.ctx, self.step = d, ctx, step
        self.replies: list[Reply] = []
        self.commands: list[Command] = []
        self.answered: str | None = None  # the question answered by this event
        # What this event did ("已收到身份证，共2页。"), said on top of the next question
        # asked, in the same message (`asking.ask`); said alone if none is (`flush_lead`).
        self.lead: Msg | None = None

    # ---- what goes out ----
    def say(self, key: str, **params: Any) -> None:
        self.replies.append(Reply(Msg(key, params)))

    def say_above_next(self, key: str, **params: Any) -> None:
        """`key` on top of the next question asked this turn (alone if none is)."""
        said = Msg(key, params)
        self.lead = said if self.lead is None else said.led_by(self.lead)

    def flush_lead(self) -> None:
        if self.lead is not None:
            self.replies.append(Reply(self.lead))
            self.lead = None

    def do(self, command: Command) -> None:
        self.commands.append(command)

    # ---- where the applicant is ----
    @property
    def state(self) -> State:
        state: State = self.step.state  # type: ignore[attr-defined]  # the machine keeps a State
        return state

    def question(self) -> str | None:
        return question_key(self.state, self.d.material)

    def stale(self, event: Event, question: str | None) -> bool:
        """A button of an earlier question, or of an older message of this one."""
        if not isinstance(event, Choice):
            return False
        if event.question is not None and event.question != question:
            return True
        return event.shown is not None and event.shown < self.d.shown

    def applies(self, row: Question) -> bool:
        """Whether this applicant is asked the question (its condition in machine.TABLE holds):
        a man is never asked the category of a woman's post."""
        return row.asked_if is None or bool(getattr(self.step, row.asked_if)())

    def trigger(self, name: str) -> None:
        self.step.trigger(name)  # type: ignore[attr-defined]  # added by the machine
        self.d.state = self.state.value

    def may(self, name: str) -> bool:
        """Whether a row of the table leads from here by `name` (its conditions holding)."""
        return bool(self.step.may_trigger(name))  # type: ignore[attr-defined]  # the machine's

    def jump(self, state: State) -> None:
        set_state(self.step, state)
        self.d.state = state.value

    # ---- forgetting ----
    def reset(self) -> None:
        """A fresh journey in the same language."""
        fresh = ConversationData(language=self.d.language)
        for name in fresh.__dataclass_fields__:
            setattr(self.d, name, getattr(fresh, name))

    def clear(self, question: str) -> None:
        """Forget an answer (and what depends on it) so that it is asked again."""
        if question in ("ask_id_number", "ask_upload_id_card"):  # what the difference was with
            self.d.answers.pop("card_number_differs", None)
        if question.startswith("ask_upload_"):
            code = question.removeprefix("ask_upload_")
            self.d.materials[code] = {"pages": 0, "status": "pending"}
            self.do(ClearMaterial(code))
            return
        for q in (question, *dependents(question)):
            self.d.answers.pop(ANSWER_KEY[q], None)
            if q in self.d.history:
                self.d.history.remove(q)
        if question == "ask_contribution":
            self.d.answers.pop("early", None)
        for code in QUESTIONS[question].clears_pages:
            if code in self.d.materials:
                self.d.materials[code] = {"pages": 0, "status": "pending"}
                self.do(ClearMaterial(code))
