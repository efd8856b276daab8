"""Per-item results (事项办理结果) of a case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import ItemResult, ItemStatus


def set_item_result(
    session: Session,
    case_id: int,
    item_code: str,
    *,
    office_code: str,
    status: str | ItemStatus,
    due_at: datetime | None = None,
    answered_at: datetime | None = None,
    data: dict[str, Any] | None = None,
    reason: str | None = None,
) -> ItemResult:
    """Create or update the result of one item; fields left as None keep their value."""
    result = session.scalars(
        select(ItemResult).where(ItemResult.case_id == case_id, ItemResult.item_code == item_code)
    ).first()
    if result is None:
        result = ItemResult(case_id=case_id, item_code=item_code, office_code=office_code, data={})
        session.add(result)
    result.office_code = office_code
    result.status = ItemStatus(status).value
    if due_at is not None:
        result.due_at = due_at
    if answered_at is not None:
        result.answered_at = answered_at
    if data is not None:
        result.data = data
    if reason is not None:
        result.reason = reason
    session.flush()
    return result


def item_results(session: Session, case_id: int) -> list[ItemResult]:
    query = select(ItemResult).where(ItemResult.case_id == case_id).order_by(ItemResult.id)
    return list(session.scalars(query))


def get_item_result(session: Session, case_id: int, item_code: str) -> ItemResult | None:
    return session.scalars(
        select(ItemResult).where(ItemResult.case_id == case_id, ItemResult.item_code == item_code)
    ).first()
