"""Eligibility and the verdict: the category of a woman's post, the kind of retirement, the
contribution years, the pre-check verdict, and the reminder for those not yet eligible."""

from __future__ import annotations

from datetime import date
from typing import Any

from dialogs import answers as read
from dialogs.engine import pension
from dialogs.engine.asking import fail
from dialogs.engine.facts import assessment
from dialogs.engine.keys import CONTRIBUTION_ABOUT
from dialogs.engine.turn import Turn
from dialogs.nlu_numbers import approximate_period, unclear_period
from dialogs.state import HandToPerson, StoreReminder
from locales import when
from locales.replies import Msg
from policy.reminder_day import reminder_day
from policy.retirement import special_route

HINT = "dialogs.hint.contribution"
# A period said as a round figure ("二十多年") is taken as "about" that when it reaches the
# minimum contribution of today (15 years); below it, the real number decides the verdict.
ABOUT_AT_LEAST = 15 * 12


def record_retirement_type(t: Turn, value: Any) -> bool:
    t.d.answers["retirement_type"] = value
    if value != "normal":  # illness or special work: explained, then handed to a person
        t.say(special_route(value).explanation_key)
        t.do(HandToPerson(value, "ask_retirement_type"))
    return True


def record_contribution(t: Turn, value: Any) -> bool:
    months = read.parse_contribution(value) if value != "unknown" else "unknown"
    said = value if isinstance(value, str) and value != "unknown" else ""
    if months is None:
        # "十几年": an answer with a digit nobody knows; asked again kindly, saying why.
        fail(t, "understanding.contribution_unclear" if unclear_period(said) else HINT)
        return False
    about = False
    if isinstance(months, int) and said and approximate_period(said):
        about = True
        if months < ABOUT_AT_LEAST:  # "十多年": is it enough? only the real number says
            fail(t, "understanding.contribution_unclear")
            return False
        # "二十多年": surely enough; taken as about that, and the worker is told so.
        t.say("understanding.contribution_about", value=Msg(*when.duration(months)))
    t.d.answers["contribution_months"] = None if months == "unknown" else months
    if about:  # the review says "约20年", as the worker was told
        t.d.answers[CONTRIBUTION_ABOUT] = True
    else:
        t.d.answers.pop(CONTRIBUTION_ABOUT, None)
    return True


def verdict(t: Turn) -> None:
    """The pre-check: statutory age and month, reached or not, the flexible window."""
    a = assessment(t.d, t.ctx)
    if a is None:
        return
    years, months = a.statutory_age
    window = _window(a, reached=a.reached_statutory_age)
    # Without a flexible window, its line already says the age was reached before the reform.
    said = "reached_before_reform" if window.key == "dialogs.verdict.no_window" else None
    notes = [Msg(f"retirement.note.{n}", _note_params(n, a)) for n in a.notes if n != said]
    key = "dialogs.verdict.reached" if a.reached_statutory_age else "dialogs.verdict.not_yet"
    t.say(
        key,
        age=Msg(*when.age(years, months)),
        month=Msg(*when.month(a.statutory_retirement_month)),
        left=Msg(*when.duration(a.months_until_statutory or 0)),
        window=window,
        notes=notes,
        advisory=[Msg("advisory"), *pension.offer(t.ctx.pension_base)],
    )


def reminder(t: Turn, value: str) -> bool:
    """The answer to ask_reminder; True when the applicant goes on now (flexible retirement)
    and the journey moves forward, False when it waits for the date."""
    if value == "continue":
        t.d.answers["early"] = True
        return True
    a = assessment(t.d, t.ctx)
    if value == "yes" and a is not None:
        first = date(a.statutory_retirement_month.year, a.statutory_retirement_month.month, 1)
        due = reminder_day(first, t.ctx.today, t.ctx.reminder_days_before)
        if due is None:  # the month has begun: nothing to wait for
            t.say("dialogs.reminder_declined")
        else:
            month = str(a.statutory_retirement_month)
            t.do(StoreReminder(due, "statutory_month", {"month": month}))
            t.say("dialogs.reminder_stored", due=Msg(*when.day(due)))
    else:
        t.say("dialogs.reminder_declined")
    t.trigger("next")
    return False


def _window(a: Any, *, reached: bool) -> Msg:
    """The flexible window's line; who reached the date before the reform has none."""
    if a.earliest_flexible_month is None or a.latest_flexible_month is None:
        return Msg("dialogs.verdict.no_window")
    key = "dialogs.verdict.window" if reached else "dialogs.verdict.window_early"
    return Msg(
        key,
        {
            "earliest": Msg(*when.month(a.earliest_flexible_month)),
            "latest": Msg(*when.month(a.latest_flexible_month)),
        },
    )


def _note_params(note: str, a: Any) -> dict[str, Any]:
    if note == "contribution_short":
        return {"months": Msg(*when.duration(a.contribution_shortfall_months or 0))}
    return {}
