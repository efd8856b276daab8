"""Signing the result notice (签字确认): the worker types their name, sees it back with the
case number, and confirms; or says they disagree, or asks for a person, and can still sign
later.

What signing would do is decided from the record read in the event's transaction
(`ctx.result`), by the rule the use case itself applies (`cases.result.sign_outcome`); the
signature is the `SignNotice` command, and the signed copy comes with the reply.
"""

from __future__ import annotations

import re
from typing import Literal

from cases.result_commands import (
    DeclineRating,
    RaiseAtSigning,
    SignNotice,
    same_name,
    sign_outcome,
)
from dialogs.choice_words import mentioned, name_like
from dialogs.engine.commands import faq
from dialogs.engine.document_requests import send_document
from dialogs.engine.free_text import masked_words
from dialogs.engine.person import CALL_WITHIN_WORKING_DAYS
from dialogs.engine.result_questions import ask, chosen, sign_question, stash
from dialogs.engine.turn import Turn
from dialogs.events import Choice, Event, Text
from dialogs.happenings import ResultDelivered
from dialogs.machine import State
from dialogs.paperwork import wanted
from locales import when
from locales.replies import Msg, Reply
from policy.workdays import add_working_days

S = State
MAX_NAME_FAILURES = 3  # then the worker is told they may also sign at the window
_WAYS_OUT = ("object", "person")  # 对结果有异议, 转人工: tapped or typed
_TYPED_NAME_MAX = 64
_WORDS_MAX = 500
# Words that are no part of a name: "好的我签", "我确认" say yes, the name is still to come.
_SAYS_MORE = re.compile(r"签|好的|确认|同意|没问题|收到|知道了|明白|谢谢|我")


def delivered(t: Turn, happening: ResultDelivered) -> None:
    """The notice went out (again, when changed): sign it. A result is authoritative: where
    no row of the table leads to the signature, the conversation jumps there."""
    trigger = "notice_changed" if happening.changed else "deliver_result"
    if t.may(trigger):
        t.trigger(trigger)
    else:
        t.jump(S.ask_signature_name)
    stash(t)["signature_sha"] = None  # the version shown is the one now delivered
    t.d.failures = 0
    t.replies.append(sign_question())  # a changed notice is signed anew, objection or not


def say_status(t: Turn) -> None:
    view = t.ctx.result
    if view is not None:
        status = Msg(f"dialogs.case_status.{view.status}")
        t.say("aftercare.status", case_number=view.number, status=status)


def name(t: Turn, event: Event) -> None:
    """ask_signature_name: the name typed must be the one the notice is made out to."""
    view = t.ctx.result
    if view is None or view.status != "notified":
        t.say("aftercare.sign.not_ready")
        return say_status(t)
    way_out = _way_out(event)
    if way_out is not None:
        return _raise(t, way_out, event)
    if not isinstance(event, Text) or not event.text.strip():
        return ask(t)
    typed = event.text.strip()[:_TYPED_NAME_MAX]
    if same_name(typed, view.signer):
        t.d.failures = 0
        kept = stash(t)
        kept["signature_name"] = typed
        kept["signature_sha"] = view.notice_sha256  # the version the worker was shown
        t.trigger("next")
        return ask(t)
    if not name_like(typed):
        # A question about the result, not a wrong name: never counted against them. A clear
        # question gets its answer, then the sign prompt; else what to type here.
        if faq(t, typed, strict=True, again=ask):
            return None
        return ask(t, lead=Msg("aftercare.sign.not_a_name"))
    if _SAYS_MORE.search(typed):  # "好的我签": willing, but the name is what signs
        return ask(t, lead=Msg("aftercare.sign.name_only"))
    t.d.failures += 1
    window = t.d.failures >= MAX_NAME_FAILURES
    return ask(t, lead=Msg(f"aftercare.sign.name_mismatch{'_window' if window else ''}"))


def _way_out(event: Event) -> str | None:
    if isinstance(event, Choice):
        return event.id if event.id in _WAYS_OUT else None
    if isinstance(event, Text):
        return mentioned(event.text, S.ask_signature_name.value, _WAYS_OUT)
    return None


def _raise(t: Turn, way_out: str, event: Event) -> None:
    """有异议 or 转人工 at signing: a task for the clerk with the worker's words; the notice
    stays unsigned, and the worker is told what happens next and that they can still sign."""
    words, hidden = masked_words(event.text) if isinstance(event, Text) else ("", False)
    due = add_working_days(t.ctx.today, CALL_WITHIN_WORKING_DAYS)
    kind: Literal["object", "person"] = "object" if way_out == "object" else "person"
    t.do(RaiseAtSigning(kind, words[:_WORDS_MAX], call_by=due))
    key = "aftercare.sign.objection_taken" if way_out == "object" else "aftercare.sign.person"
    t.say(key, due=Msg(*when.day(due)))
    if hidden:  # ID or phone numbers in the words: kept masked, and the worker told
        t.say("aftercare.numbers_hidden")
    # No prompt to sign now: the worker was just told that signing can wait for the call.


def confirm(t: Turn, event: Event) -> None:
    """ask_signature_confirm: sign, type the name again, or read the notice again; the ways
    out and a question are answered here too, and anything else says what to tap or type."""
    choice = chosen(event, S.ask_signature_confirm)
    if choice == "retype":
        t.trigger("retype")
        return ask(t)
    if choice == "notice":
        return send_document(t, "notice")
    if choice != "confirm":
        return _not_confirmed(t, event)
    view = t.ctx.result
    if view is None:
        return ask(t)
    kept = stash(t)
    typed, shown = str(kept.get("signature_name", "")), kept.get("signature_sha")
    outcome = sign_outcome(view.status, view.notice_sha256, same_name(typed, view.signer), shown)
    if outcome == "notice_changed":
        t.say("aftercare.sign.notice_changed")
        t.trigger("retype")
        return send_document(t, "notice")
    if outcome != "signed":
        t.say("aftercare.sign.not_ready")
        t.trigger("retype")
        return None
    t.do(SignNotice(typed, shown))
    t.trigger("sign")  # to the rating, or past it when the case was rated before
    done = Msg("aftercare.sign.done", {"case_number": view.number})
    t.replies.append(Reply(done, document=wanted("signed_copy", alone=False)))
    if t.state is S.finished:
        t.do(DeclineRating())  # closes the case; the first rating stands
    return ask(t)


def _not_confirmed(t: Turn, event: Event) -> None:
    """Not one of the buttons at 签字确认: "不满意" is an objection, a question gets its
    answer; then the same question, or first a word on what to tap or type."""
    way_out = _way_out(event)
    if way_out is not None:
        t.trigger("retype")  # unsigned: the name is typed again whenever they sign
        return _raise(t, way_out, event)
    if isinstance(event, Text) and faq(t, event.text.strip(), strict=True, again=ask):
        return None
    return ask(t, lead=Msg("aftercare.sign.confirm_hint"))
