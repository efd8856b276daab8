"""Moving on: after an answer, the next question that still needs one, saying on the way
what passing a milestone means (the verdict, the checklist, a supplement sent)."""

from __future__ import annotations

from dialogs.engine.after_submission import supplement_done
from dialogs.engine.asking import ask
from dialogs.engine.eligibility import verdict
from dialogs.engine.facts import pending
from dialogs.engine.special_cases import checklist, sync_materials
from dialogs.engine.turn import Turn
from dialogs.machine import State
from dialogs.paperwork import wanted
from dialogs.questions import ANSWER_KEY, question
from locales.replies import Msg, Reply

FORM = "application_form"  # the one form (一表): printed, signed, stamped, photographed


def forward(t: Turn) -> None:
    """Move to the next question that still needs an answer (answered ones are skipped:
    after /back or an edit, only the cleared answers are asked again)."""
    for _ in range(len(State) * 2):
        source = t.state
        t.trigger("next")
        _milestone(t, source)
        s = t.state
        if s is State.handed_to_person:
            t.say("dialogs.handed_over")
            return None
        if s in (State.uploading, State.supplementing):
            sync_materials(t)
            waiting = pending(t.d)
            if waiting:
                t.d.material = waiting[0]
                if waiting[0] == FORM and not t.d.materials.get(FORM, {}).get("pages"):
                    form_to_print(t)
                return ask(t)
            continue
        if s is State.ask_review:
            missing = _missing(t)
            if missing is not None:  # a journey saved before this question existed
                t.d.editing = True  # answered questions are skipped on the way back
                t.jump(missing)
                return ask(t)
            sync_materials(t)
            t.d.editing = False
            t.d.material = None
            return ask(t)
        if s is State.submitted:
            return supplement_done(t)
        key = ANSWER_KEY.get(s.value)
        if key is not None and key in t.d.answers:
            continue  # answered before: skipped
        return ask(t)
    raise RuntimeError("conversation table loops")  # a table bug, caught by the tests


def form_to_print(t: Turn) -> None:
    """At the form's upload step: the form pre-filled from the answers, to print and sign,
    and who stamps it (the insured employer's seal, only when there is one)."""
    a = t.d.answers
    if a.get("has_employer") is True:  # the steps after signing: the stamp, then sending
        employer = str(a.get("employer_name") or "")
        steps = Msg("dialogs.form_to_print.employer", {"employer": employer})
    else:
        steps = Msg("dialogs.form_to_print.no_employer")
    message = Msg("dialogs.form_to_print.intro", {"steps": steps})
    t.replies.append(Reply(message, document=wanted("form", alone=False)))


def _milestone(t: Turn, passed: State) -> None:
    """Past the contribution years: the verdict (again, when an answer it reads changed);
    past the last special case: the checklist (again, when an answer it reads changed)."""
    row = question(t.answered or "")
    if passed is State.ask_contribution and row is not None and row.verdict:
        verdict(t)
    if passed is State.ask_veteran and (not t.d.editing or (row is not None and row.checklist)):
        checklist(t)


def _missing(t: Turn) -> State | None:
    """A question the review needs that a conversation stored by an older version never
    asked (the town; the employer's name when there is one)."""
    a = t.d.answers
    if not a.get("town"):
        return State.ask_town
    if a.get("has_employer") is True and not a.get("employer_name"):
        return State.ask_employer_name
    return None
