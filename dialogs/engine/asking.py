"""Asking: the current question with its choices (or the state's standing message), the
re-ask after a wrong answer, and the offer of a person after repeated failures.

Every question reply carries `question=<stable key>`, `expects` and choices with stable ids,
so a channel can version its buttons; a button from an older question is a stale button."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from dialogs.engine.asked_why import asked_why
from dialogs.engine.card_question import question_message
from dialogs.engine.facts import may_retire_early, requirement
from dialogs.engine.keys import CHOICE_MISSES, MAX_FAILURES
from dialogs.engine.summary import summary, town_name, what_is_lost
from dialogs.engine.turn import Turn
from dialogs.machine import State
from dialogs.questions import ASKED, label_key, question
from locales.replies import Expects, Msg, Option, Reply
from policy.towns import town_codes

_STANDING = {
    State.declined: "dialogs.declined_again",
    State.waiting_for_date: "dialogs.waiting",
    State.handed_to_person: "dialogs.with_person",
}


def ask(t: Turn, lead: Msg | None = None) -> None:
    """Send the current question (or the state's standing message); `lead`, what was wrong
    or what was understood, on top of it in the same message."""
    if t.lead is not None:  # what this event did, above what was wrong (if anything)
        lead = t.lead if lead is None else lead.led_by(t.lead)
        t.lead = None
    s = t.state
    q = t.question()
    if q is None or s is State.submitted:  # no question: the standing message, if any
        standing = _STANDING.get(s)
        said = Msg(standing).led_by(lead) if standing else lead
        if said is not None:
            t.replies.append(Reply(said))
        return None
    reply = question_reply(t, q)
    t.replies.append(replace(reply, message=reply.message.led_by(lead)))


def limit(t: Turn, q: str) -> int:
    """Wrong answers before a person is offered: two at a question with choices (then the
    choices are also listed with their numbers), three where words or files are asked."""
    return CHOICE_MISSES if choices(t, q)[1] == "choice" else MAX_FAILURES


def fail(t: Turn, hint: str, **params: Any) -> None:
    """A wrong answer: one message saying what was wrong and asking again (the offer of a
    person before it at the limit).

    The offer is said once; its "person" choice stays on the question from then on (see
    `question_reply`), so later failures are not nagged with the same sentence."""
    t.d.failures += 1
    ask(t, lead=Msg(hint, params))
    offer_at_limit(t)


def offer_at_limit(t: Turn) -> None:
    """At the limit (once): before the question just repeated, the choices listed with their
    numbers (at a question with choices) and the offer of a person."""
    q = t.question()
    if q is None or t.d.failures != limit(t, q):
        return None
    last = max((i for i, r in enumerate(t.replies) if r.question == q), default=len(t.replies))
    asked = t.replies[last] if last < len(t.replies) else None
    lead = None
    extra: list[Reply] = []
    if asked is not None:  # what was wrong moves up: it opens the first message, as before
        lead = asked.message.lead
        t.replies[last] = replace(asked, message=replace(asked.message, lead=None))
    if asked is not None and asked.expects == "choice":
        lines = [
            Msg("dialogs.hint.numbered_line", {"n": n, "label": o.label})
            for n, o in enumerate(asked.choices, start=1)
        ]
        extra.append(Reply(Msg("dialogs.hint.numbered", {"lines": lines})))
    extra.append(Reply(Msg("dialogs.offer_person")))
    extra[0] = replace(extra[0], message=extra[0].message.led_by(lead))
    t.replies[last:last] = extra
    return None


def unclear(t: Turn, q: str) -> None:
    """Words that answer nothing (a greeting, "好了" at a yes/no question): say so, with how
    to answer this question, and ask it again. Not a failure: nothing wrong was entered."""
    _, expects = choices(t, q)
    if expects == "file":
        ask(t, lead=Msg("dialogs.hint.unclear_file"))
    elif expects in ("text", "contact"):
        ask(t, lead=Msg("dialogs.hint.unclear_text", {"field": Msg(f"dialogs.field.{q}")}))
    else:
        ask(t, lead=Msg("dialogs.hint.choose"))


def file_not_needed(t: Turn, q: str) -> None:
    """A file where words or a choice were asked: say what this step needs instead."""
    _, expects = choices(t, q)
    hint = "dialogs.hint.file_not_needed" if expects == "choice" else "dialogs.hint.text_expected"
    ask(t, lead=Msg(hint))


def choices(t: Turn, q: str) -> tuple[tuple[str, ...], Expects]:
    """The choice ids a question offers and what kind of answer it expects (its row in
    dialogs/questions.py; choices that depend on data come from SOURCES)."""
    row = question(q)
    if row is None:
        return (), "none"
    if row.choices_from is not None:
        return SOURCES[row.choices_from](t), row.expects
    return row.choices, row.expects


def _reminder(t: Turn) -> tuple[str, ...]:
    """Remind me, or not; and going on now where flexible early retirement is open."""
    early = ("continue",) if may_retire_early(t.d, t.ctx) else ()
    return ("yes", "no", *early)


def _edit_menu(t: Turn) -> tuple[str, ...]:
    """Only what applies to this worker and was answered (a man's category follows from his
    ID number: never offered), the materials with pages, and back to the review."""
    a = t.d.answers
    ids = [row.key for row in ASKED if row.editable and row.answer in a and t.applies(row)]
    ids += [f"ask_upload_{c}" for c, m in t.d.materials.items() if m["pages"]]
    return (*ids, "review")


def _upload(t: Turn) -> tuple[str, ...]:
    """Done; lost where an office can look the material up; later before submission."""
    req = requirement(t.d, t.d.material or "")
    lost = ("lost",) if req is not None and req.lost_allowed else ()
    later = ("later",) if t.state is State.uploading else ()
    return ("done", *lost, *later)


# Where the choices of a question come from when they depend on data (`choices_from`).
SOURCES: dict[str, Callable[[Turn], tuple[str, ...]]] = {
    "towns": lambda t: town_codes(),
    "reminder": _reminder,
    "edit_menu": _edit_menu,
    "upload": _upload,
}


def question_reply(t: Turn, q: str) -> Reply:
    ids, expects = choices(t, q)
    if expects != "none" and t.d.failures >= limit(t, q):
        ids = (*ids, "person")
    build = _upload_params if q.startswith("ask_upload_") else _PARAMS.get(q)
    params = build(t, q) if build is not None else {}
    options = tuple(Option(i, _label(t, q, i)) for i in ids)
    message = question_message(t, q) or Msg(f"dialogs.{q}", params)  # the card's photo
    return Reply(message.led_by(asked_why(t, q)), options, expects, question=q)


def _upload_params(t: Turn, q: str) -> dict[str, Any]:
    """The pages received so far (nothing said before the first: "已收到0页" reads as a
    fault); on the form, whether it needs the employer's stamp."""
    code = q.removeprefix("ask_upload_")
    pages = t.d.materials.get(code, {}).get("pages", 0)
    received = Msg("dialogs.upload_received.some", {"pages": pages}) if pages else None
    params: dict[str, Any] = {"received": received or Msg("dialogs.upload_received.none")}
    if code == "application_form":  # the stamp is asked for only when there is an employer
        stamped = t.d.answers.get("has_employer") is True
        params["stamp"] = Msg(f"dialogs.upload_stamp.{'needed' if stamped else 'none'}")
    return params


def _cancel_params(t: Turn, q: str) -> dict[str, Any]:
    action = t.d.confirming or "cancel"
    return {"action": Msg(f"dialogs.cancel_action.{action}"), "lost": what_is_lost(t, action)}


def _review_params(t: Turn, q: str) -> dict[str, Any]:
    return {"summary": summary(t), "advisory": Msg("dialogs.precheck_advisory")}


# The parameters of a question's text, where it has some.
_PARAMS: dict[str, Callable[[Turn, str], dict[str, Any]]] = {
    "ask_cancel": _cancel_params,
    "ask_review": _review_params,
}


def _label(t: Turn, q: str, choice: str) -> Msg:
    """A choice's label; a town's is its name from policy/towns.toml."""
    if q == "ask_town" and choice != "person":
        return Msg("dialogs.choice.town", {"name": town_name(t, choice)})
    return Msg(label_key(choice, q))


def begin(t: Turn) -> None:
    """Start (or start again) from the first question: the welcome, then the question."""
    t.reset()
    t.jump(State.start)
    t.trigger("begin")
    t.say("dialogs.welcome")
    ask(t)
