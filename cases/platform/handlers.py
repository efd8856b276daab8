"""Apply one platform event to the case record, in one transaction, exactly once.

`apply_event(session, event)` is the only place where what the platform says becomes our
record. It drops a redelivery (the event id is recorded in `platform_inbox` in the same
transaction), checks that the event fits the case as it stands (`fit`), then hands the event
to ITS handler in `HANDLERS`: one function per event kind, which changes the case (lifecycle
state, item results, refused pages, staff tasks) and picks what the applicant is told (a
`locales.replies.Msg`, queued once per event, rendered later in the applicant's language).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from cases.birth_date import answered_in, archive_birth_date_found
from cases.lifecycle import CaseState
from cases.models import Case, ItemResult
from cases.models.platform import InboxEvent
from cases.platform import notices
from cases.platform.events import (
    Accepted,
    AllAnswered,
    ItemAnswered,
    ItemDispatched,
    PlatformEvent,
    ResultNoticeReady,
    ReturnedForCorrection,
)
from cases.platform.fit import check_event_fits
from cases.platform.port import UnknownCase
from cases.repositories.case_records import find_case_by_number, move_case
from cases.repositories.pages import reject_material
from cases.repositories.results import get_item_result, item_results, set_item_result
from cases.repositories.tasks import add_staff_task
from locales import Translator, when
from locales.replies import Msg
from policy.materials import requested_materials

ACTOR = "platform"
MEDICAL_CALL_KIND = "phone_medical"
ARCHIVE_BIRTH_DATE = "archive_birth_date"  # an office's answer: the birth date on file
_ZH = Translator("zh_CN")  # the clerk's task list is read in Chinese

# A handler changes the case and returns what to tell the applicant (None: nothing). The
# table's key is the event's type, so each handler receives exactly that type.
Handler = Callable[[Session, Case, Any], Msg | None]


def apply_event(session: Session, event: PlatformEvent) -> bool:
    """Apply `event`; False when it had been applied before (nothing changes then).

    Raises UnknownCase for a case number we do not have, and `fit.EventDoesNotFit` (an
    `IllegalTransition`) for an event the case's state does not allow (the sender should
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
    message = HANDLERS[type(event)](session, case, event)
    if message is not None:
        notices.notify(session, case, message, f"platform:{event.event_id}")
    session.flush()
    return True


def on_accepted(session: Session, case: Case, event: Accepted) -> Msg:
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
    return notices.accepted(_number(case, event), event.items, event.at)


def on_returned(session: Session, case: Case, event: ReturnedForCorrection) -> Msg:
    codes = [m.code for m in event.materials]
    _move(session, case, "return_for_correction", event, {"materials": codes})
    for issue in event.materials:
        reject_material(session, case.id, issue.code, issue.reason, issue.files)
    return notices.returned(_number(case, event), event.materials)


def on_item_dispatched(session: Session, case: Case, event: ItemDispatched) -> Msg | None:
    before = get_item_result(session, case.id, event.item)
    resumed = before is not None and before.status == "supplement"
    set_item_result(
        session,
        case.id,
        event.item,
        office_code=event.office,
        status="pending",
        due_at=event.due_at,
    )
    # Only the medical insurance clock starting is worth a push: it says when to expect the
    # contribution result.
    if event.due_at is None:
        return None
    return notices.item_started(event.item, event.due_at, event.at, resumed=resumed)


def on_item_answered(session: Session, case: Case, event: ItemAnswered) -> Msg:
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
            reject_material(session, case.id, code, event.reason or "")
    if event.item == notices.MEDICAL_ITEM and event.result == "done":
        _medical_phone_call(session, case, event)
    if event.result == "done" and event.data.get(ARCHIVE_BIRTH_DATE):
        source = answered_in(event.item)
        archive_birth_date_found(
            session, case, event.data[ARCHIVE_BIRTH_DATE], source, ACTOR, at=event.at
        )
    return notices.answered(event)


def on_all_answered(session: Session, case: Case, event: AllAnswered) -> None:
    """No push of its own: the result notice follows within the aftercare's next sweep and
    says that every item is done (a notice that cannot be made becomes the clerk's phone
    call, aftercare/failures.py), so the worker's phone gets one message at the close, not
    "all done" and then the result a minute later."""
    if case.status == CaseState.processing:
        _move(session, case, "results_ready", event)


def on_result_notice_ready(session: Session, case: Case, event: ResultNoticeReady) -> Msg:
    return Msg("platform.result_notice_ready", {"case_number": _number(case, event)})


HANDLERS: dict[type, Handler] = {
    Accepted: on_accepted,
    ReturnedForCorrection: on_returned,
    ItemDispatched: on_item_dispatched,
    ItemAnswered: on_item_answered,
    AllAnswered: on_all_answered,
    ResultNoticeReady: on_result_notice_ready,
}


def _medical_phone_call(session: Session, case: Case, event: ItemAnswered) -> None:
    """The plan: the clerk phones the worker about the medical contributions and any back
    payment (电话告知申请人医疗保险缴纳情况、补缴情况), besides the push. One task per case; a
    corrected answer updates its figures."""
    due = notices.money(event.data.get("back_payment_due"))
    figures = {
        "缴费月数": _months(event.data.get("contribution_months", "")),
        "需补缴金额（元）": f"{due:.2f}" if due > 0 else "无需补缴",
        "说明": "请电话告知申请人医疗保险缴纳情况和补缴情况，办结时记下告知内容。",
    }
    task = add_staff_task(
        session, MEDICAL_CALL_KIND, case_id=case.id, applicant_id=case.applicant_id
    )
    task.detail = {**(task.detail or {}), **figures, "case_number": case.number}


def _months(value: Any) -> str:
    """The office's month count as the clerk reads it out (372 → 31年（372个月）), written
    once here like the task's other figures; anything else as sent."""
    sent = "" if value is None else str(value).strip()
    return when.counted_months(_ZH, int(sent)) if sent.isdigit() else sent


def _number(case: Case, event: PlatformEvent) -> str:
    return case.number or event.case_number


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
