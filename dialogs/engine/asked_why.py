"""Why a material is asked for again after submission: the clerk's reason for returning it,
or the office's words and item. Said on top of that material's upload question, so the
prompt names what is wanted and why (never a bare "请拍经办机构要求补充的材料")."""

from __future__ import annotations

from dialogs.engine.keys import material_name
from dialogs.engine.turn import Turn
from dialogs.machine import State
from locales.replies import Msg
from policy.material_codes import OTHER_MATERIAL


def asked_why(t: Turn, q: str) -> Msg | None:
    """The reasons for the supplement material `q` uploads, until its first new page."""
    case = t.ctx.case
    code = q.removeprefix("ask_upload_")
    if t.state is not State.supplementing or case is None or code == q:
        return None
    m = t.d.materials.get(code, {})
    kept = m.get("at_least", 1) - 1  # pages the clerk kept count, new ones are what is asked
    if m.get("pages", 0) > kept:  # a new page came: the question now says what is in
        return None
    name = material_name(code)
    if t.step.returned_for_correction():  # the clerk's return, material by material
        lines = [
            Msg("dialogs.asked_why.returned", {"name": name, "reason": r.reason})
            for r in case.rejected
            if r.material == code
        ]
    else:  # an office's request: its item and its words
        key = "office_other" if code == OTHER_MATERIAL else "office"  # the words say what
        lines = [
            Msg(
                f"dialogs.asked_why.{key}",
                {"item": Msg(f"item.{a.item}.name"), "name": name, "reason": a.reason},
            )
            for a in case.asks
            if code in a.materials
        ]
    return Msg("dialogs.asked_why.lines", {"lines": lines}) if lines else None
