"""The audit log: who saw or changed what, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.logging_setup import mask_text
from cases.models import AuditLog, utcnow


def _masked(value: Any) -> Any:
    # The audit log is read by staff and exported: personal numbers stay masked even here.
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


def audit(
    session: Session,
    actor: str,
    action: str,
    *,
    case_id: int | None = None,
    item_code: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Record an action; `actor` like "applicant:12", "clerk:wang", "system"."""
    session.add(
        AuditLog(
            actor=actor,
            action=action,
            case_id=case_id,
            item_code=item_code,
            detail=_masked(detail or {}),
            at=at or utcnow(),
        )
    )


def audit_trail(session: Session, case_id: int) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.case_id == case_id).order_by(AuditLog.id)
    return list(session.scalars(query))
