"""After submission: supplements. When the office returns pages for correction, the upload
step reopens for just those materials; when they are all uploaded, the supplement is sent."""

from __future__ import annotations

from dialogs.engine.asking import ask
from dialogs.engine.keys import CASE_NUMBER, material_name
from dialogs.engine.turn import Turn
from dialogs.replies import Msg
from dialogs.state import SupplementCase


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
