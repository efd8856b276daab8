"""The steps the worker finishes online (the housing fund withdrawal, the medical insurance
back payment): a few days after the result, "done yet?" for each step not done; where not,
the steps again and a person who calls (the `RecordOnlineStep` command opens that task).
"""

from __future__ import annotations

from cases.result_commands import DeclineRating, RecordOnlineStep
from dialogs import choice_words
from dialogs.engine.result_questions import ask, chosen, stash
from dialogs.engine.turn import Turn
from dialogs.events import Event, Text
from dialogs.happenings import OnlineStepsDue
from dialogs.machine import State
from locales.replies import Msg

S = State
_ANSWERS = ("done", "not_yet")
# The region's guide of each step (locales: [aftercare.region.<region>]).
_GUIDES = {"housing_fund": "housing_fund", "medical_payment": "medical"}


def guide(region: str, step: str) -> Msg:
    """The region's step-by-step guide of an online step, with its link."""
    prefix = f"aftercare.region.{region}.{_GUIDES.get(step, 'medical')}"
    return Msg(f"{prefix}_steps", {"link": Msg(f"{prefix}_link")})


# The FAQ's questions about an online step: after the result, answered with its steps.
_ASKED_ABOUT = {"housing_fund": "housing_fund"}


def steps_again(t: Turn, intent: str) -> Msg | None:
    """After the result, "公积金怎么取" gets the steps that were sent with it (the FAQ's
    general answer would promise them "once the case is done"); None for other questions."""
    step = _ASKED_ABOUT.get(intent)
    if step is None:
        return None
    return Msg(
        "aftercare.online.sent_again",
        {"step": Msg(f"aftercare.online.step.{step}"), "steps": guide(t.ctx.region, step)},
    )


def due(t: Turn, happening: OnlineStepsDue) -> None:
    """The check fell due: ask about the first step not done. Only after the signature (the
    table's `check_online_steps` rows); a rating still unanswered is then never asked again."""
    if not happening.steps or not t.may("check_online_steps"):
        return None
    view = t.ctx.result
    if view is not None and view.status == "signed":
        t.do(DeclineRating())
    t.trigger("check_online_steps")
    kept = stash(t)
    kept["online_steps"] = list(happening.steps)
    kept["online_step"] = happening.steps[0]
    t.d.failures = 0
    return ask(t)


def answered(event: Event) -> str | None:
    """done, not_yet, or cannot ("不会弄": typed only, no button), in the worker's words: "不会"
    anywhere wins ("还没弄，不会弄啊"); then a button's words, whole ("办好了") or within a
    short answer ("还没交"), a negation never read as what it negates ("还没办好")."""
    question = S.ask_online_steps_done.value
    if isinstance(event, Text) and choice_words.mentioned(event.text, question, ("cannot",)):
        return "cannot"
    choice = chosen(event, S.ask_online_steps_done)
    if choice is None and isinstance(event, Text):
        choice = choice_words.contained(event.text, question, _ANSWERS)
    return choice if choice in _ANSWERS else None


def answer(t: Turn, event: Event) -> None:
    """ask_online_steps_done: done; not yet (then the steps again, and a person calls); or
    cannot (the steps again, and said that a person will call). Other words get the hint."""
    choice = answered(event)
    if choice is None:  # a question was answered before this (dialogs/engine/after_result.py)
        return ask(t, lead=Msg("dialogs.hint.choose"))
    kept = stash(t)
    step = str(kept.get("online_step"))
    t.do(RecordOnlineStep(step, choice == "done"))  # not done: opens the call for the clerk
    if choice == "done":
        t.say("aftercare.online.well_done")
    else:
        key = "aftercare.online.cannot" if choice == "cannot" else "aftercare.online.help"
        t.say(key, steps=guide(t.ctx.region, step))
    pending = [s for s in kept.get("online_steps", []) if s != step]
    kept["online_steps"] = pending
    if pending:
        kept["online_step"] = pending[0]
    else:
        kept.pop("online_step", None)
    t.trigger("next")  # the next step, or finished
    return ask(t)
