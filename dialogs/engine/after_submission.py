"""After submission: supplements. When the clerk returns pages for correction, or an office
asks for more material on its item, the upload step reopens for just those materials; when
they are all uploaded (or said to be lost), the supplement is sent."""

from __future__ import annotations

from dialogs.engine.asking import ask
from dialogs.engine.keys import CASE_NUMBER, material_name
from dialogs.engine.turn import Turn
from dialogs.state import SupplementCase
from locales.replies import Msg


def reopen(t: Turn, *, explain: bool = True) -> None:
    """Upload again just the materials the clerk returned or an office asked for. Not
    `explain`ed when the worker answers the push with the photos themselves: the push said
    what is wanted and why, and the upload's own reply says what came in and what is next."""
    case = t.ctx.case
    assert case is not None
    if t.step.returned_for_correction():
        codes = list(dict.fromkeys(r.material for r in case.rejected))
        lines = [
            Msg("dialogs.returned.line", {"name": material_name(r.material), "reason": r.reason})
            for r in case.rejected
        ]
        intro = "dialogs.returned.intro"
    else:
        codes = list(dict.fromkeys(c for a in case.asks for c in a.materials))
        lines = [
            Msg(
                "dialogs.office_asks.line",
                {
                    "item": Msg(f"item.{a.item}.name"),
                    "reason": a.reason,
                    "materials": [
                        Msg("dialogs.office_asks.material", {"name": material_name(c)})
                        for c in a.materials
                    ],
                },
            )
            for a in case.asks
        ]
        intro = "dialogs.office_asks.intro"
    t.trigger("reopen")
    t.d.supplement = codes
    for code in codes:
        # The pages refused before (by the clerk, or by the office's request) are refused
        # again if sent again.
        refused = [h for r in case.rejected if r.material == code for h in r.pages]
        kept = sum(r.kept for r in case.rejected if r.material == code)
        t.d.materials[code] = {"pages": kept, "status": "pending", "rejected": refused}
        if kept:  # only some pages returned: the kept ones count, one new page at least
            t.d.materials[code]["at_least"] = kept + 1
    t.d.material = codes[0] if codes else None
    if t.d.material and not explain:
        return
    if t.d.material:  # how many, on top of the first one's question and why it is asked
        return ask(t, lead=Msg(f"{intro}_count", {"count": len(codes)}))
    t.say(intro, lines=lines)
    t.trigger("next")


def supplement_done(t: Turn) -> None:
    t.do(SupplementCase(tuple(t.d.supplement)))
    t.d.supplement = []
    t.d.material = None
    t.say("dialogs.supplement_sent", case_number=CASE_NUMBER)
