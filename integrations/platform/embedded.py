"""The embedded approval platform: the default, running in-process on the same database.

It plays the platform's part faithfully enough for a banner to run the reform today, train its
staff and test: it records what was submitted (idempotent on the key), lets the clerk accept or
return a case, dispatches every item to its office on the working-day clock, shows each office
only its item's fields and materials (every view and answer audited), flags overdue items to
the clerk, and reports everything back as `PlatformEvent`s through an `EventSink`.

The sink decides how events reach our side: in the same database they are applied in the very
transaction that caused them (`apply_in_same_transaction`); behind `platform serve` they are
queued for the signed callback (`queue_for_callback`).

Staff operations are synchronous use cases `fn(session, ...)` so that the CLI runs them with
`db.run_blocking` and async code with `await db.run(...)`; the adapter methods are async.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.db import Database
from cases.models import AuditLog, Case, StaffTask
from integrations.platform.adapter import (
    Accepted,
    AllAnswered,
    DispatchedItem,
    ItemAnswered,
    ItemDispatched,
    ItemOutcome,
    ItemState,
    MaterialIssue,
    PlatformEvent,
    PlatformRejected,
    PlatformStatus,
    ReturnedForCorrection,
    SubmitReceipt,
    SubmitRequest,
    SupplementReceipt,
    SupplementRequest,
    UnknownCase,
)
from integrations.platform.store import (
    EmbCase,
    EmbEvent,
    EmbItem,
    EmbSupplement,
)
from integrations.platform.wire import event_to_json
from policy.idcard import mask_number
from policy.items import ItemDef, load_items
from policy.items import due_at as item_due_at
from policy.workdays import OfficeHours, WorkCalendar, load_calendar

EventSink = Callable[[Session, PlatformEvent], None]
Clock = Callable[[], datetime]
CASE_NUMBER = re.compile(r"^YJ-\d{8}-\d{4,}$")
FINAL = frozenset({"done", "refused", "online"})
CLERK = "clerk"


def apply_in_same_transaction(session: Session, event: PlatformEvent) -> None:
    """Default sink: our case store lives in this database; apply the event right here."""
    from integrations.platform.events import apply_event

    apply_event(session, event)


def queue_for_callback(session: Session, event: PlatformEvent) -> None:
    """Sink for `platform serve` with a remote bot: the event waits for the signed callback."""
    session.add(
        EmbEvent(
            event_id=event.event_id,
            case_number=event.case_number,
            payload=event_to_json(event),
            next_attempt_at=event.at,  # due at once, on the platform's own clock
        )
    )


class StaffError(Exception):
    """A staff command that cannot be done; `message` is plain Chinese for the screen."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class QueueRow:
    case_number: str
    status: str
    received_at: datetime
    applicant: str  # name and masked ID number: staff lists never show the full number
    item: str | None = None
    office: str | None = None
    item_status: str | None = None
    due_at: datetime | None = None
    overdue: bool = False


@dataclass(frozen=True)
class CaseView:
    """What one viewer may see of a case: the clerk everything, an office its item only."""

    case_number: str
    status: str
    viewer: str  # "clerk" or an office code
    fields: dict[str, Any]
    materials: dict[str, Any]
    items: tuple[ItemState, ...] = field(default_factory=tuple)

    def __repr__(self) -> str:
        return f"CaseView({self.case_number!r}, viewer={self.viewer!r})"


def _event_id() -> str:
    return secrets.token_hex(16)


