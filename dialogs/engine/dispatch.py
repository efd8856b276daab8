"""Where an event goes: a command, a new journey, the states that ask nothing (declined,
waiting for the date, with a person, submitted), or the answer to the current question."""

from __future__ import annotations

from dialogs import answers as read
from dialogs.engine import card_photo, pension
from dialogs.engine.after_result import after_result
from dialogs.engine.after_submission import reopen
from dialogs.engine.answering import accept, answer
from dialogs.engine.asking import ask, begin, choices
from dialogs.engine.commands import command, faq
from dialogs.engine.document_requests import document_asked, on_request
from dialogs.engine.keys import readable
from dialogs.engine.progress import status
from dialogs.engine.result_questions import ask as ask_after_result
from dialogs.engine.turn import Turn
from dialogs.engine.uploads import late_done, upload
from dialogs.events import Choice, Command, Event, Files, Text, Unsupported
from dialogs.machine import AFTER_RESULT, State
from locales.replies import Msg

# What a channel could not turn into an answer, and what the worker is told instead.
UNSUPPORTED = {
    "forwarded_text": "dialogs.unsupported_forwarded",
    "edited_message": "dialogs.unsupported_edited",
    "contact_of_someone_else": "dialogs.unsupported_contact",
}


def dispatch(t: Turn, event: Event) -> None:
    moved_on, t.d.moved_on = t.d.moved_on, None  # for the very next message only
    if moved_on is not None and late_done(t, event, moved_on):
        return None
    if pension.asked(t.state, event):  # 养老金测算, in any state: then where we were
        pension.answer(t, event.text)  # type: ignore[union-attr]
        return ask_after_result(t) if t.state in AFTER_RESULT else ask(t)
    if t.state in AFTER_RESULT:
        return after_result(t, event)
    if (document := document_asked(t.state, event)) is not None:
        return t.replies.append(on_request(document))  # in any state, and nothing else
    if isinstance(event, Command):
        return command(t, event)
    if t.state in (State.start, State.cancelled):
        return begin(t)
    if isinstance(event, Unsupported):
        return unsupported(t, event)
    if t.state is State.declined:
        return declined(t, event)
    if t.state is State.waiting_for_date:
        return idle(t, event, "dialogs.waiting")
    if t.state is State.handed_to_person:
        return idle(t, event, "dialogs.with_person")
    if t.state is State.submitted:
        return submitted(t, event)
    if card_photo.handles(t, event):  # the ID card's photo (issue 18)
        return None
    return answer(t, event)


def unsupported(t: Turn, event: Unsupported) -> None:
    """What a channel could not turn into an answer. A sticker or a voice note is answered
    with what this step needs: a photo of that document at an upload, the words asked for
    (or the card's photo, where it is read) at a typed question, a tap where buttons are."""
    q = t.question() or ""
    _, expects = choices(t, q)
    ask(t, lead=_needs_instead(t, q, expects, event))


def _needs_instead(t: Turn, q: str, expects: str, event: Unsupported) -> Msg:
    """What to say on top of the question asked again (one message, not two)."""
    if event.what in UNSUPPORTED:
        return Msg(UNSUPPORTED[event.what])
    if q.startswith("ask_upload_"):
        name = Msg(f"material.{q.removeprefix('ask_upload_')}.name")
        return Msg("understanding.unsupported_at_upload", {"name": name})
    if q == "ask_id_number" and t.ctx.reads_cards:
        return Msg("card_photo.unsupported")
    if expects == "text":
        return Msg("understanding.unsupported_at_text", {"field": Msg(f"dialogs.field.{q}")})
    if expects == "contact":
        return Msg("understanding.unsupported_at_phone")
    return Msg("dialogs.unsupported")


def declined(t: Turn, event: Event) -> None:
    """Consent declined: only "agree" (tapped or typed) goes on."""
    if (isinstance(event, Choice) and event.id == "agree") or (
        isinstance(event, Text) and read.interpret_choice(event.text, ["agree"]) == "agree"
    ):
        t.trigger("reconsider")
        return accept(t, "ask_consent", "agree")
    t.say("dialogs.declined_again")


def idle(t: Turn, event: Event, standing: str) -> None:
    if readable(event) and faq(t, event.text.strip()):  # type: ignore[union-attr]
        return None
    if isinstance(event, Files):
        t.say("dialogs.hint.file_not_needed_now")
    t.say(standing)


def submitted(t: Turn, event: Event) -> None:
    if t.step.needs_supplement():
        photos = isinstance(event, Files)
        # "进度怎么样了", "要多久能办完": answered as ever, then the upload is asked for.
        asked = event.text.strip() if readable(event) else ""  # type: ignore[union-attr]
        if asked and faq(t, asked, strict=True, again=reopen):
            return None
        reopen(t, explain=not photos)
        if photos and t.d.material:
            upload(t, event, t.d.material)
        return None
    if readable(event) and faq(t, event.text.strip()):  # type: ignore[union-attr]
        return None
    if isinstance(event, Files):
        t.say("dialogs.no_upload_needed")
    status(t, "")
