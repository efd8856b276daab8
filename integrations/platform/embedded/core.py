"""What every desk of the embedded platform shares: its configuration, the look-ups that turn
what staff typed into rows (with plain Chinese errors), and the audit log."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utc_now
from cases.db import Database
from cases.models import AuditLog, Case
from cases.models.platform import EmbCase, EmbItem
from cases.platform.port import ItemState, UnknownCase
from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.sinks import EventSink, apply_in_same_transaction
from integrations.platform.embedded.staff_queue import check_office
from locales import Translator
from policy.items import ItemDef, load_items
from policy.workdays import OfficeHours, WorkCalendar, load_calendar

Clock = Callable[[], datetime]
CASE_NUMBER = re.compile(r"^YJ-\d{8}-\d{4,}$")
FINAL = frozenset({"done", "refused", "online"})  # item states that need nothing more

STATUS_ZH = {
    "done": "已办结",
    "refused": "不予办理",
    "online": "申请人网上自办",
    "supplement": "需补充",
    "pending": "办理中",
    "waiting": "等待前置事项",
}
STATE_ERRORS = {
    "returned": "该办件已退回补正，正在等申请人补正材料。",
    "accepted": "该办件已经受理，不能重复受理或退回。",
    "results_ready": "该办件各事项已全部办结。",
    "withdrawn": "申请人已撤回该办件。",
}


def new_event_id() -> str:
    return secrets.token_hex(16)


class PlatformCore:
    """The embedded platform over one `Database`. `now` is injectable for tests."""

    def __init__(
        self,
        db: Database,
        *,
        sink: EventSink = apply_in_same_transaction,
        now: Clock | None = None,
        items: Sequence[ItemDef] | None = None,
        calendar: WorkCalendar | None = None,
        office_hours: OfficeHours | None = None,
    ) -> None:
        self.db = db
        self.sink = sink
        self.now: Clock = now or utc_now
        self.items = tuple(items if items is not None else load_items())
        self.calendar = calendar or load_calendar()
        self.office_hours = office_hours or OfficeHours()
        self._by_code = {i.code: i for i in self.items}
        # Staff type an item by its code or by its Chinese name, as the console shows it.
        self._by_name = {name: i for i in self.items for name in item_names(i)}

    def _case(self, session: Session, case_number: str, rejected: bool = False) -> EmbCase:
        """The case by number. `rejected`: the adapter side's errors (`UnknownCase`) instead
        of the staff's (`StaffError`)."""
        number = case_number.strip().upper()
        if not CASE_NUMBER.match(number):
            if rejected:
                raise UnknownCase(case_number)
            raise StaffError(
                "bad_case_number", f"办件编号“{case_number}”格式不对，应类似 YJ-20261126-0001。"
            )
        case = session.get(EmbCase, number)
        if case is None:
            if rejected:
                raise UnknownCase(number)
            raise StaffError("unknown_case", f"没有找到办件 {number}，请核对办件编号。")
        return case

    def _item_def(self, typed: str) -> ItemDef:
        """The item staff named, by code or Chinese name; else the list of both."""
        key = typed.strip()
        definition = self._by_code.get(key) or self._by_name.get(key)
        if definition is None:
            known = "、".join(f"{d.name_zh}（{d.code}）" for d in self.items)
            raise StaffError("unknown_item", f"没有事项“{typed}”。可用的事项：{known}。")
        return definition

    def _check_office(self, office: str) -> None:
        check_office(self.items, office)

    @staticmethod
    def _applies(definition: ItemDef, form: Mapping[str, Any]) -> bool:
        return definition.when is None or form.get(definition.when) is True

    @staticmethod
    def _items_of(session: Session, case_number: str) -> list[EmbItem]:
        return list(
            session.scalars(
                select(EmbItem).where(EmbItem.case_number == case_number).order_by(EmbItem.id)
            )
        )

    def _item_states(self, session: Session, case: EmbCase) -> tuple[ItemState, ...]:
        return tuple(
            ItemState(i.item, i.office, i.status, i.due_at, i.answered_at)
            for i in self._items_of(session, case.case_number)
        )


ENDED = frozenset({"closed", "withdrawn"})  # stages after which nothing changes the result

# The platform's own states in the case's words, for a case the case store does not hold.
_STAGE_OF_PLATFORM = {"received": "submitted", "returned": "returned_for_correction"}


def case_stage(session: Session, case: EmbCase) -> str:
    """The case's status in the case store (the one record of it), or the platform's."""
    status = session.scalar(select(Case.status).where(Case.number == case.case_number))
    return str(status) if status else _STAGE_OF_PLATFORM.get(case.status, case.status)


def item_names(definition: ItemDef) -> set[str]:
    """The Chinese names an item goes by: the catalog's and the one the locales show."""
    shown = Translator("zh_CN")(f"item.{definition.code}.name")
    return {definition.name_zh, shown} - {f"item.{definition.code}.name"}


def audit(
    session: Session,
    actor: str,
    action: str,
    case_number: str | None,
    item: str | None,
    detail: dict[str, Any],
) -> None:
    """One audit row (who saw or did what): the case store's `AuditLog`, by case number."""
    case_id = None
    if case_number is not None:
        case_id = session.scalar(select(Case.id).where(Case.number == case_number))
        detail = {"case_number": case_number, **detail}
    session.add(
        AuditLog(actor=actor, action=action, case_id=case_id, item_code=item, detail=detail)
    )
