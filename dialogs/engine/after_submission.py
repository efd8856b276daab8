"""After submission: progress on request (/status), and supplements: when the office returns
pages for correction, the upload step reopens for just those materials."""

from __future__ import annotations

from dialogs.engine.asking import ask
from dialogs.engine.keys import CASE_NUMBER, case_status_key, item_status_key, material_name
from dialogs.engine.turn import Turn
from dialogs.machine import AFTER_SUBMISSION, State
from dialogs.replies import Msg
from dialogs.state import SupplementCase


def status(t: Turn, argument: str) -> None:
    case = t.ctx.case
    if argument and (case is None or case.number != argument.strip()):
        t.say("dialogs.case_not_found")
        return ask(t)
    if t.state in AFTER_SUBMISSION and case is not None:
        items = [
            Msg(
                "dialogs.status.item",
                {"item": Msg(f"item.{i.code}.name"), "status": Msg(item_status_key(i.status))},
            )
            for i in case.items
        ]
        t.say(
            "dialogs.status.case",
            case_number=case.number,
            status=Msg(case_status_key(case.status)),
            items=items or [Msg("dialogs.status.no_items")],
        )
        if t.state is State.submitted and t.step.returned_for_correction():
            return reopen(t)
        return ask(t)
    if t.state in AFTER_SUBMISSION:  # the record is not readable: say what we know
        t.say(case_status_key("submitted"))
        return ask(t)
    done = sum(1 for m in t.d.materials.values() if m["status"] in ("ok", "lost"))
    t.say("dialogs.status.draft", done=done, total=len(t.d.materials))
    ask(t)


def reopen(t: Turn) -> None:
    """The office returned pages: upload again just those materials."""
    case = t.ctx.case
    assert case is not None
    codes = list(dict.fromkeys(r.material for r in case.rejected))
    t.trigger("reopen")
    t.d.supplement = codes
    for code in codes:
        refused = [h for r in case.rejected if r.material == code for h in r.pages]
        t.d.materials[code] = {"pages": 0, "status": "pending", "rejected": refused}
    t.d.material = codes[0] if codes else None
    lines = [
        Msg("dialogs.returned.line", {"name": material_name(r.material), "reason": r.reason})
        for r in case.rejected
    ]
    t.say("dialogs.returned.intro", lines=lines)
    if t.d.material:
        ask(t)
    else:
        t.trigger("next")


def supplement_done(t: Turn) -> None:
    t.do(SupplementCase(tuple(t.d.supplement)))
    t.d.supplement = []
    t.d.material = None
    t.say("dialogs.supplement_sent", case_number=CASE_NUMBER)
