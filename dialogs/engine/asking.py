"""Asking: the current question with its choices (or the state's standing message), the
re-ask after a wrong answer, and the offer of a person after repeated failures.

Every question reply carries `question=<stable key>`, `expects` and choices with stable ids,
so a channel can version its buttons; a button from an older question is a stale button."""

from __future__ import annotations

from typing import Any

from dialogs.engine.facts import may_retire_early, requirement, requirements
from dialogs.engine.keys import (
    ANSWER_KEY,
    BOOL_QUESTIONS,
    CHOICE_MISSES,
    HAVE_LOST,
    LANGUAGES,
    MAX_FAILURES,
    SUMMARY_ORDER,
    UNKNOWN_QUESTIONS,
    YES_NO,
    label_key,
)
from dialogs.engine.turn import Turn
from dialogs.machine import EDITABLE, State
from dialogs.state import HandToPerson
from locales.replies import Expects, Msg, Option, Reply

_STANDING = {
    State.declined: "dialogs.declined_again",
    State.waiting_for_date: "dialogs.waiting",
    State.handed_to_person: "dialogs.with_person",
}


def ask(t: Turn) -> None:
    """Send the current question (or the state's standing message)."""
    s = t.state
    q = t.question()
    if s is State.submitted:
        return None
    if q is None:
        if standing := _STANDING.get(s):
            t.say(standing)
        return None
    t.replies.append(question_reply(t, q))


def limit(t: Turn, q: str) -> int:
    """Wrong answers before a person is offered: two at a question with choices (then the
    choices are also listed with their numbers), three where words or files are asked."""
    return CHOICE_MISSES if choices(t, q)[1] == "choice" else MAX_FAILURES


def fail(t: Turn, hint: str, **params: Any) -> None:
    """A wrong answer: the hint, the offer of a person at the limit, the question again.

    The offer is said once; its "person" choice stays on the question from then on (see
    `question_reply`), so later failures are not nagged with the same sentence."""
    t.d.failures += 1
    t.say(hint, **params)
    ask(t)
    offer_at_limit(t)


def offer_at_limit(t: Turn) -> None:
    """At the limit (once): before the question just repeated, the choices listed with their
    numbers (at a question with choices) and the offer of a person."""
    q = t.question()
    if q is None or t.d.failures != limit(t, q):
        return None
    extra: list[Reply] = []
    last = max((i for i, r in enumerate(t.replies) if r.question == q), default=len(t.replies))
    if last < len(t.replies) and t.replies[last].expects == "choice":
        lines = [
            Msg("dialogs.hint.numbered_line", {"n": n, "label": o.label})
            for n, o in enumerate(t.replies[last].choices, start=1)
        ]
        extra.append(Reply(Msg("dialogs.hint.numbered", {"lines": lines})))
    extra.append(Reply(Msg("dialogs.offer_person")))
    t.replies[last:last] = extra
    return None


def unclear(t: Turn, q: str) -> None:
    """Words that answer nothing (a greeting, "好了" at a yes/no question): say so, with how
    to answer this question, and ask it again. Not a failure: nothing wrong was entered."""
    _, expects = choices(t, q)
    if expects == "file":
        t.say("dialogs.hint.unclear_file")
    elif expects in ("text", "contact"):
        t.say("dialogs.hint.unclear_text", field=Msg(f"dialogs.field.{q}"))
    else:
        t.say("dialogs.hint.choose")
    ask(t)


def file_not_needed(t: Turn, q: str) -> None:
    """A file where words or a choice were asked: say what this step needs instead."""
    _, expects = choices(t, q)
    t.say("dialogs.hint.file_not_needed" if expects == "choice" else "dialogs.hint.text_expected")
    ask(t)


def hand_over(t: Turn, reason: str, question: str | None) -> None:
    t.do(HandToPerson(reason, question))
    t.trigger("handover")
    t.d.failures = 0
    t.say("dialogs.handed_over")


