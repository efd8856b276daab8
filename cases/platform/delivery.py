"""Deliver the platform outbox through the port: each call at least once, with its idempotency
key, backing off while the platform is unreachable; the platform's idempotency makes "at
least once" "exactly once" on its side.

No database transaction is held across a network call: the due calls are claimed in one
transaction (`calls.claim_due_calls`), each call is made, and its outcome is written in
another (`record_delivered`, `record_failed`). Several workers may therefore pick the same row
at once; the idempotency key makes that harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.clock import utc_now
from cases.db import Database
from cases.files import FileStore
from cases.lifecycle import CaseState
from cases.models import Case, OutboxStatus, PageStatus, PlatformOutbox, StaffTask
from cases.platform.calls import PlatformCall, claim_due_calls
from cases.platform.notices import notify
from cases.platform.outbox import SUBMIT, SUPPLEMENT
from cases.platform.port import (
    PlatformAdapter,
    PlatformRejected,
    PlatformUnavailable,
    SubmitRequest,
    SupplementRequest,
)
from cases.repositories.audit import audit
from cases.repositories.case_records import get_case, submit_case
from cases.repositories.outbox import mark_platform_delivered, mark_platform_failed
from cases.repositories.pages import pages_of
from cases.retention import mark_replaced_pages, remove_files
from locales.replies import Msg

log = logging.getLogger(__name__)

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=10)
MAX_ATTEMPTS = 500  # at the 10-minute cap: more than three days of outage before a person looks


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failures: 30 s, 1 min, 2 min ... 10 min."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


async def drain_platform_outbox(
    db: Database,
    adapter: PlatformAdapter,
    now: Callable[[], datetime] | None = None,
    limit: int = 100,
    files: FileStore | None = None,
) -> int:
    """Deliver the due rows once; returns how many were delivered. Call it in a loop.

    With `files` (the running service's relay), a delivered replacement also deletes the
    files of the pages it replaced (`cases.retention.mark_replaced_pages`), after the
    commit; without, they wait for the retention rule."""
    clock = now or utc_now
    calls = await db.run(claim_due_calls, clock(), limit)
    delivered = 0
    for call in calls:
        try:
            await send(adapter, call)
        except PlatformUnavailable as exc:
            log.info("platform unavailable for %s %s: %s", call.kind, call.case_number, exc)
            await db.run(record_failed, call, clock(), f"unavailable: {exc}", False)
        except PlatformRejected as exc:
            log.warning("platform refused %s %s: %s", call.kind, call.case_number, exc.code)
            await db.run(record_failed, call, clock(), f"rejected: {exc}", True)
        else:
            replaced = await db.run(record_delivered, call, clock(), files is not None)
            if files is not None and replaced:
                await asyncio.to_thread(remove_files, files, replaced)
            delivered += 1
    return delivered


async def send(adapter: PlatformAdapter, call: PlatformCall) -> None:
    """Make one call through the port (outside any transaction)."""
    request = call.request
    if isinstance(request, SubmitRequest):
        await adapter.submit(request)
    elif isinstance(request, SupplementRequest):
        await adapter.supplement(request)
    else:
        await adapter.withdraw(request.case_number, request.reason)


def record_delivered(
    session: Session, call: PlatformCall, at: datetime, purge_replaced: bool = False
) -> list[str]:
    """The platform took the call: the row is done, and the case moves where the call says.
    A supplement replaces a material's returned pages: with `purge_replaced`, they are marked
    purged and the hashes of files nothing else refers to are returned, to delete."""
    row = session.get(PlatformOutbox, call.id)
    assert row is not None
    if row.status == OutboxStatus.sent.value:
        return []  # another worker got there first
    mark_platform_delivered(session, call.id, at=at)
    case = get_case(session, row.case_id)
    assert case is not None
    if call.kind == SUBMIT:
        _submitted(session, case, call, at)
    elif (
        call.kind == SUPPLEMENT
        and case.status == CaseState.returned_for_correction
        and not missing_corrections(session, case)
    ):
        # Back to the clerk once no rejected material is left without a replacement.
        submit_case(session, case, at=at, actor="system")
    audit(
        session,
        "system",
        f"platform.{call.kind}",
        case_id=case.id,
        detail={"key": row.idempotency_key, "attempts": row.attempts},
        at=at,
    )
    request = call.request
    if purge_replaced and isinstance(request, SupplementRequest):
        return mark_replaced_pages(session, case.id, request.material_code, now=at)
    return []


def _submitted(session: Session, case: Case, call: PlatformCall, at: datetime) -> None:
    if case.status == CaseState.draft:
        submit_case(session, case, at=at, actor="system")
    if call.attempts > 1:
        # The applicant was told the case is queued: now tell them it went through.
        notify(
            session,
            case,
            Msg("platform.delivered", {"case_number": call.case_number}),
            f"platform:delivered:{call.case_number}",
        )


def missing_corrections(session: Session, case: Case) -> set[str]:
    """The materials returned for correction that no new page has replaced yet."""
    pages = pages_of(session, case.id)
    rejected = {p.material_code for p in pages if p.status == PageStatus.rejected.value}
    replaced = {p.material_code for p in pages if p.status == PageStatus.ok.value and p.supplement}
    return rejected - replaced


def record_failed(
    session: Session, call: PlatformCall, at: datetime, error: str, permanent: bool
) -> None:
    """A failed call is retried after `backoff`; refused for good (or after MAX_ATTEMPTS),
    it is given up and a clerk's task says so."""
    row = session.get(PlatformOutbox, call.id)
    assert row is not None
    if row.status != OutboxStatus.pending.value:
        return
    if permanent or row.attempts >= MAX_ATTEMPTS:
        mark_platform_failed(session, call.id, error, retry_at=None)
        # One task per failed call (not per case): each names the call a person must redo.
        session.add(
            StaffTask(
                case_id=row.case_id,
                kind="platform_call_failed",
                detail={"outbox_id": row.id, "kind": row.kind, "error": error[:500]},
            )
        )
        return
    mark_platform_failed(session, call.id, error, retry_at=at + backoff(row.attempts))
    case = get_case(session, row.case_id)
    if call.kind == SUBMIT and case is not None:
        # Told once, whatever the number of retries (the dedupe key is per case).
        notify(
            session,
            case,
            Msg("platform.queued", {"case_number": call.case_number}),
            f"platform:queued:{call.case_number}",
        )
