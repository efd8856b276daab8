"""Dispatch and clocks: which office gets which item, when each is due on the working-day
clock, what starts when another item is answered, and which items are overdue.

2 office hours for most items; medical insurance waits for the pension decision and is then
due at the close of the 5th working day; the housing fund is done online by the applicant.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import Case, StaffTask
from integrations.platform.adapter import (
    DispatchedItem,
    ItemAnswered,
    ItemDispatched,
    ItemOutcome,
    PlatformEvent,
)
from integrations.platform.embedded.core import PlatformCore, new_event_id
from integrations.platform.store import EmbCase, EmbItem
from policy.items import ItemDef
from policy.items import due_at as item_due_at


class Dispatch(PlatformCore):
    def _dispatch_items(
        self, session: Session, case: EmbCase, now: datetime
    ) -> list[DispatchedItem]:
        """One row per item that applies to the case, each at its office with its clock."""
        dispatched: list[DispatchedItem] = []
        for definition in self.items:
            if not self._applies(definition, case.form):
                continue
            row = EmbItem(
                case_number=case.case_number,
                item=definition.code,
                office=definition.office,
                data={},
            )
            if not definition.dispatched:
                row.status = "online"
            elif definition.clock.kind == "working_days_after":
                row.status = "waiting"
            else:
                row.status = "pending"
                row.dispatched_at = now
                row.due_at = item_due_at(definition, now, None, self.office_hours, self.calendar)
            session.add(row)
            dispatched.append(
                DispatchedItem(
                    definition.code, definition.office, row.due_at, online=row.status == "online"
                )
            )
        return dispatched

    def _follow_answer(
        self,
        session: Session,
        case_number: str,
        answered: ItemDef,
        result: ItemOutcome,
        now: datetime,
    ) -> list[PlatformEvent]:
        """Items that wait on the answered one start their clock now (medical insurance after
        the pension decision), or cannot go on when it was refused."""
        events: list[PlatformEvent] = []
        for waiting in self._items_of(session, case_number):
            dependent = self._by_code.get(waiting.item)
            if (
                waiting.status != "waiting"
                or dependent is None
                or dependent.clock.after != answered.code
            ):
                continue
            if result == "done":
                waiting.status = "pending"
                waiting.dispatched_at = now
                waiting.due_at = item_due_at(dependent, now, now, self.office_hours, self.calendar)
                events.append(
                    ItemDispatched(
                        case_number,
                        new_event_id(),
                        now,
                        item=dependent.code,
                        office=dependent.office,
                        due_at=waiting.due_at,
                    )
                )
            elif result == "refused":
                waiting.status = "refused"
                waiting.answered_at = now
                waiting.reason = f"前置事项“{answered.name_zh}”不予办理"
                events.append(
                    ItemAnswered(
                        case_number,
                        new_event_id(),
                        now,
                        item=dependent.code,
                        office=dependent.office,
                        result="refused",
                        reason=waiting.reason,
                    )
                )
        return events

    def _restart_for_material(
        self, session: Session, case_number: str, material_code: str, now: datetime
    ) -> None:
        """An office that asked for this material takes the case up again, with a new clock."""
        for item in self._items_of(session, case_number):
            definition = self._by_code.get(item.item)
            if (
                item.status == "supplement"
                and definition is not None
                and material_code in definition.materials
            ):
                item.status = "pending"
                item.dispatched_at = now
                item.due_at = item_due_at(definition, now, now, self.office_hours, self.calendar)
                item.overdue_flagged_at = None

    def flag_overdue(self, session: Session) -> list[tuple[str, str]]:
        """Flag items past their due time to the clerk, once each (a StaffTask)."""
        now = self.now()
        late = session.scalars(
            select(EmbItem).where(
                EmbItem.status == "pending",
                EmbItem.due_at < now,
                EmbItem.overdue_flagged_at.is_(None),
            )
        )
        flagged: list[tuple[str, str]] = []
        for item in late:
            item.overdue_flagged_at = now
            case_id = session.scalar(select(Case.id).where(Case.number == item.case_number))
            session.add(
                StaffTask(
                    case_id=case_id,
                    kind="overdue",
                    due_at=item.due_at,
                    detail={
                        "case_number": item.case_number,
                        "item": item.item,
                        "office": item.office,
                        "due_at": item.due_at.isoformat() if item.due_at else None,
                    },
                )
            )
            flagged.append((item.case_number, item.item))
        return flagged
