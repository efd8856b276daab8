"""The result of a case as the record keeps it: the notice made out to the applicant, and the
applicant's signature of one notice version.

Use cases over a session, run inside the caller's transaction (none of them commits). The
conversation decides from a reading of the same record (`dialogs.engine.signing`) by the
rules of cases/result_commands.py, and these use cases apply them again before they write.

Signing renders the signed copy of the notice; the record does not know how a PDF is drawn,
so the signed copy is made by a `SignedCopies` port that the composition root hands in
(implemented in aftercare/paperwork.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from app.clock import LOCAL_TZ, at_local
from cases import repositories as repo
from cases.models import Applicant, Case, Signature, StaffTask
from cases.result_commands import (
    RaiseAtSigning,
    SignedCopies,
    SignOutcome,
    same_name,
    sign_outcome,
)

# The staff task of a worker who, asked to sign, disagrees or asks for a person.
SIGNING_TASKS = {"object": "objection", "person": "handover"}
CALL_HOUR = 18  # a call promised for a day is due by the office's close


def latest_case(session: Session, applicant_id: int) -> Case | None:
    """The applicant's newest case, closed ones included: after the result the conversation
    still speaks about it (the signed copy, the online steps)."""
    found = repo.cases_of(session, applicant_id)
    return found[0] if found else None


def applicant_name(case: Case, applicant: Applicant | None) -> str:
    """The name the notice is made out to, and that the signature must match."""
    return str(case.form.get("name") or (applicant.full_name if applicant else "") or "")


def signer_of(session: Session, case: Case) -> str:
    return applicant_name(case, repo.get_applicant(session, case.applicant_id))


def name_matches(session: Session, case: Case, typed: str) -> bool:
    return same_name(typed, signer_of(session, case))


def signature_of(session: Session, case: Case) -> Signature | None:
    """The signature of the current notice version, or None (unsigned, or signed an older
    version that a changed result replaced)."""
    return repo.current_signature(session, case)


def sign_notice(
    session: Session,
    case: Case,
    typed_name: str,
    shown_sha: str | None,
    copies: SignedCopies,
    *,
    at: datetime,
) -> SignOutcome:
    """Sign the version `shown_sha` of the notice, as `typed_name`."""
    matches = name_matches(session, case, typed_name)
    outcome = sign_outcome(case.status, case.notice_sha256, matches, shown_sha)
    if outcome != "signed" or shown_sha is None:
        return outcome
    signed_copy = copies.signed_copy(session, case, shown_sha, at)
    repo.add_signature(
        session,
        case.id,
        notice_sha256=shown_sha,
        signed_copy_sha256=signed_copy,
        typed_name=typed_name.strip(),
        signed_at=at,
    )
    repo.move_case(
        session,
        case,
        "sign",
        at=at,
        actor=f"applicant:{case.applicant_id}",
        detail={"notice_sha256": shown_sha, "signed_copy_sha256": signed_copy},
    )
    return "signed"


def raise_at_signing(
    session: Session, applicant_id: int, case: Case | None, command: RaiseAtSigning
) -> None:
    repo.add_staff_task(
        session,
        SIGNING_TASKS[command.way_out],
        case_id=case.id if case is not None else None,
        applicant_id=applicant_id,
        detail={"stage": "signing", "question": command.words[:500]},
        due_at=at_local(command.call_by, CALL_HOUR) if command.call_by else None,
    )


def approved_pension(session: Session, case: Case) -> Decimal | None:
    """The monthly pension the social insurance office approved (核定月养老金), once known."""
    item = repo.get_item_result(session, case.id, "pension_claim")
    value = item.data.get("monthly_pension") if item is not None else None
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:  # the office's figure is shown on the notice as it came
        return None


def open_objection(session: Session, case: Case) -> StaffTask | None:
    """The worker's objection to the result, while the clerk has not resolved it."""
    return repo.open_task_of_case(session, case.id, SIGNING_TASKS["object"])


def call_day(task: StaffTask) -> date | None:
    """The day the worker was told they would be called about a task, on the banner's clock."""
    if task.due_at is None:
        return None
    due = task.due_at if task.due_at.tzinfo else task.due_at.replace(tzinfo=UTC)  # SQLite: naive
    return due.astimezone(LOCAL_TZ).date()
