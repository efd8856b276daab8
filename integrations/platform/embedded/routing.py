"""The clerk assigns the town of an item routed by the town (社会化管理服务登记): the applicant
chose "other / not sure", or named the wrong town. The item moves to that town's office with a
fresh clock, the form's town becomes the town's official name (what the town's office sees),
and the clerk's routing task of the case is closed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import Case, StaffTask, TaskStatus
from cases.platform.events import ItemDispatched
from integrations.platform.embedded.core import STATUS_ZH, audit, new_event_id
from integrations.platform.embedded.dispatch import ROUTE_TASK, Dispatch
from integrations.platform.embedded.errors import StaffError
from policy.items import due_at as item_due_at
from policy.towns import Town, find_town, load_towns


class RoutingDesk(Dispatch):
    def route_to_town(
        self, session: Session, case_number: str, town: str, actor: str
    ) -> ItemDispatched:
        """Send the case's town-routed item to `town` (code, official name or nickname)."""
        chosen = _town(town)
        office = chosen.office
        assert office is not None
        case = self._case(session, case_number)
        if case.status == "withdrawn":
            raise StaffError("withdrawn", "申请人已撤回该办件。")
        routed = [d for d in self.items if d.office_routed_by is not None]
        row = next(
            (
                i
                for i in self._items_of(session, case.case_number)
                if i.item in {d.code for d in routed}
            ),
            None,
        )
        if row is None:
            raise StaffError(
                "not_routable", f"办件 {case.case_number} 还没有受理，或没有需分派到镇的事项。"
            )
        if row.status not in ("waiting", "pending"):
            raise StaffError(
                "already_answered",
                f"该事项已{STATUS_ZH.get(row.status, row.status)}，不能再分派。",
            )
        definition = self._item_def(row.item)
        now = self.now()
        before = row.office
        row.office, row.status, row.dispatched_at = office, "pending", now
        row.due_at = item_due_at(definition, now, None, self.office_hours, self.calendar)
        row.overdue_flagged_at = None
        assert definition.office_routed_by is not None
        case.form = {**case.form, definition.office_routed_by: chosen.name_zh}
        audit(
            session,
            actor,
            "platform.route_town",
            case.case_number,
            row.item,
            {"from": before, "to": office, "town": chosen.code},
        )
        _close_route_tasks(session, case.case_number, actor, chosen, now)
        event = ItemDispatched(
            case.case_number,
            new_event_id(),
            now,
            item=row.item,
            office=office,
            due_at=row.due_at,
        )
        self.sink(session, event)
        return event


def _town(value: str) -> Town:
    found = find_town(value)
    if found is None or found.office is None:
        names = "、".join(t.name_zh for t in load_towns() if not t.clerk_resolves)
        raise StaffError("unknown_town", f"没有找到镇“{value}”。可选：{names}。")
    return found


def _close_route_tasks(
    session: Session, case_number: str, actor: str, town: Town, now: datetime
) -> None:
    case_id = session.scalar(select(Case.id).where(Case.number == case_number))
    tasks = session.scalars(
        select(StaffTask).where(
            StaffTask.kind == ROUTE_TASK,
            StaffTask.status == TaskStatus.open.value,
            StaffTask.case_id == case_id,
        )
    )
    for task in tasks:
        task.detail = {**task.detail, "done_note": f"已分派至{town.name_zh}", "done_by": actor}
        task.status, task.done_at = TaskStatus.done.value, now
