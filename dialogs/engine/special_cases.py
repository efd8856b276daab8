"""Special cases (DOMAIN.md, Materials): employer, name in the archive, handbook, lump-sum
receipts, veteran; and the checklist of materials that these answers decide."""

from __future__ import annotations

from typing import Any

from dialogs.engine.asking import fail
from dialogs.engine.facts import office_checks, requirements
from dialogs.engine.turn import Turn
from dialogs.machine import State
from dialogs.state import ClearMaterial, MarkMaterialLost
from locales.replies import Msg

MIN_EMPLOYER, MAX_EMPLOYER = 2, 60  # characters of an employer's name


def record_employer_name(t: Turn, value: Any) -> bool:
    """The insured employer's name as typed (for the stamp box and the offices)."""
    name = " ".join(str(value).split())
    if not MIN_EMPLOYER <= len(name) <= MAX_EMPLOYER or not any(c.isalpha() for c in name):
        fail(t, "dialogs.hint.employer_name")
        return False
    t.d.answers["employer_name"] = name
    return True


def checklist(t: Turn) -> None:
    """The exact list of materials for this applicant, each with why."""
    lines = []
    for req in requirements(t.d):
        key = "dialogs.checklist.lost" if req.lost else "dialogs.checklist.line"
        lines.append(Msg(key, {"name": Msg(req.name_key), "reason": Msg(req.reason_key)}))
    for check in office_checks(t.d):  # "不知道": who checks, what to bring if they cannot
        lines.append(
            Msg(
                "dialogs.checklist.check",
                {"text": Msg(check.text_key), "bring": Msg(check.bring_key)},
            )
        )
    t.say("dialogs.checklist.intro", lines=lines)


def sync_materials(t: Turn) -> None:
    """Bring the upload list in line with the checklist (answers may have changed)."""
    if t.state is State.supplementing:
        return
    reqs = {r.code: r for r in requirements(t.d)}
    for code in list(t.d.materials):
        if code not in reqs:
            del t.d.materials[code]
            t.do(ClearMaterial(code))
    for code, req in reqs.items():
        m = t.d.materials.setdefault(code, {"pages": 0, "status": "pending"})
        if req.lost and m["status"] != "lost":
            if m["pages"]:
                t.do(ClearMaterial(code))
            t.d.materials[code] = {"pages": 0, "status": "lost"}
            t.do(MarkMaterialLost(code))
        elif not req.lost and m["status"] == "lost":
            t.d.materials[code] = {"pages": 0, "status": "pending"}
            t.do(ClearMaterial(code))
