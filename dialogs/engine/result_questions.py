"""The questions after the result, and asking the current one: the name to sign with, the
confirmation, the rating and its comment, whether an online step is done; once all is done,
the menu of the documents to download.

Every question carries `question=<state>` and choices with stable ids, like the questions
before submission, so a channel versions its buttons and maps a typed number to them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from cases.result_commands import RATING_LEVELS
from dialogs.choice_words import labelled, said
from dialogs.engine.turn import Turn
from dialogs.events import Choice, Event, Text
from dialogs.machine import State
from locales import when
from locales.replies import Msg, Option, Reply

S = State
STASH = "aftercare"  # the key of the answers that holds what the steps after the result keep


def stash(t: Turn) -> dict[str, Any]:
    """What the steps after the result keep between events (the name typed to sign with, the
    notice version shown, the online steps still to ask about), inside the answers."""
    kept = t.d.answers.get(STASH)
    if not isinstance(kept, dict):
        kept = t.d.answers[STASH] = {}
    return kept


# Each question's buttons, (id, label key): what is shown, and what a typed answer is read by.
BUTTONS: dict[State, tuple[tuple[str, str], ...]] = {
    S.ask_signature_name: (
        ("object", "aftercare.sign.choice_object"),
        ("person", "aftercare.sign.choice_person"),
    ),
    S.ask_signature_confirm: (
        ("confirm", "aftercare.sign.choice_confirm"),
        ("retype", "aftercare.sign.choice_retype"),
        ("notice", "aftercare.sign.choice_read_again"),
    ),
    S.ask_rating: (
        *((level, f"aftercare.rating.level.{level}") for level in RATING_LEVELS),
        ("skip", "aftercare.rating.choice_skip"),
    ),
    S.ask_rating_comment: (("skip", "aftercare.rating.choice_no_comment"),),
    S.ask_online_steps_done: (
        ("done", "aftercare.online.choice_done"),
        ("not_yet", "aftercare.online.choice_not_yet"),
    ),
}


def _options(question: State) -> tuple[Option, ...]:
    return tuple(Option(id_, Msg(key)) for id_, key in BUTTONS[question])


def chosen(event: Event, question: State) -> str | None:
    """The button tapped, or the one whose words were typed: its synonyms (locales/), else
    its label in any language or the label's beginning ("再看一遍" for "再看一遍告知单")."""
    if isinstance(event, Choice):
        return event.id
    if isinstance(event, Text):
        buttons = dict(BUTTONS[question])
        return said(event.text, question.value, tuple(buttons)) or labelled(event.text, buttons)
    return None


def sign_question() -> Reply:
    """Sign by typing the name; or say one disagrees, or ask for a person."""
    return Reply(
        Msg("aftercare.sign.ask_name"),
        choices=_options(S.ask_signature_name),
        expects="text",
        question=S.ask_signature_name.value,
    )


def objection_pending(call_by: date) -> Reply:
    """Where the name is asked while the worker's objection is with the clerk: when they will
    be called, and no prompt to sign (typing the name still signs)."""
    return Reply(
        Msg("aftercare.sign.objection_pending", {"due": Msg(*when.day(call_by))}),
        expects="text",
        question=S.ask_signature_name.value,
    )


def confirm_question(t: Turn) -> Reply:
    view = t.ctx.result
    params = {
        "name": stash(t).get("signature_name", ""),
        "case_number": view.number if view is not None else "",
    }
    return Reply(
        Msg("aftercare.sign.confirm", params),
        choices=_options(S.ask_signature_confirm),
        expects="choice",
        question=S.ask_signature_confirm.value,
    )


def rating_question() -> Reply:
    return Reply(
        Msg("aftercare.rating.ask"),
        choices=_options(S.ask_rating),
        expects="choice",
        question=S.ask_rating.value,
    )


def comment_question() -> Reply:
    return Reply(
        Msg("aftercare.rating.ask_comment"),
        choices=_options(S.ask_rating_comment),
        expects="text",
        question=S.ask_rating_comment.value,
    )


def online_step_question(step: str) -> Reply:
    return Reply(
        Msg("aftercare.online.ask_done", {"step": Msg(f"aftercare.online.step.{step}")}),
        choices=_options(S.ask_online_steps_done),
        expects="choice",
        question=S.ask_online_steps_done.value,
    )


def finished_menu() -> Reply:
    return Reply(
        Msg("aftercare.menu"),
        choices=(
            Option("signed_copy", Msg("aftercare.docs.choice_signed_copy")),
            Option("doc_guide", Msg("aftercare.docs.choice_guide")),
            Option("doc_form", Msg("aftercare.docs.choice_form")),
            Option("doc_flowchart", Msg("aftercare.docs.choice_flowchart")),
        ),
        expects="choice",
        # Versions the buttons like any question, so channels can map a typed number to them;
        # document choices are served in any state, so this menu never goes stale.
        question=S.finished.value,
    )


def ask(t: Turn, lead: Msg | None = None) -> None:
    """Ask the current question after the result (the menu, once everything is done);
    `lead`, what was wrong, on top of it in the same message."""
    s = t.state
    objection = t.ctx.result.objection_call_by if t.ctx.result is not None else None
    if s is S.ask_signature_name:
        reply = sign_question() if objection is None else objection_pending(objection)
    elif s is S.ask_signature_confirm:
        reply = confirm_question(t)
    elif s is S.ask_rating:
        reply = rating_question()
    elif s is S.ask_rating_comment:
        reply = comment_question()
    elif s is S.ask_online_steps_done:
        reply = online_step_question(str(stash(t).get("online_step")))
    else:
        reply = finished_menu()
    t.replies.append(replace(reply, message=reply.message.led_by(lead)))