class EmbeddedPlatform:
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
        self.now: Clock = now or (lambda: datetime.now(UTC))
        self.items = tuple(items if items is not None else load_items())
        self.calendar = calendar or load_calendar()
        self.office_hours = office_hours or OfficeHours()
        self._by_code = {i.code: i for i in self.items}

    # --- the adapter (PlatformAdapter) ----------------------------------------------------

    async def submit(self, request: SubmitRequest) -> SubmitReceipt:
        try:
            return await self.db.run(self.record_submission, request)
        except IntegrityError:
            # Two deliveries of one key raced; the loser finds the winner's row.
            return await self.db.run(self.record_submission, request)

    async def withdraw(self, case_number: str, reason: str) -> None:
        await self.db.run(self.record_withdrawal, case_number, reason)

    async def supplement(self, request: SupplementRequest) -> SupplementReceipt:
        try:
            return await self.db.run(self.record_supplement, request)
        except IntegrityError:
            return await self.db.run(self.record_supplement, request)

    async def status(self, case_number: str) -> PlatformStatus:
        return await self.db.run(self.case_status, case_number)

    # --- platform side of the calls (sync use cases) -------------------------------------

    def record_submission(self, session: Session, request: SubmitRequest) -> SubmitReceipt:
        existing = session.scalar(
            select(EmbCase).where(EmbCase.idempotency_key == request.idempotency_key)
        )
        if existing is not None:
            return SubmitReceipt(
                existing.case_number, existing.platform_ref, existing.received_at, duplicate=True
            )
        if session.get(EmbCase, request.case_number) is not None:
            raise PlatformRejected("case_exists", request.case_number)
        received = self.now()
        row = EmbCase(
            case_number=request.case_number,
            idempotency_key=request.idempotency_key,
            platform_ref="P" + secrets.token_hex(8),
            form=_seal(session, dict(request.form)),
            materials={
                m.code: {
                    "sha256": list(m.sha256),
                    "mime": m.mime,
                    "pages": m.pages,
                    "lost": m.lost,
                }
                for m in request.materials
            },
            received_at=received,
        )
        session.add(row)
        session.flush()
        return SubmitReceipt(row.case_number, row.platform_ref, received)

    def record_withdrawal(self, session: Session, case_number: str, reason: str) -> None:
        case = self._case(session, case_number, rejected=True)
        if case.status == "withdrawn":
            return
        case.status = "withdrawn"
        case.withdrawn_reason = reason
        for item in self._items_of(session, case_number):
            if item.status not in FINAL:
                item.status = "refused"
                item.reason = "withdrawn"

    def record_supplement(self, session: Session, request: SupplementRequest) -> SupplementReceipt:
        existing = session.scalar(
            select(EmbSupplement).where(EmbSupplement.idempotency_key == request.idempotency_key)
        )
        if existing is not None:
            return SupplementReceipt(existing.case_number, existing.material_code, True)
        case = self._case(session, request.case_number, rejected=True)
        session.add(
            EmbSupplement(
                idempotency_key=request.idempotency_key,
                case_number=case.case_number,
                material_code=request.material_code,
                pages={"pages": [{"sha256": p.sha256, "mime": p.mime} for p in request.pages]},
                received_at=self.now(),
            )
        )
        materials = dict(case.materials)
        entry = dict(materials.get(request.material_code, {}))
        entry["sha256"] = [p.sha256 for p in request.pages]
        entry["pages"] = len(request.pages)
        entry["mime"] = request.pages[0].mime
        entry["lost"] = False
        entry.pop("returned", None)
        materials[request.material_code] = entry
        case.materials = materials
        if case.status == "returned" and not any("returned" in m for m in materials.values()):
            case.status = "received"  # back on the clerk's desk
        # An office that asked for this material takes the case up again, with a new clock.
        now = self.now()
        for item in self._items_of(session, case.case_number):
            definition = self._by_code.get(item.item)
            if (
                item.status == "supplement"
                and definition is not None
                and request.material_code in definition.materials
            ):
                item.status = "pending"
                item.dispatched_at = now
                item.due_at = item_due_at(definition, now, now, self.office_hours, self.calendar)
                item.overdue_flagged_at = None
        session.flush()
        return SupplementReceipt(case.case_number, request.material_code)

    def case_status(self, session: Session, case_number: str) -> PlatformStatus:
        case = self._case(session, case_number, rejected=True)
        return PlatformStatus(case.case_number, case.status, self._item_states(session, case))

    # --- the clerk ------------------------------------------------------------------------

    def accept(self, session: Session, case_number: str, actor: str) -> Accepted:
        """Accept a received case and dispatch every item that applies to its office."""
        case = self._case(session, case_number)
        if case.status != "received":
            raise StaffError("not_received", _STATE_ERRORS.get(case.status, "该办件不能受理。"))
        now = self.now()
        case.status = "accepted"
        case.accepted_at = now
        case.accepted_by = actor
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
        _audit(
            session,
            actor,
            "platform.accept",
            case.case_number,
            None,
            {"items": [d.item for d in dispatched]},
        )
        event = Accepted(case.case_number, _event_id(), now, tuple(dispatched))
        self.sink(session, event)
        return event

    def return_for_correction(
        self, session: Session, case_number: str, issues: Sequence[MaterialIssue], actor: str
    ) -> ReturnedForCorrection:
        case = self._case(session, case_number)
        if case.status != "received":
            raise StaffError("not_received", _STATE_ERRORS.get(case.status, "该办件不能退回。"))
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
            materials[issue.code] = {**materials[issue.code], "returned": issue.reason}
        case.materials = materials
        case.status = "returned"
        now = self.now()
        _audit(
            session,
            actor,
            "platform.return",
            case.case_number,
            None,
            {"materials": {i.code: i.reason for i in issues}},
        )
        event = ReturnedForCorrection(case.case_number, _event_id(), now, tuple(issues))
        self.sink(session, event)
        return event

    # --- the offices ----------------------------------------------------------------------

    def answer(
        self,
        session: Session,
        case_number: str,
        item: str,
        result: ItemOutcome,
        actor: str,
        data: Mapping[str, Any] | None = None,
        reason: str | None = None,
        office: str | None = None,
    ) -> list[PlatformEvent]:
        """An office answers its item; returns the events it caused (in order)."""
        definition = self._item_def(item)
        if office is not None:
            self._check_office(office)
            if definition.office != office:
                raise StaffError(
                    "wrong_office",
                    f"事项“{definition.name_zh}”由{definition.office_name_zh}办理，"
                    f"不属于经办机构 {office}。",
                )
        case = self._case(session, case_number)
        if case.status == "withdrawn":
            raise StaffError("withdrawn", _STATE_ERRORS["withdrawn"])
        row = session.scalar(
            select(EmbItem).where(EmbItem.case_number == case.case_number, EmbItem.item == item)
        )
        if row is None:
            raise StaffError(
                "item_not_in_case", f"办件 {case.case_number} 不含事项“{definition.name_zh}”。"
            )
        if row.status in FINAL:
            raise StaffError(
                "already_answered",
                f"事项“{definition.name_zh}”已经答复过（{_STATUS_ZH[row.status]}），不能重复答复。",
            )
        if row.status == "waiting":
            raise StaffError(
                "not_dispatched", f"事项“{definition.name_zh}”还在等待前置事项办结，暂不能答复。"
            )
        if row.status == "supplement":
            raise StaffError(
                "awaiting_supplement", f"事项“{definition.name_zh}”正在等申请人补充材料。"
            )
        if result not in ("done", "supplement", "refused"):
            raise StaffError(
                "bad_result",
                "答复结果只能是 done（办结）、supplement（需补充）或 refused（不予办理）。",
            )
        clean: dict[str, Any] = {}
        if result == "done":
            clean = coerce_result(definition, data or {})
            problems = definition.validate_result(clean)
            if problems:
                raise StaffError(
                    "bad_data", "办结数据有误：" + "；".join(_problem_zh(p) for p in problems)
                )
        elif not (reason or "").strip():
            raise StaffError("no_reason", "需补充或不予办理时，请用 --reason 写明原因。")
        else:
            clean = dict(data or {})
        now = self.now()
        row.status = result
        row.answered_at = now
        row.answered_by = actor
        row.data = clean
        row.reason = reason
        _audit(
            session,
            actor,
            "platform.answer",
            case.case_number,
            item,
            {"result": result, "office": definition.office, "fields": sorted(clean)},
        )
        events: list[PlatformEvent] = [
            ItemAnswered(
                case.case_number,
                _event_id(),
                now,
                item=item,
                office=definition.office,
                result=result,
                data=clean,
                reason=reason,
            )
        ]
        # Items that wait on this one start their clock now (medical insurance after the
        # pension decision), or cannot go on when it was refused.
        for waiting in self._items_of(session, case.case_number):
            dependent = self._by_code.get(waiting.item)
            if waiting.status != "waiting" or dependent is None or dependent.clock.after != item:
                continue
            if result == "done":
                waiting.status = "pending"
                waiting.dispatched_at = now
                waiting.due_at = item_due_at(dependent, now, now, self.office_hours, self.calendar)
                events.append(
                    ItemDispatched(
                        case.case_number,
                        _event_id(),
                        now,
                        item=dependent.code,
                        office=dependent.office,
                        due_at=waiting.due_at,
                    )
                )
            elif result == "refused":
                waiting.status = "refused"
                waiting.answered_at = now
                waiting.reason = f"前置事项“{definition.name_zh}”不予办理"
                events.append(
                    ItemAnswered(
                        case.case_number,
                        _event_id(),
                        now,
                        item=dependent.code,
                        office=dependent.office,
                        result="refused",
                        reason=waiting.reason,
                    )
                )
        session.flush()
        if all(i.status in FINAL for i in self._items_of(session, case.case_number)):
            case.status = "results_ready"
            events.append(AllAnswered(case.case_number, _event_id(), now))
        for event in events:
            self.sink(session, event)
        return events

    # --- views ----------------------------------------------------------------------------

    def queue(self, session: Session, actor: str, office: str | None = None) -> list[QueueRow]:
        """The clerk's queue (cases to accept, overdue items first), or one office's items."""
        self.flag_overdue(session)
        now = self.now()
        rows: list[QueueRow] = []
        if office is None:
            cases = session.scalars(
                select(EmbCase)
                .where(EmbCase.status.in_(("received", "returned", "accepted")))
                .order_by(EmbCase.received_at)
            )
            for case in cases:
                overdue = [
                    i
                    for i in self._items_of(session, case.case_number)
                    if i.status == "pending" and i.due_at is not None and i.due_at < now
                ]
                rows.append(
                    QueueRow(
                        case.case_number,
                        case.status,
                        case.received_at,
                        _applicant(case.form),
                        item=",".join(i.item for i in overdue) or None,
                        overdue=bool(overdue),
                    )
                )
            rows.sort(key=lambda r: (not r.overdue, r.received_at))
        else:
            self._check_office(office)
            items = session.execute(
                select(EmbItem, EmbCase)
                .join(EmbCase, EmbCase.case_number == EmbItem.case_number)
                .where(EmbItem.office == office, EmbItem.status == "pending")
                .order_by(EmbItem.due_at)
            )
            for item, case in items:
                definition = self._by_code[item.item]
                # Only what the item may see: the name, and the ID number if the item needs it.
                visible = definition.visible_fields(case.form)
                if "id_number" in definition.fields:
                    visible["id_number_masked"] = case.form.get("id_number_masked")
                applicant = _applicant(visible)
                rows.append(
                    QueueRow(
                        case.case_number,
                        case.status,
                        case.received_at,
                        applicant,
                        item.item,
                        item.office,
                        item.status,
                        item.due_at,
                        overdue=item.due_at is not None and item.due_at < now,
                    )
                )
        _audit(
            session,
            actor,
            "platform.view_queue",
            None,
            None,
            {"office": office or CLERK, "cases": len(rows)},
        )
        return rows

    def show(
        self, session: Session, case_number: str, actor: str, office: str | None = None
    ) -> CaseView:
        """One case as the viewer may see it; the view is audited."""
        case = self._case(session, case_number)
        states = self._item_states(session, case)
        if office is None:
            view = CaseView(
                case.case_number,
                case.status,
                CLERK,
                _unseal(session, case.form),
                dict(case.materials),
                states,
            )
            seen_items: list[str] = [s.item for s in states]
        else:
            self._check_office(office)
            mine = [d for d in self.items if d.office == office]
            in_case = {s.item for s in states}
            mine = [d for d in mine if d.code in in_case]
            if not mine:
                raise StaffError(
                    "not_for_office",
                    f"办件 {case.case_number} 没有分派给经办机构 {office} 的事项。",
                )
            fields: dict[str, Any] = {}
            materials: dict[str, Any] = {}
            for d in mine:
                fields.update(d.visible_fields(_unseal(session, case.form)))
                materials.update({k: v for k, v in case.materials.items() if k in d.materials})
            seen_items = [d.code for d in mine]
            view = CaseView(
                case.case_number,
                case.status,
                office,
                fields,
                materials,
                tuple(s for s in states if s.item in seen_items),
            )
        _audit(
            session,
            actor,
            "platform.view_case",
            case.case_number,
            seen_items[0] if len(seen_items) == 1 else None,
            {
                "viewer": view.viewer,
                "fields": sorted(view.fields),
                "materials": sorted(view.materials),
            },
        )
        return view

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

    # --- helpers --------------------------------------------------------------------------

    def _case(self, session: Session, case_number: str, rejected: bool = False) -> EmbCase:
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

    def _item_def(self, code: str) -> ItemDef:
        definition = self._by_code.get(code)
        if definition is None:
            known = "、".join(self._by_code)
            raise StaffError("unknown_item", f"没有事项“{code}”。可用的事项代码：{known}。")
        return definition

    def _check_office(self, office: str) -> None:
        offices = dict.fromkeys(i.office for i in self.items)
        if office not in offices:
            raise StaffError(
                "unknown_office", f"没有经办机构代码“{office}”。可用的代码：{'、'.join(offices)}。"
            )

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


