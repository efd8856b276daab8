"""Apply one platform event to the case store, in one transaction, exactly once.

`apply_event(session, event)` is the only place where what the platform says becomes our
record: the case's lifecycle state, the per-item results, rejected material pages, and one
notification for the applicant (a `dialogs.replies.Reply` as JSON, rendered later in the
applicant's language). The event id is recorded in `platform_inbox` in the same transaction,
so a redelivered event changes nothing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.lifecycle import CaseState
from cases.models import Case, ItemResult, MaterialPage, PageStatus
from cases.repositories.case_records import find_case_by_number, move_case
from cases.repositories.outbox import enqueue_notification
from cases.repositories.results import item_results, set_item_result
from cases.repositories.tasks import add_staff_task
from dialogs.replies import Msg, Reply, to_json
from integrations.platform.adapter import (
    Accepted,
    AllAnswered,
    ItemAnswered,
    ItemDispatched,
    PlatformEvent,
    ResultNoticeReady,
    ReturnedForCorrection,
    UnknownCase,
)
from integrations.platform.event_fit import check_event_fits
from integrations.platform.store import InboxEvent
from policy.materials import requested_materials

ACTOR = "platform"
MEDICAL_ITEM = "medical_insurance"
MEDICAL_CALL_KIND = "phone_medical"


def notify(session: Session, case: Case, message: Msg, dedupe_key: str) -> bool:
    """Queue a push for the case's applicant once per `dedupe_key`; False if already queued."""
    return enqueue_notification(session, case.applicant_id, to_json(Reply(message)), dedupe_key)


def apply_event(session: Session, event: PlatformEvent) -> bool:
    """Apply `event`; False when it had been applied before (nothing changes then).

    Raises UnknownCase for a case number we do not have, and `event_fit.EventDoesNotFit`
    (an `IllegalTransition`) for an event the case's state does not allow (the sender should
    retry later or a person should look); neither writes anything.
    """
    if session.get(InboxEvent, event.event_id) is not None:
        return False
    case = find_case_by_number(session, event.case_number)
    if case is None:
        raise UnknownCase(event.case_number)
    check_event_fits(session, case, event)  # before any write: a misfit leaves no trace
    session.add(
        InboxEvent(
            event_id=event.event_id,
            case_number=case.number or "",
            kind=event.kind,
            applied_at=event.at,
        )
    )
    session.flush()  # a concurrent delivery of the same event fails here and rolls back
    key = f"platform:{event.event_id}"
    number = case.number or event.case_number
    if isinstance(event, Accepted):
        _move(session, case, "accept", event)
        _move(session, case, "start_processing", event)
        # One read of the case's rows instead of one per item: acceptance is the busiest event.
        existing = {r.item_code: r for r in item_results(session, case.id)}
        for item in event.items:
            status = "online" if item.online else ("pending" if item.due_at else "waiting")
            row = existing.get(item.item)
            if row is None:
                row = ItemResult(case_id=case.id, item_code=item.item, data={})
                session.add(row)
            row.office_code, row.status, row.due_at = item.office, status, item.due_at
        offices = [i for i in event.items if not i.online]
        notify(
            session,
            case,
            Msg("platform.accepted", {"case_number": number, "count": len(offices)}),
            key,
        )
    elif isinstance(event, ReturnedForCorrection):
        _move(
            session,
            case,
            "return_for_correction",
            event,
            {"materials": [m.code for m in event.materials]},
        )
        for issue in event.materials:
            _reject_pages(session, case, issue.code, issue.reason, issue.files)
        lines = [
            Msg(
                # Some pages only: the others are kept, and the worker is told so.
                "platform.returned_pages_line" if m.files else "platform.returned_line",
                {"material": Msg(f"material.{m.code}.name"), "reason": m.reason},
            )
            for m in event.materials
        ]
        notify(
            session,
            case,
            Msg("platform.returned", {"case_number": number, "materials": lines}),
            key,
        )
    elif isinstance(event, ItemDispatched):
        set_item_result(
            session,
            case.id,
            event.item,
            office_code=event.office,
            status="pending",
            due_at=event.due_at,
        )
        # Only the medical insurance clock starting is worth a push: it says when to expect
        # the contribution result.
        if event.due_at is not None:
            notify(
                session,
                case,
                Msg(
                    "platform.item_started",
                    {
                        "item": Msg(f"item.{event.item}.name"),
                        "due_date": event.due_at.astimezone(_tz()).strftime("%Y-%m-%d"),
                    },
                ),
                key,
            )
    elif isinstance(event, ItemAnswered):
        set_item_result(
            session,
            case.id,
            event.item,
            office_code=event.office,
            status=event.result,
            answered_at=event.at,
            data=dict(event.data),
            reason=event.reason,
        )
        if event.result == "supplement":
            # The office names the materials to send ("id_card", "a,b" or a list), or none:
            # "other material". What it had of them is refused, so only new pages (or "lost")
            # answer this round; the conversation reopens the upload for just these.
            for code in requested_materials(event.data.get("materials")):
                _reject_pages(session, case, code, event.reason or "")
        if event.item == MEDICAL_ITEM and event.result == "done":
            _medical_phone_call(session, case, event)
        notify(session, case, _answer_message(event), key)
    elif isinstance(event, AllAnswered):
        if case.status == CaseState.processing:
            _move(session, case, "results_ready", event)
        notify(session, case, Msg("platform.all_done", {"case_number": number}), key)
    elif isinstance(event, ResultNoticeReady):
        notify(session, case, Msg("platform.result_notice_ready", {"case_number": number}), key)
    session.flush()
    return True


