"""Material pages of a case. A page row only ever refers to a file already complete in the
file store: the channel stores the file first (`cases.files.FileStore.put`), then the page."""

from __future__ import annotations

from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, case, func, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from cases.models import Case, MaterialPage, PageStatus, utcnow


class PageFile(Protocol):
    """What a page needs of a stored file: `cases.files.StoredBlob` and
    `dialogs.events.StoredFile` both qualify."""

    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...


# Built once (the upload hot path). Per material of a case: the last page number and the id
# of a page already holding this file, in one round trip.
_SAME_MATERIAL = (MaterialPage.case_id == bindparam("case_id")) & (
    MaterialPage.material_code == bindparam("material_code")
)
_SLOT = select(
    func.max(MaterialPage.page_no),
    func.max(case((MaterialPage.sha256 == bindparam("sha256"), MaterialPage.id))),
).where(_SAME_MATERIAL)
_LAST_PAGE_NO = select(func.max(MaterialPage.page_no)).where(_SAME_MATERIAL)
_TABLE = cast(Table, MaterialPage.__table__)
# Every column is given, so the returned object is complete without reading the row back.
_PAGE_COLUMNS = tuple(c.key for c in _TABLE.columns if c.key != "id")
_INSERT = (
    insert(_TABLE)
    .values({key: bindparam(key, type_=_TABLE.c[key].type) for key in _PAGE_COLUMNS})
    .returning(_TABLE.c.id)
)


def _next_page_no(session: Session, case_id: int, material_code: str) -> int:
    params = {"case_id": case_id, "material_code": material_code}
    return (session.execute(_LAST_PAGE_NO, params).scalar() or 0) + 1


def add_page(
    session: Session,
    case: Case,
    material_code: str,
    file: PageFile,
    *,
    supplement: bool = False,
) -> MaterialPage:
    """Add a page (idempotent: the same file for the same material returns the same page)."""
    params = {"case_id": case.id, "material_code": material_code, "sha256": file.sha256}
    last, existing_id = session.execute(_SLOT, params).one()
    if existing_id is not None:
        existing = session.get(MaterialPage, existing_id)
        assert existing is not None
        return existing
    values: dict[str, Any] = {
        "case_id": case.id,
        "material_code": material_code,
        "sha256": file.sha256,
        "size": file.size,
        "mime_type": getattr(file, "mime_type", None),
        "width": getattr(file, "width", None),
        "height": getattr(file, "height", None),
        "page_count": getattr(file, "page_count", None),
        "page_no": (last or 0) + 1,
        "status": PageStatus.ok.value,
        "reject_reason": None,
        "supplement": supplement,
        "created_at": utcnow(),
        "purged_at": None,
    }
    # A Core INSERT ... RETURNING id instead of an ORM flush (which cost more than the rest of
    # the upload event); the session then holds the page as if it had loaded it. The SELECT
    # above went through the session, so pending changes (the new draft) are flushed already.
    page_id = session.connection().execute(_INSERT, values).scalar_one()
    page = MaterialPage(id=page_id, **values)
    make_transient_to_detached(page)
    session.add(page)
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


def reject_material(session: Session, case_id: int, material_code: str, reason: str) -> int:
    """Refuse every page of one material not refused yet (the platform returned it, or an
    office asked for it again): only new pages, or "lost", answer it now. Returns how many."""
    pages = session.scalars(
        select(MaterialPage).where(
            MaterialPage.case_id == case_id,
            MaterialPage.material_code == material_code,
            MaterialPage.status != PageStatus.rejected.value,
        )
    )
    count = 0
    for page in pages:
        page.status = PageStatus.rejected.value
        page.reject_reason = reason[:200]
        count += 1
    return count


def remove_page(session: Session, page_id: int) -> None:
    """The applicant took a page back before submitting (the file stays for retention)."""
    page = session.get(MaterialPage, page_id)
    if page is not None:
        session.delete(page)


def remove_pages(session: Session, case_id: int, material_code: str | None = None) -> int:
    """Take back the pages of a draft (one material, or all); the files stay for retention.
    Returns how many were removed."""
    pages = pages_of(session, case_id, material_code)
    for page in pages:
        session.delete(page)
    session.flush()
    return len(pages)


def pages_of(
    session: Session, case_id: int, material_code: str | None = None
) -> list[MaterialPage]:
    """Pages of a case, by material then page number."""
    query = select(MaterialPage).where(MaterialPage.case_id == case_id)
    if material_code is not None:
        query = query.where(MaterialPage.material_code == material_code)
    query = query.order_by(MaterialPage.material_code, MaterialPage.page_no, MaterialPage.id)
    return list(session.scalars(query))
