"""Deliver the platform outbox: each call at least once, with its idempotency key, backing
off while the platform is unreachable; the platform's idempotency makes "at least once"
"exactly once" on its side.

No database transaction is held across a network call: the due rows are read in one
transaction, each call is made, and its outcome is written in another. Several workers may
therefore pick the same row at once; the idempotency key makes that harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.db import Database
from cases.lifecycle import CaseState
from cases.models import (
    Applicant,
    Case,
    MaterialPage,
    OutboxStatus,
    PageStatus,
    PlatformOutbox,
    StaffTask,
)
from cases.repositories.applicants import id_number_of
from cases.repositories.audit import audit
from cases.repositories.case_records import submit_case
from cases.repositories.outbox import (
    claim_due_platform_calls,
    mark_platform_delivered,
    mark_platform_failed,
)
from integrations.platform.adapter import (
    MaterialRef,
    PageRef,
    PlatformAdapter,
    PlatformRejected,
    PlatformUnavailable,
    SubmitRequest,
    SupplementRequest,
)
from integrations.platform.events import notify
from integrations.platform.outbox import SUBMIT, SUPPLEMENT, WITHDRAW
from locales.replies import Msg

log = logging.getLogger(__name__)

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=10)
MAX_ATTEMPTS = 500  # at the 10-minute cap: more than three days of outage before a person looks


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failures: 30 s, 1 min, 2 min ... 10 min."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


@dataclass(frozen=True)
class _Job:
    id: int
    kind: str
    case_number: str
    attempts: int
    call: Any  # SubmitRequest | SupplementRequest | (case_number, reason)


def _due(session: Session, at: datetime, limit: int) -> list[_Job]:
    # The claim takes a lease (next_attempt_at moves forward) and counts the attempt: a worker
    # that dies mid-call leaves the row due again after the lease.
    jobs: list[_Job] = []
    for row in claim_due_platform_calls(session, at, limit):
        number = str(row.payload.get("case_number", ""))
        if row.kind == SUBMIT:
            call: Any = _submit_request(session, row, number)
        elif row.kind == SUPPLEMENT:
            call = _supplement_request(session, row, number)
        elif row.kind == WITHDRAW:
            call = (number, str(row.payload.get("reason", "")))
        else:
            mark_platform_failed(session, row.id, f"unknown kind {row.kind!r}", retry_at=None)
            continue
        jobs.append(_Job(row.id, row.kind, number, row.attempts, call))
    return jobs


def _submit_request(session: Session, row: PlatformOutbox, number: str) -> SubmitRequest:
    case = session.get(Case, row.case_id)
    assert case is not None
    form = dict(case.form)
    applicant = session.get(Applicant, case.applicant_id)
    # The form never stores the clear ID number; the platform needs it, so it is decrypted
    # here, for the request only.
    if applicant is not None:
        id_number = id_number_of(session, applicant)
        if id_number:
            form["id_number"] = id_number
        if applicant.full_name and "name" not in form:
            form["name"] = applicant.full_name
    pages = session.scalars(
        select(MaterialPage)
        .where(MaterialPage.case_id == case.id, MaterialPage.status != PageStatus.rejected.value)
        .order_by(MaterialPage.material_code, MaterialPage.page_no)
    )
    grouped: dict[str, list[MaterialPage]] = {}
    for page in pages:
        grouped.setdefault(page.material_code, []).append(page)
    materials = tuple(
        MaterialRef(
            code=code,
            sha256=tuple(p.sha256 for p in ps if p.sha256),
            mime=next((p.mime_type for p in ps if p.mime_type), "image/jpeg"),
            pages=sum(max(1, p.page_count or 1) for p in ps if p.sha256),
            lost=any(p.status == PageStatus.lost.value for p in ps),
        )
        for code, ps in grouped.items()
    )
    return SubmitRequest(number, form, materials, row.idempotency_key)


def _supplement_request(session: Session, row: PlatformOutbox, number: str) -> SupplementRequest:
    code = str(row.payload.get("material_code", ""))
    pages = session.scalars(
        select(MaterialPage)
        .where(
            MaterialPage.case_id == row.case_id,
            MaterialPage.material_code == code,
            MaterialPage.status == PageStatus.ok.value,
        )
        .order_by(MaterialPage.page_no)
    )
    refs = tuple(PageRef(p.sha256, p.mime_type or "image/jpeg") for p in pages if p.sha256)
    lost = not refs and (
        session.scalar(
            select(MaterialPage.id).where(
                MaterialPage.case_id == row.case_id,
                MaterialPage.material_code == code,
                MaterialPage.status == PageStatus.lost.value,
            )
        )
        is not None
    )
    return SupplementRequest(number, code, refs, row.idempotency_key, lost=lost)


def _delivered(session: Session, job: _Job, at: datetime) -> None:
    row = session.get(PlatformOutbox, job.id)
    assert row is not None
    if row.status == OutboxStatus.sent.value:
        return  # another worker got there first
    mark_platform_delivered(session, job.id, at=at)
    case = session.get(Case, row.case_id)
    assert case is not None
    if job.kind == SUBMIT:
        if case.status == CaseState.draft:
            submit_case(session, case, at=at, actor="system")
        if job.attempts > 1:
            # The applicant was told the case is queued: now tell them it went through.
            notify(
                session,
                case,
                Msg("platform.delivered", {"case_number": job.case_number}),
                f"platform:delivered:{job.case_number}",
            )
    elif (
        job.kind == SUPPLEMENT
        and case.status == CaseState.returned_for_correction
        and not _missing_corrections(session, case)
    ):
        # Back to the clerk once no rejected material is left without a replacement.
        submit_case(session, case, at=at, actor="system")
    audit(
        session,
        "system",
        f"platform.{job.kind}",
        case_id=case.id,
        detail={"key": row.idempotency_key, "attempts": row.attempts},
        at=at,
    )


def _missing_corrections(session: Session, case: Case) -> set[str]:
    rejected = set(
        session.scalars(
            select(MaterialPage.material_code).where(
                MaterialPage.case_id == case.id, MaterialPage.status == PageStatus.rejected.value
            )
        )
    )
    replaced = set(
        session.scalars(
            select(MaterialPage.material_code).where(
                MaterialPage.case_id == case.id,
                MaterialPage.status == PageStatus.ok.value,
                MaterialPage.supplement.is_(True),
            )
        )
    )
    return rejected - replaced


def _failed(session: Session, job: _Job, at: datetime, error: str, permanent: bool) -> None:
    row = session.get(PlatformOutbox, job.id)
    assert row is not None
    if row.status != OutboxStatus.pending.value:
        return
    if permanent or row.attempts >= MAX_ATTEMPTS:
        mark_platform_failed(session, job.id, error, retry_at=None)
        session.add(
            StaffTask(
                case_id=row.case_id,
                kind="platform_call_failed",
                detail={"outbox_id": row.id, "kind": row.kind, "error": error[:500]},
            )
        )
        return
    mark_platform_failed(session, job.id, error, retry_at=at + backoff(row.attempts))
    case = session.get(Case, row.case_id)
    if job.kind == SUBMIT and case is not None:
        # Told once, whatever the number of retries (the dedupe key is per case).
        notify(
            session,
            case,
            Msg("platform.queued", {"case_number": job.case_number}),
            f"platform:queued:{job.case_number}",
        )


async def drain_platform_outbox(
    db: Database,
    adapter: PlatformAdapter,
    now: Callable[[], datetime] | None = None,
    limit: int = 100,
) -> int:
    """Deliver the due rows once; returns how many were delivered. Call it in a loop."""
    clock = now or (lambda: datetime.now(UTC))
    jobs = await db.run(_due, clock(), limit)
    delivered = 0
    for job in jobs:
        try:
            if job.kind == SUBMIT:
                await adapter.submit(job.call)
            elif job.kind == SUPPLEMENT:
                await adapter.supplement(job.call)
            else:
                await adapter.withdraw(*job.call)
        except PlatformUnavailable as exc:
            log.info("platform unavailable for %s %s: %s", job.kind, job.case_number, exc)
            await db.run(_failed, job, clock(), f"unavailable: {exc}", False)
        except PlatformRejected as exc:
            log.warning("platform refused %s %s: %s", job.kind, job.case_number, exc.code)
            await db.run(_failed, job, clock(), f"rejected: {exc}", True)
        else:
            await db.run(_delivered, job, clock())
            delivered += 1
    return delivered


async def run_platform_worker(
    db: Database,
    adapter: PlatformAdapter,
    stop: asyncio.Event,
    interval_seconds: float = 2.0,
) -> None:
    """Drain the outbox until `stop` is set (owned by the composition root's task group)."""
    while not stop.is_set():
        try:
            busy = await drain_platform_outbox(db, adapter)
        except Exception:  # a database hiccup must not end the worker; it retries
            log.exception("platform outbox drain failed")
            busy = 0
        if busy:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_seconds)
