"""The documents the conversation sends, made here: the result notice and its signed copy, the
service guide, the application form and the flowchart.

`Paperwork` implements the conversation's `dialogs.paperwork.Paperwork` port (documents for
replies, and the signed copy that signing a notice stores), so that the conversation never
draws a PDF; the composition root (runtime/services.py) hands it to the conversation service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from aftercare.config import AftercareConfig
from aftercare.documents import stored_document
from aftercare.notice import build_notice
from cases.files import FileStore
from cases.models import Case
from cases.repositories import get_applicant, id_number_of, phone_of
from cases.result import latest_case, signature_of
from dialogs.paperwork import DocumentRequest
from documents.result_notice import Signature, render_result_notice
from locales import Translator
from locales.replies import Document

NOTICE_LANGUAGE = "zh_CN"  # the notice is an official document: always in Chinese


def notice_file_name(case: Case, signed: bool = False) -> str:
    suffix = "-已签字" if signed else ""
    return f"结果告知单-{case.number}{suffix}.pdf"


def notice_document(case: Case, files: FileStore) -> Document | None:
    """The notice version delivered last, while its file is in the store."""
    if case.notice_sha256 is None or not files.exists(case.notice_sha256):
        return None
    return Document(case.notice_sha256, notice_file_name(case))


def signed_copy_document(session: Session, case: Case, files: FileStore) -> Document | None:
    """The signed copy of the current notice version, once there is one."""
    info = signature_of(session, case)
    if info is None or not files.exists(info.signed_copy_sha256):
        return None
    return Document(info.signed_copy_sha256, notice_file_name(case, signed=True))


def _own_numbers(session: Session, applicant_id: int) -> dict[str, str]:
    """The worker's own ID number and phone in full, for the form sent to their own chat."""
    applicant = get_applicant(session, applicant_id)
    if applicant is None:
        return {}
    numbers = {
        "id_number": id_number_of(session, applicant),
        "phone": phone_of(session, applicant),
    }
    return {k: v for k, v in numbers.items() if v}


@dataclass(frozen=True)
class Paperwork:
    files: FileStore
    config: AftercareConfig

    def document(self, session: Session, request: DocumentRequest) -> Document | None:
        case = latest_case(session, request.applicant_id)
        if request.kind == "notice":
            return notice_document(case, self.files) if case is not None else None
        if request.kind == "signed_copy":
            return signed_copy_document(session, case, self.files) if case is not None else None
        # The form as submitted once there is a case; before, as answered so far.
        submitted = case is not None and bool(case.number)
        return stored_document(
            request.kind,
            self.files,
            language=request.language,
            answers=case.form if case is not None and submitted else request.answers,
            region=self.config.region,
            case_number=(case.number or "") if case is not None else "",
            own=_own_numbers(session, request.applicant_id) if request.kind == "form" else None,
        )

    def signed_copy(self, session: Session, case: Case, notice_sha256: str, at: datetime) -> str:
        tr = Translator(NOTICE_LANGUAGE)
        notice = build_notice(session, case, tr, self.config.region)
        signature = Signature(notice.applicant_name, at, notice_sha256)
        return self.files.put(render_result_notice(notice, tr, signature)).sha256