def _medical_phone_call(session: Session, case: Case, event: ItemAnswered) -> None:
    """The plan: the clerk phones the worker about the medical contributions and any back
    payment (电话告知申请人医疗保险缴纳情况、补缴情况), besides the push. One task per case; a
    corrected answer updates its figures."""
    due = _money(event.data.get("back_payment_due"))
    figures = {
        "缴费月数": event.data.get("contribution_months", ""),
        "需补缴金额（元）": f"{due:.2f}" if due > 0 else "无需补缴",
        "说明": "请电话告知申请人医疗保险缴纳情况和补缴情况，办结时记下告知内容。",
    }
    task = add_staff_task(
        session, MEDICAL_CALL_KIND, case_id=case.id, applicant_id=case.applicant_id
    )
    task.detail = {**(task.detail or {}), **figures, "case_number": case.number}


def _move(
    session: Session,
    case: Case,
    trigger: str,
    event: PlatformEvent,
    detail: dict[str, Any] | None = None,
) -> None:
    move_case(
        session,
        case,
        trigger,
        at=event.at,
        actor=ACTOR,
        detail={"event_id": event.event_id, **(detail or {})},
    )


def _reject_pages(
    session: Session, case: Case, material_code: str, reason: str, files: tuple[str, ...] = ()
) -> None:
    """Refuse the material's pages: all of them, or only the files named (by hash)."""
    query = select(MaterialPage).where(
        MaterialPage.case_id == case.id,
        MaterialPage.material_code == material_code,
        MaterialPage.status != PageStatus.rejected.value,
    )
    if files:
        # The pages kept stand as part of the material: only pages sent after this return
        # answer it (the conversation and the relay look for new supplement pages).
        for kept in session.scalars(
            query.where(
                MaterialPage.sha256.not_in(files), MaterialPage.status == PageStatus.ok.value
            )
        ):
            kept.supplement = False
        query = query.where(MaterialPage.sha256.in_(files))
    pages = session.scalars(query)
    for page in pages:
        page.status = PageStatus.rejected.value
        page.reject_reason = reason[:200]


def _answer_message(event: ItemAnswered) -> Msg:
    item = Msg(f"item.{event.item}.name")
    if event.result == "supplement":
        names = [
            Msg("platform.item_supplement_line", {"material": Msg(f"material.{code}.name")})
            for code in requested_materials(event.data.get("materials"))
        ]
        return Msg(
            "platform.item_supplement",
            {"item": item, "reason": event.reason or "", "materials": names},
        )
    if event.result == "refused":
        return Msg("platform.item_refused", {"item": item, "reason": event.reason or ""})
    if event.item == MEDICAL_ITEM:
        months = event.data.get("contribution_months", "")
        due = _money(event.data.get("back_payment_due"))
        if due > 0:
            return Msg(
                "platform.medical_back_payment",
                {
                    "months": months,
                    "amount": f"{due:.2f}",
                    "how_to_pay": Msg("platform.medical_how_to_pay"),
                },
            )
        return Msg("platform.medical_paid_up", {"months": months})
    return Msg("platform.item_done", {"item": item})


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _tz() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")