def coerce_result(definition: ItemDef, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed answer data from what staff typed (`key=value` strings); unknown keys are kept
    for `validate_result` to name, values it cannot read are kept as typed (then invalid)."""
    types = {f.code: f.type for f in definition.result}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        kind = types.get(key)
        if not isinstance(value, str) or kind is None:
            out[key] = value
            continue
        text = value.strip()
        try:
            if kind == "integer":
                out[key] = int(text)
            elif kind == "number":
                out[key] = float(Decimal(text))
            elif kind == "boolean":
                lowered = text.lower()
                if lowered in ("true", "yes", "1", "是"):
                    out[key] = True
                elif lowered in ("false", "no", "0", "否"):
                    out[key] = False
                else:
                    out[key] = text
            else:
                out[key] = text  # money stays a decimal string; dates ISO strings
        except (ValueError, ArithmeticError):
            out[key] = text
    return out


def _audit(
    session: Session,
    actor: str,
    action: str,
    case_number: str | None,
    item: str | None,
    detail: dict[str, Any],
) -> None:
    case_id = None
    if case_number is not None:
        case_id = session.scalar(select(Case.id).where(Case.number == case_number))
        detail = {"case_number": case_number, **detail}
    session.add(
        AuditLog(actor=actor, action=action, case_id=case_id, item_code=item, detail=detail)
    )


_SEALED = "id_number_sealed"
_ID_CONTEXT = b"platform.id_number"


def _seal(session: Session, form: dict[str, Any]) -> dict[str, Any]:
    """The ID number is kept encrypted at rest (with the case store's key) and its masked
    form beside it for staff lists; the clear number only exists in an office's view."""
    number = form.pop("id_number", None)
    if number:
        vault = session.info.get("vault")
        form["id_number_masked"] = mask_number(str(number))
        if vault is not None:
            token = vault.encrypt(str(number), context=_ID_CONTEXT)
            form[_SEALED] = base64.b64encode(token).decode()
    return form


def _unseal(session: Session, form: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in form.items() if k not in (_SEALED, "id_number_masked")}
    vault = session.info.get("vault")
    if _SEALED in form and vault is not None:
        out["id_number"] = vault.decrypt(base64.b64decode(form[_SEALED]), context=_ID_CONTEXT)
    elif "id_number_masked" in form:
        out["id_number"] = form["id_number_masked"]
    return out


def _applicant(form: Mapping[str, Any]) -> str:
    name = str(form.get("name") or "")
    number = form.get("id_number_masked") or form.get("id_number")
    masked = mask_number(str(number)) if number else ""
    return " ".join(p for p in (name, masked) if p)


_STATUS_ZH = {
    "done": "已办结",
    "refused": "不予办理",
    "online": "申请人网上自办",
    "supplement": "需补充",
    "pending": "办理中",
    "waiting": "等待前置事项",
}
_STATE_ERRORS = {
    "returned": "该办件已退回补正，正在等申请人补正材料。",
    "accepted": "该办件已经受理，不能重复受理或退回。",
    "results_ready": "该办件各事项已全部办结。",
    "withdrawn": "申请人已撤回该办件。",
}


def _problem_zh(problem: str) -> str:
    kind, _, code = problem.partition(":")
    return {
        "missing": f"缺少 {code}",
        "invalid": f"{code} 的值不对",
        "unknown": f"没有数据项 {code}",
    }.get(kind, problem)