def choices(t: Turn, q: str) -> tuple[tuple[str, ...], Expects]:
    """The choice ids a question offers and what kind of answer it expects."""
    s = t.state
    if q == "ask_language":
        return LANGUAGES, "choice"
    if q == "ask_consent":
        return ("agree", "decline"), "choice"
    if q in ("ask_name", "ask_id_number"):
        return (), "text"
    if q == "ask_phone":
        return (), "contact"
    if q == "ask_category":
        return ("female_cadre", "female_worker"), "choice"
    if q == "ask_retirement_type":
        return ("normal", "illness_disability", "special_work_type"), "choice"
    if q == "ask_contribution":
        return ("unknown",), "text"
    if q == "ask_town":
        from policy.towns import town_codes

        return town_codes(), "choice"
    if q == "ask_employer_name":
        return (), "text"
    if q == "ask_reminder":
        early = ("continue",) if may_retire_early(t.d, t.ctx) else ()
        return ("yes", "no", *early), "choice"
    if q in ("ask_handbook", "ask_receipts"):
        return HAVE_LOST, "choice"
    if q in UNKNOWN_QUESTIONS:  # 不知道: an office finds out (policy.materials.office_checks)
        return (*YES_NO, "unknown"), "choice"
    if q in BOOL_QUESTIONS or q == "ask_cancel":
        return YES_NO, "choice"
    if q == "ask_review":
        return ("submit", "edit"), "choice"
    if q == "ask_edit":
        # Only what applies to this worker: a man's category follows from his ID number.
        ids = [e.value for e in EDITABLE if ANSWER_KEY[e.value] in t.d.answers]
        if t.d.answers.get("category") == "male":
            ids.remove("ask_category")
        ids += [f"ask_upload_{c}" for c, m in t.d.materials.items() if m["pages"]]
        return (*ids, "review"), "choice"
    if s in (State.uploading, State.supplementing):
        req = requirement(t.d, t.d.material or "")
        lost = ("lost",) if req is not None and req.lost_allowed else ()
        later = ("later",) if s is State.uploading else ()
        return ("done", *lost, *later), "file"
    return (), "none"


def question_reply(t: Turn, q: str) -> Reply:
    ids, expects = choices(t, q)
    if expects != "none" and t.d.failures >= limit(t, q):
        ids = (*ids, "person")
    params: dict[str, Any] = {}
    if q.startswith("ask_upload_"):
        code = q.removeprefix("ask_upload_")
        pages = t.d.materials.get(code, {}).get("pages", 0)
        params = {"pages": pages}
        if code == "application_form":  # the stamp is asked for only when there is an employer
            stamped = t.d.answers.get("has_employer") is True
            params["stamp"] = Msg(f"dialogs.upload_stamp.{'needed' if stamped else 'none'}")
    elif q == "ask_cancel":
        from dialogs.engine.review import what_is_lost

        action = t.d.confirming or "cancel"
        params = {
            "action": Msg(f"dialogs.cancel_action.{action}"),
            "lost": what_is_lost(t, action),
        }
    elif q == "ask_review":
        params = {"summary": summary(t), "advisory": Msg("dialogs.precheck_advisory")}
    options = tuple(Option(i, _label(t, q, i)) for i in ids)
    return Reply(Msg(f"dialogs.{q}", params), options, expects, question=q)


def _label(t: Turn, q: str, choice: str) -> Msg:
    """A choice's label; a town's is its name from policy/towns.toml (data, not locales: a
    proper name, shown in the applicant's language beside the official Chinese)."""
    if q == "ask_town" and choice != "person":
        return Msg("dialogs.choice.town", {"name": _town_name(t, choice)})
    return Msg(label_key(choice, q))


def _town_name(t: Turn, code: str) -> str:
    from policy.towns import town

    found = town(code)
    return found.label(t.d.language) if found is not None else code


def summary(t: Turn) -> list[Msg]:
    """The review's lines: the answers in the order asked, then the materials."""
    a = t.d.answers
    lines: list[Msg] = [Msg("dialogs.summary.name", {"value": a.get("name", "")})]
    ident = a.get("id_number") or {}
    lines.append(Msg("dialogs.summary.id_number", {"value": ident.get("masked", "")}))
    lines.append(Msg("dialogs.summary.phone", {"value": a.get("phone", "")}))
    if (cat := a.get("category")) and cat != "male":  # only women's post is to be confirmed
        lines.append(Msg("dialogs.summary.category", {"value": Msg(label_key(cat))}))
    months = a.get("contribution_months")
    if not isinstance(months, int):
        value = Msg("dialogs.choice.unknown")
    elif months % 12:
        value = Msg("dialogs.summary.months", {"years": months // 12, "months": months % 12})
    else:
        value = Msg("dialogs.summary.years", {"years": months // 12})
    lines.append(Msg("dialogs.summary.contribution", {"value": value}))
    if a.get("town"):
        lines.append(Msg("dialogs.summary.town", {"value": _town_name(t, a["town"])}))
    if a.get("has_employer") and a.get("employer_name"):
        lines.append(Msg("dialogs.summary.employer_name", {"value": a["employer_name"]}))
    for q in BOOL_QUESTIONS | {"ask_handbook", "ask_receipts"}:
        key = ANSWER_KEY[q]
        if key in a:
            v = a[key]
            choice = ("yes" if v else "no") if isinstance(v, bool) else v
            lines.append(Msg(f"dialogs.summary.{key}", {"value": Msg(label_key(choice))}))
    lines.sort(key=lambda m: SUMMARY_ORDER.index(m.key))
    for req in requirements(t.d):
        m = t.d.materials.get(req.code, {})
        if m.get("status") == "lost" or req.lost:
            lines.append(Msg("dialogs.summary.material_lost", {"name": Msg(req.name_key)}))
        else:
            lines.append(
                Msg(
                    "dialogs.summary.material",
                    {"name": Msg(req.name_key), "pages": m.get("pages", 0)},
                )
            )
    return lines
