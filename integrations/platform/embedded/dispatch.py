"""Dispatch and clocks: which office gets which item, when each is due on the working-day
clock, what starts when another item is answered, and which items are overdue.

2 office hours for most items; medical insurance waits for the pension decision and is then
due at the close of the 5th working day; the housing fund is done online by the applicant.
An item routed by the town goes to that town's office; when the applicant did not know it, it
waits at the item's own office code and the clerk gets a task to assign the town (routing.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import Case
from cases.models.platform import EmbCase, EmbItem
from cases.platform.events import (
    DispatchedItem,
    ItemAnswered,
    ItemDispatched,
    ItemOutcome,
    PlatformEvent,
)
from cases.repositories.tasks import add_staff_task
from integrations.platform.embedded.core import PlatformCore, audit, new_event_id
from integrations.platform.embedded.overdue import flag_overdue_items
from policy.items import ItemDef, route_office
from policy.items import due_at as item_due_at

ROUTE_TASK = "route_town"  # cases.task_kinds: the clerk assigns the applicant's town


class Dispatch(PlatformCore):
    def _dispatch_items(
        self, session: Session, case: EmbCase, now: datetime
    ) -> list[DispatchedItem]:
        """One row per item that applies to the case, each at its office with its clock."""
        dispatched: list[DispatchedItem] = []
        for definition in self.items:
            if not self._applies(definition, case.form):
                continue
            office = route_office(definition, case.form)
            row = EmbItem(
                case_number=case.case_number,
                item=definition.code,
                office=office or definition.office,
                data={},
            )
            if not definition.dispatched:
                row.status = "online"
            elif definition.clock.kind == "working_days_after":
                row.status = "waiting"
            elif office is None:
                row.status = "waiting"  # for the clerk to assign the town
                self._ask_clerk_to_route(session, case.case_number, definition)
            else:
                row.status = "pending"
                row.dispatched_at = now
                row.due_at = item_due_at(definition, now, None, self.office_hours, self.calendar)
            session.add(row)
            dispatched.append(
                DispatchedItem(
                    definition.code, row.office, row.due_at, online=row.status == "online"
                )
            )
        return dispatched

    @staticmethod
    def _ask_clerk_to_route(session: Session, case_number: str, definition: ItemDef) -> None:
        case = session.scalar(select(Case).where(Case.number == case_number))
        task = add_staff_task(
            session,
            ROUTE_TASK,
            case_id=case.id if case is not None else None,
            applicant_id=case.applicant_id if case is not None else None,
        )
        task.detail = {
            "case_number": case_number,
            "item": definition.name_zh,
            "说明": "申请人不确定所在镇：请核实后分派（staff route 或办件页面）。",
        }

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

    def _supplement_arrived(
        self,
        session: Session,
        case_number: str,
        material_code: str,
        pages: int,
        lost: bool,
        now: datetime,
    ) -> list[PlatformEvent]:
        """A material an office asked for has come back (new pages, or "lost"): it joins the
        item's current round; once every material of the round is back, the item is at its
        office again with a new clock (an `ItemDispatched` event for the applicant's side)."""
        events: list[PlatformEvent] = []
        for item in self._items_of(session, case_number):
            definition = self._by_code.get(item.item)
            if item.status != "supplement" or definition is None:
                continue
            rounds = [dict(r) for r in item.rounds or []]
            # An item asked before rounds were kept waits for any material it sees.
            wanted = rounds[-1]["materials"] if rounds else list(definition.materials)
            if material_code not in wanted:
                continue
            if rounds:
                current = rounds[-1]
                received = {**(current.get("received") or {})}
                received[material_code] = {"pages": pages, "lost": lost, "at": now.isoformat()}
                current["received"] = received
                audit(
                    session,
                    "system",
                    "platform.supplement_received",
                    case_number,
                    item.item,
                    {
                        "round": current["round"],
                        "material": material_code,
                        "pages": pages,
                        "lost": lost,
                    },
                )
                if set(wanted) - set(received):
                    item.rounds = rounds
                    continue  # the office waits for the rest of what it asked for
            item.status = "pending"
            item.dispatched_at = now
            item.due_at = item_due_at(definition, now, now, self.office_hours, self.calendar)
            item.overdue_flagged_at = None
            if rounds:
                rounds[-1]["back_at"] = now.isoformat()
                rounds[-1]["due_at"] = item.due_at.isoformat() if item.due_at else None
                item.rounds = rounds
            events.append(
                ItemDispatched(
                    case_number,
                    new_event_id(),
                    now,
                    item=item.item,
                    office=item.office,
                    due_at=item.due_at,
                )
            )
        return events

    def flag_overdue(self, session: Session) -> list[tuple[str, str]]:
        """Flag items past their due time to the clerk, once each (a StaffTask)."""
        return flag_overdue_items(session, self.now())
