"""The result notice and its signed copy as staff open them: the clerk downloads the PDF the
applicant was sent (or signed) from the console's case page or with `staff notice --save`.
Each is a read of personal data, so each is audited like the other staff views, naming
which document of which case. Offices do not get them: the notice holds every item's result,
and an office sees only its own item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cases import repositories as repo
from cases.repositories import audit
from cases.result import signature_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# document -> its name in a file name, and as staff read it
DOCUMENTS = {"notice": "结果告知单", "signed": "签字版结果告知单"}


@dataclass(frozen=True)
class StaffCopy:
    document: str  # notice | signed
    address: str  # where the PDF is in the file store
    file_name: str  # YJ-20261203-0001-结果告知单.pdf


def available(session: Session, case_number: str) -> list[str]:
    """The documents a case has now: its current notice once sent, the signed copy once the
    applicant signed that version."""
    case = repo.find_case_by_number(session, case_number.strip().upper())
    if case is None or case.notice_sha256 is None:
        return []
    return ["notice", "signed"] if signature_of(session, case) is not None else ["notice"]


def staff_copy(session: Session, case_number: str, document: str, actor: str) -> StaffCopy | None:
    """Where the case's `document` is, recorded in the audit log as read by `actor`; None when
    the case has no such document (yet)."""
    case = repo.find_case_by_number(session, case_number.strip().upper())
    if case is None or case.notice_sha256 is None or document not in DOCUMENTS:
        return None
    address: str | None = case.notice_sha256
    if document == "signed":
        signature = signature_of(session, case)
        address = signature.signed_copy_sha256 if signature is not None else None
    if not address:
        return None
    detail = {"case_number": case.number, "document": document}
    audit(session, actor, "staff.notice.downloaded", case_id=case.id, detail=detail)
    return StaffCopy(document, address, f"{case.number}-{DOCUMENTS[document]}.pdf")
