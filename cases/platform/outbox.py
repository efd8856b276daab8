"""Writing calls for the platform into the outbox, in the caller's transaction.

The conversation's commands (`cases.commands`) call these when the applicant submits, sends a
corrected material or withdraws; `delivery.drain_platform_outbox` delivers them. Each row
carries an idempotency key derived from what it sends, so enqueueing twice is harmless and
the platform can tell a retry from a new call.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import Case, PageStatus, PlatformOutbox
from cases.repositories.outbox import enqueue_platform_call
from cases.repositories.pages import pages_of

SUBMIT, SUPPLEMENT, WITHDRAW = "submit", "supplement", "withdraw"


def _enqueue(
    session: Session,
    case: Case,
    kind: str,
    key: str,
    payload: dict[str, Any],
    at: datetime | None,
) -> PlatformOutbox:
    created = enqueue_platform_call(session, case.id, kind, payload, key)
    row = session.scalars(
        select(PlatformOutbox).where(PlatformOutbox.idempotency_key == key)
    ).one()
    if created and at is not None:
        # Due from the caller's "now" (an injected clock in tests and in the demo).
        row.next_attempt_at = at
        row.created_at = at
    return row


def _number(case: Case) -> str:
    if case.number is None:
        raise ValueError("the case has no number yet: submit it (cases.repositories) first")
    return case.number


def enqueue_submit(session: Session, case: Case, *, at: datetime | None = None) -> PlatformOutbox:
    """The submission of a case (once per case: its key is the case number)."""
    number = _number(case)
    return _enqueue(session, case, SUBMIT, f"submit:{number}", {"case_number": number}, at)


def enqueue_supplement(
    session: Session, case: Case, material_code: str, *, at: datetime | None = None
) -> PlatformOutbox:
    """The current pages of one material, sent after a return for correction or an office's
    request. The key covers the page hashes: the same pages twice are one call, new pages a
    new one."""
    number = _number(case)
    pages = pages_of(session, case.id, material_code)
    hashes = [p.sha256 for p in pages if p.status == PageStatus.ok.value]
    digest = hashlib.sha256("|".join(h or "" for h in hashes).encode()).hexdigest()[:16]
    return _enqueue(
        session,
        case,
        SUPPLEMENT,
        f"supplement:{number}:{material_code}:{digest}",
        {"case_number": number, "material_code": material_code},
        at,
    )


def enqueue_withdraw(
    session: Session, case: Case, reason: str, *, at: datetime | None = None
) -> PlatformOutbox:
    number = _number(case)
    return _enqueue(
        session,
        case,
        WITHDRAW,
        f"withdraw:{number}",
        {"case_number": number, "reason": reason},
        at,
    )
