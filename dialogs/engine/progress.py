"""/status (and "办到哪一步了" typed): where the applicant is. Before submission, the stage of
the journey (pre-check, which materials, uploads x of y, ready to submit); after it, the
case as the record shows it. The current question follows, so nothing is lost."""

from __future__ import annotations

from dialogs.engine.after_submission import reopen
from dialogs.engine.asking import ask
from dialogs.engine.keys import case_status_key, item_status_key
from dialogs.engine.turn import Turn
from dialogs.machine import AFTER_SUBMISSION, QUESTION_ORDER, State
from dialogs.state import ItemProgress
from locales import when
from locales.replies import Msg

S = State
_PRECHECK = frozenset(QUESTION_ORDER[: QUESTION_ORDER.index(S.ask_contribution) + 1])
_SPECIAL_CASES = frozenset(QUESTION_ORDER) - _PRECHECK
# Item statuses while the office works on it, its answer due (dialogs.item_status).
_CLOCK_RUNS = frozenset({"pending", "in_progress", "overdue"})
# States whose own standing message already says where the applicant is.
_STANDING = frozenset({S.declined, S.waiting_for_date, S.handed_to_person})


def status(t: Turn, argument: str) -> None:
    case = t.ctx.case
    if argument and (case is None or case.number != argument.strip()):
        t.say("dialogs.case_not_found")
        return ask(t)
    if t.state in AFTER_SUBMISSION and case is not None:
        items = [_item_line(t, i) for i in case.items]
        # An office's request for more material is the applicant's turn, not the offices'.
        standing = "dialogs.case_status.awaiting_supplement" if case.asks else None
        t.say(
            "dialogs.status.case",
            case_number=case.number,
            status=Msg(standing or case_status_key(case.status)),
            items=items or [Msg("dialogs.status.no_items")],
        )
        if t.state is State.submitted and t.step.needs_supplement():
            return reopen(t)
        return ask(t)
    if t.state in AFTER_SUBMISSION:  # the record is not readable: say what we know
        t.say(case_status_key("submitted"))
        return ask(t)
    draft_stage(t)
    ask(t)


def _item_line(t: Turn, item: ItemProgress) -> Msg:
    """· 养老保险待遇核定：办理中，预计12月10日（含）前答复: an item whose office's clock runs
    says by when, as the push said when it started."""
    params = {"item": Msg(f"item.{item.code}.name"), "status": Msg(item_status_key(item.status))}
    now = t.ctx.now
    if item.status not in _CLOCK_RUNS or item.due_at is None or now is None:
        return Msg("dialogs.status.item", params)
    due = when.deadline(item.due_at.astimezone(now.tzinfo), now)
    return Msg("dialogs.status.item_due", params | {"due": Msg(*due)})


def draft_stage(t: Turn) -> None:
    """Where an unsubmitted journey stands, in one line."""
    s = t.state
    if s is S.confirming_cancel and t.d.resume:  # the question /cancel interrupted
        s = State(t.d.resume)
    if s in _STANDING:
        return None
    done = sum(1 for m in t.d.materials.values() if m["status"] in ("ok", "lost"))
    total = len(t.d.materials)
    if s in (S.start, S.cancelled):
        t.say("dialogs.status.not_started")
    elif t.d.editing and s is not S.uploading:
        t.say("dialogs.status.editing")
    elif s in _PRECHECK:
        t.say("dialogs.status.precheck")
    elif s is S.not_yet_eligible:
        t.say("dialogs.status.not_yet_eligible")
    elif s in _SPECIAL_CASES:
        t.say("dialogs.status.which_materials")
    elif s is S.uploading:
        t.say("dialogs.status.uploading", done=done, total=total)
    else:  # the review, or choosing what to edit there
        t.say("dialogs.status.ready", done=done, total=total)
