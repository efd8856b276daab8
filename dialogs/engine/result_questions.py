"""The questions after the result, and asking the current one: the name to sign with, the
confirmation, the rating and its comment, whether an online step is done; once all is done,
the menu of the documents to download.

Every question carries `question=<state>` and choices with stable ids, like the questions
before submission, so a channel versions its buttons and maps a typed number to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cases.result_commands import RATING_LEVELS
from dialogs.choice_words import said
from dialogs.engine.turn import Turn
from dialogs.events import Choice, Event, Text
from dialogs.machine import State
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


def chosen(event: Event, question: State, typed: Sequence[str]) -> str | None:
    """The button tapped, or the one of `typed` whose words were typed (their synonyms)."""
    if isinstance(event, Choice):
        return event.id
    if isinstance(event, Text):
        return said(event.text, question.value, typed)
    return None


def sign_question() -> Reply:
    """Sign by typing the name; or say one disagrees, or ask for a person."""
    return Reply(
        Msg("aftercare.sign.ask_name"),
        choices=(
            Option("object", Msg("aftercare.sign.choice_object")),
            Option("person", Msg("aftercare.sign.choice_person")),
        ),
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
        choices=(
            Option("confirm", Msg("aftercare.sign.choice_confirm")),
            Option("retype", Msg("aftercare.sign.choice_retype")),
            Option("notice", Msg("aftercare.sign.choice_read_again")),
        ),
        expects="choice",
        question=S.ask_signature_confirm.value,
    )


def rating_question() -> Reply:
    options = tuple(
        Option(level, Msg(f"aftercare.rating.level.{level}")) for level in RATING_LEVELS
    )
    return Reply(
        Msg("aftercare.rating.ask"),
        choices=(*options, Option("skip", Msg("aftercare.rating.choice_skip"))),
        expects="choice",
        question=S.ask_rating.value,
    )


def comment_question() -> Reply:
    return Reply(
        Msg("aftercare.rating.ask_comment"),
        choices=(Option("skip", Msg("aftercare.rating.choice_no_comment")),),
        expects="text",
        question=S.ask_rating_comment.value,
    )


def online_step_question(step: str) -> Reply:
    return Reply(
        Msg("aftercare.online.ask_done", {"step": Msg(f"aftercare.online.step.{step}")}),
        choices=(
            Option("done", Msg("aftercare.online.choice_done")),
            Option("not_yet", Msg("aftercare.online.choice_not_yet")),
        ),
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


def ask(t: Turn) -> None:
    """Ask the current question after the result (the menu, once everything is done)."""
    s = t.state
    if s is S.ask_signature_name:
        reply = sign_question()
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
    t.replies.append(reply)
