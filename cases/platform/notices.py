"""What the applicant is told about the platform's work: the wording of each push, and the
queueing of it in the notification outbox (rendered later, in the applicant's language).

Only message keys and parameters here (`locales.replies.Msg`); the texts are in
`locales/*/platform.toml`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from app.clock import LOCAL_TZ
from cases.models import Case
from cases.platform.events import DispatchedItem, ItemAnswered, MaterialIssue
from cases.repositories.outbox import enqueue_notification
from locales import when
from locales.replies import Msg, Reply, to_json
from policy.materials import requested_materials

MEDICAL_ITEM = "medical_insurance"


def notify(session: Session, case: Case, message: Msg, dedupe_key: str) -> bool:
    """Queue a push for the case's applicant once per `dedupe_key`; False if already queued."""
    return enqueue_notification(session, case.applicant_id, to_json(Reply(message)), dedupe_key)


def accepted(number: str, items: tuple[DispatchedItem, ...], now: datetime) -> Msg:
    """One push for every item that starts with the acceptance, each with when its answer is
    due (never a push per item); an item waiting for another's answer says so, and gets its
    own `item_started` when its clock starts."""
    offices = [i for i in items if not i.online]  # an online step is not an office's work
    lines = [
        Msg("platform.accepted_item_waiting", {"item": Msg(f"item.{i.item}.name")})
        if i.due_at is None
        else Msg(
            "platform.accepted_item_started",
            {"item": Msg(f"item.{i.item}.name")} | _due(i.due_at, now),
        )
        for i in offices
    ]
    return Msg(
        "platform.accepted_items", {"case_number": number, "count": len(offices), "items": lines}
    )


def returned(number: str, materials: tuple[MaterialIssue, ...]) -> Msg:
    lines = [
        Msg(
            # Some pages only: the others are kept, and the worker is told so.
            "platform.returned_pages_line" if m.files else "platform.returned_line",
            {"material": Msg(f"material.{m.code}.name"), "reason": m.reason},
        )
        for m in materials
    ]
    return Msg("platform.returned", {"case_number": number, "materials": lines})


def item_started(item: str, due_at: datetime, now: datetime, *, resumed: bool = False) -> Msg:
    """An office's clock starts, or starts again after the material it asked for came."""
    return Msg(
        "platform.item_resumed" if resumed else "platform.item_started",
        {"item": Msg(f"item.{item}.name")} | _due(due_at, now),
    )


def _due(due_at: datetime, now: datetime) -> dict[str, Msg]:
    """By when, on the worker's clock: 今天16:08前, 12月10日（含）前."""
    return {"due": Msg(*when.deadline(due_at.astimezone(LOCAL_TZ), now.astimezone(LOCAL_TZ)))}


def answered(event: ItemAnswered) -> Msg:
    """An office's answer: what it asks for, why it refused, or what it decided."""
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
        return _medical(event.data)
    return Msg("platform.item_done", {"item": item})


def _medical(data: dict[str, Any]) -> Msg:
    months = _duration(data.get("contribution_months", ""))
    due = money(data.get("back_payment_due"))
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


def _duration(months: Any) -> Msg:
    """The office's month count in years and months (183 → 15年3个月)."""
    if isinstance(months, str) and months.strip().isdigit():
        months = int(months)
    if isinstance(months, int) and not isinstance(months, bool):
        return Msg(*when.duration(months))
    return Msg("when.months", {"months": months})  # not a count: shown as sent


def money(value: Any) -> Decimal:
    """An amount the office sent; anything unreadable counts as nothing due."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)
