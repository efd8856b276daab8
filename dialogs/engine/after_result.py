"""Where an event goes after the result: a command, a language, a document, a stale button,
or the current question's own handler (signing, rating, online steps, the final menu); and
the events from outside the chat (the notice delivered, the online-step check due).

The case is decided: nothing here goes back (/back, /cancel, /restart are answered, not done).
"""

from __future__ import annotations

from collections.abc import Callable

from dialogs.engine import online_steps, rating, signing
from dialogs.engine.commands import faq
from dialogs.engine.document_requests import is_document_choice, requested_document, send_document
from dialogs.engine.keys import LANGUAGES
from dialogs.engine.result_questions import ask
from dialogs.engine.turn import Turn
from dialogs.events import Choice, Command, Event, Text
from dialogs.happenings import Happening, OnlineStepsDue, ResultDelivered
from dialogs.machine import State
from dialogs.state import SetLanguage
from locales.replies import Msg, Option, Reply

S = State
# Questions whose typed answer is free text: never read as a request for a document.
_FREE_TEXT = frozenset({S.ask_signature_name, S.ask_rating_comment})


def finished(t: Turn, event: Event) -> None:
    if rating.already_rated(t, event):
        return None
    # The case is closed, the worker's questions are not: answered, then the menu again.
    if isinstance(event, Text) and faq(t, event.text.strip(), strict=True, again=ask):
        return None
    t.say("aftercare.finished")
    return ask(t)


def online_step(t: Turn, event: Event) -> None:
    """ask_online_steps_done: a question ("在哪交") is answered before the step is asked again."""
    unanswered = online_steps.answered(event) is None and isinstance(event, Text)
    if unanswered and faq(t, event.text.strip(), strict=True, again=ask):  # type: ignore[union-attr]
        return None
    return online_steps.answer(t, event)


# /help says what is still to do: signing and rating are gone from it once done.
_HELP = {
    S.ask_rating: "aftercare.help_rating",
    S.ask_rating_comment: "aftercare.help_rating",
    S.ask_online_steps_done: "aftercare.help_finished",
    S.finished: "aftercare.help_finished",
}

_AT: dict[State, Callable[[Turn, Event], None]] = {
    S.ask_signature_name: signing.name,
    S.ask_signature_confirm: signing.confirm,
    S.ask_rating: rating.rate,
    S.ask_rating_comment: rating.comment,
    S.ask_online_steps_done: online_step,
    S.finished: finished,
}


def after_result(t: Turn, event: Event) -> None:
    if isinstance(event, Command):
        return command(t, event)
    if isinstance(event, Choice):
        if event.id.startswith("lang:"):
            return language(t, event.id.removeprefix("lang:"))
        if is_document_choice(event.id):
            return send_document(t, event.id)
        if event.question == S.ask_rating.value and rating.already_rated(t, event):
            return None
        if t.stale(event, t.question()):
            return ask(t, lead=Msg("aftercare.stale_button"))
    # A rating's words come before a document's: "差评，还让我重新交申请表" is a rating.
    if (
        isinstance(event, Text)
        and t.state not in _FREE_TEXT
        and not rating.rated_in_words(t, event)
    ):
        kind = requested_document(event.text)
        if kind is not None:
            return send_document(t, f"doc_{kind}")
    return _AT[t.state](t, event)


def happen(t: Turn, happening: Happening) -> None:
    if isinstance(happening, ResultDelivered):
        return signing.delivered(t, happening)
    if isinstance(happening, OnlineStepsDue):
        return online_steps.due(t, happening)
    return None


def command(t: Turn, event: Command) -> None:
    if event.name in ("start", "status"):
        signing.say_status(t)
    elif event.name == "help":
        t.say(_HELP.get(t.state, "aftercare.help"))  # only what is still to do
    elif event.name == "language":
        choices = tuple(
            Option(f"lang:{code}", Msg(f"aftercare.language.{code}")) for code in LANGUAGES
        )
        t.replies.append(Reply(Msg("aftercare.choose_language"), choices, "choice"))
        return None
    else:  # back, cancel, restart: the case is decided, there is nothing to undo here
        t.say("aftercare.no_going_back")
    return ask(t)


def language(t: Turn, code: str) -> None:
    if code in LANGUAGES:
        t.d.language = code
        t.do(SetLanguage(code))
    return ask(t)
