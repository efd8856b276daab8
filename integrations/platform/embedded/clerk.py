"""The clerk (综合业务受理人员): accept a received case and dispatch its items, or return it
for correction naming each material and the reason."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from cases.platform.events import Accepted, MaterialIssue, ReturnedForCorrection
from integrations.platform.embedded.core import STATE_ERRORS, audit, new_event_id
from integrations.platform.embedded.dispatch import Dispatch
from integrations.platform.embedded.errors import StaffError


class ClerkDesk(Dispatch):
    def accept(self, session: Session, case_number: str, actor: str) -> Accepted:
        """Accept a received case and dispatch every item that applies to its office."""
        case = self._case(session, case_number)
        if case.status != "received":
            raise StaffError("not_received", STATE_ERRORS.get(case.status, "该办件不能受理。"))
        now = self.now()
        case.status = "accepted"
        case.accepted_at = now
        case.accepted_by = actor
        dispatched = self._dispatch_items(session, case, now)
        audit(
            session,
            actor,
            "platform.accept",
            case.case_number,
            None,
            {"items": [d.item for d in dispatched]},
        )
        event = Accepted(case.case_number, new_event_id(), now, tuple(dispatched))
        self.sink(session, event)
        return event

    def return_for_correction(
        self, session: Session, case_number: str, issues: Sequence[MaterialIssue], actor: str
    ) -> ReturnedForCorrection:
        case = self._case(session, case_number)
        if case.status != "received":
            raise StaffError("not_received", STATE_ERRORS.get(case.status, "该办件不能退回。"))
        if not issues:
            raise StaffError(
                "no_material", "请用 --material 写明要补正的材料，并用 --reason 写明原因。"
            )
        materials = dict(case.materials)
        for issue in issues:
            if issue.code not in materials:
                known = "、".join(materials) or "无"
                raise StaffError(
                    "unknown_material", f"该办件没有材料“{issue.code}”。已提交的材料：{known}。"
                )
            if not issue.reason.strip():
                raise StaffError("no_reason", f"请写明材料“{issue.code}”的退回原因（--reason）。")
            entry = {**materials[issue.code], "returned": issue.reason}
            entry.pop("returned_files", None)
            if issue.files:
                # Only these files are to be sent again: the clerk's page marks them.
                unknown = set(issue.files) - set(entry.get("sha256") or ())
                if unknown:
                    raise StaffError("unknown_page", "要退回的页不属于该材料，请刷新页面后重试。")
                entry["returned_files"] = list(issue.files)
            materials[issue.code] = entry
        case.materials = materials
        case.status = "returned"
        now = self.now()
        audit(
            session,
            actor,
            "platform.return",
            case.case_number,
            None,
            {
                "materials": {i.code: i.reason for i in issues},
                "files": {i.code: len(i.files) for i in issues if i.files},
            },
        )
        event = ReturnedForCorrection(case.case_number, new_event_id(), now, tuple(issues))
        self.sink(session, event)
        return event
