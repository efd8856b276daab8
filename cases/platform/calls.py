"""The platform calls that are due, read from the outbox and built into the port's requests.

`claim_due_calls` is one transaction: it takes a lease on the due rows (a worker that dies
mid-call leaves its row due again after the lease) and builds each request from the record as
it stands now, so a retry always sends the current pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cases.models import MaterialPage, PageStatus, PlatformOutbox
from cases.platform.outbox import SUBMIT, SUPPLEMENT, WITHDRAW
from cases.platform.port import MaterialRef, PageRef, SubmitRequest, SupplementRequest
from cases.repositories.applicants import get_applicant, id_number_of
from cases.repositories.case_records import get_case
from cases.repositories.outbox import claim_due_platform_calls, mark_platform_failed
from cases.repositories.pages import pages_of


@dataclass(frozen=True)
class Withdrawal:
    case_number: str
    reason: str


PlatformRequest = SubmitRequest | SupplementRequest | Withdrawal


@dataclass(frozen=True)
class PlatformCall:
    """One claimed row of the platform outbox and the request it sends."""

    id: int
    kind: str
    case_number: str
    attempts: int
    request: PlatformRequest


def claim_due_calls(session: Session, at: datetime, limit: int) -> list[PlatformCall]:
    """The due calls, leased and counted as an attempt; a row of an unknown kind is failed
    for good (nothing could ever send it)."""
    calls: list[PlatformCall] = []
    for row in claim_due_platform_calls(session, at, limit):
        build = _BUILDERS.get(row.kind)
        if build is None:
            mark_platform_failed(session, row.id, f"unknown kind {row.kind!r}", retry_at=None)
            continue
        number = str(row.payload.get("case_number", ""))
        calls.append(PlatformCall(row.id, row.kind, number, row.attempts, build(session, row)))
    return calls


def submit_request(session: Session, row: PlatformOutbox) -> SubmitRequest:
    case = get_case(session, row.case_id)
    assert case is not None
    form = dict(case.form)
    applicant = get_applicant(session, case.applicant_id)
    # The form never stores the clear ID number; the platform needs it, so it is decrypted
    # here, for the request only.
    if applicant is not None:
        id_number = id_number_of(session, applicant)
        if id_number:
            form["id_number"] = id_number
        if applicant.full_name and "name" not in form:
            form["name"] = applicant.full_name
    grouped: dict[str, list[MaterialPage]] = {}
    for page in pages_of(session, case.id):
        if page.status != PageStatus.rejected.value:
            grouped.setdefault(page.material_code, []).append(page)
    materials = tuple(_material(code, pages) for code, pages in grouped.items())
    return SubmitRequest(_number(row), form, materials, row.idempotency_key)


def _material(code: str, pages: list[MaterialPage]) -> MaterialRef:
    return MaterialRef(
        code=code,
        sha256=tuple(p.sha256 for p in pages if p.sha256),
        mime=next((p.mime_type for p in pages if p.mime_type), "image/jpeg"),
        pages=sum(max(1, p.page_count or 1) for p in pages if p.sha256),
        lost=any(p.status == PageStatus.lost.value for p in pages),
    )


def supplement_request(session: Session, row: PlatformOutbox) -> SupplementRequest:
    code = str(row.payload.get("material_code", ""))
    pages = pages_of(session, row.case_id, code)
    ok = [p for p in pages if p.status == PageStatus.ok.value]
    refs = tuple(PageRef(p.sha256, p.mime_type or "image/jpeg") for p in ok if p.sha256)
    # No new pages but "lost": the office looks the original up itself.
    lost = not refs and any(p.status == PageStatus.lost.value for p in pages)
    return SupplementRequest(_number(row), code, refs, row.idempotency_key, lost=lost)


def withdrawal(session: Session, row: PlatformOutbox) -> Withdrawal:
    return Withdrawal(_number(row), str(row.payload.get("reason", "")))


def _number(row: PlatformOutbox) -> str:
    return str(row.payload.get("case_number", ""))


_BUILDERS: dict[str, Callable[[Session, PlatformOutbox], PlatformRequest]] = {
    SUBMIT: submit_request,
    SUPPLEMENT: supplement_request,
    WITHDRAW: withdrawal,
}
