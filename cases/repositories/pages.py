"""Material pages of a case. A page row only ever refers to a file already complete in the
file store: the channel stores the file first (`cases.files.FileStore.put`), then the page."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.models import Case, MaterialPage, PageStatus


class PageFile(Protocol):
    """What a page needs of a stored file: `cases.files.StoredBlob` and
    `dialogs.events.StoredFile` both qualify."""

    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...


def _next_page_no(session: Session, case_id: int, material_code: str) -> int:
    query = select(func.max(MaterialPage.page_no)).where(
        MaterialPage.case_id == case_id, MaterialPage.material_code == material_code
    )
    return (session.execute(query).scalar() or 0) + 1


def add_page(
    session: Session,
    case: Case,
    material_code: str,
    file: PageFile,
    *,
    supplement: bool = False,
) -> MaterialPage:
    """Add a page (idempotent: the same file for the same material returns the same page)."""
    existing = session.scalars(
        select(MaterialPage).where(
            MaterialPage.case_id == case.id,
            MaterialPage.material_code == material_code,
            MaterialPage.sha256 == file.sha256,
        )
    ).first()
    if existing is not None:
        return existing
    page = MaterialPage(
        case_id=case.id,
        material_code=material_code,
        sha256=file.sha256,
        size=file.size,
        mime_type=getattr(file, "mime_type", None),
        width=getattr(file, "width", None),
        height=getattr(file, "height", None),
        page_no=_next_page_no(session, case.id, material_code),
        status=PageStatus.ok.value,
        supplement=supplement,
    )
    session.add(page)
    session.flush()
    return page


def declare_lost(session: Session, case: Case, material_code: str) -> MaterialPage:
    """The applicant has lost this material; the office will look it up itself."""
    existing = session.scalars(
        select(MaterialPage).where(
            MaterialPage.case_id == case.id,
            MaterialPage.material_code == material_code,
            MaterialPage.status == PageStatus.lost.value,
        )
    ).first()
    if existing is not None:
        return existing
    page = MaterialPage(
        case_id=case.id,
        material_code=material_code,
        page_no=_next_page_no(session, case.id, material_code),
        status=PageStatus.lost.value,
    )
    session.add(page)
    session.flush()
    return page


def reject_page(session: Session, page_id: int, reason: str) -> MaterialPage | None:
    page = session.get(MaterialPage, page_id)
    if page is not None:
        page.status = PageStatus.rejected.value
        page.reject_reason = reason
    return page


def remove_page(session: Session, page_id: int) -> None:
    """The applicant took a page back before submitting (the file stays for retention)."""
    page = session.get(MaterialPage, page_id)
    if page is not None:
        session.delete(page)


def pages_of(
    session: Session, case_id: int, material_code: str | None = None
) -> list[MaterialPage]:
    """Pages of a case, by material then page number."""
    query = select(MaterialPage).where(MaterialPage.case_id == case_id)
    if material_code is not None:
        query = query.where(MaterialPage.material_code == material_code)
    query = query.order_by(MaterialPage.material_code, MaterialPage.page_no, MaterialPage.id)
    return list(session.scalars(query))
