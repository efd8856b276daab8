"""Retention: photos of closed cases are deleted after settings.files.retention_days.

The page rows stay (what was submitted, when, its hash) with `purged_at` set; only the image
leaves the disk. A file is deleted only when no page still kept refers to it, since the store
keeps one copy per content. The database is marked first and committed, then files are
removed: a crash in between leaves an unreferenced file, never a page pointing at nothing
that claims to be kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from cases.db import Database
from cases.files import FileStore
from cases.lifecycle import FINAL_STATES
from cases.models import Case, MaterialPage, PageStatus
from cases.repositories.audit import audit

FINAL = [s.value for s in FINAL_STATES]


@dataclass
class PurgeReport:
    dry_run: bool
    case_numbers: list[str] = field(default_factory=list)
    pages: int = 0
    files: int = 0
    bytes: int = 0

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return (
            f"{verb} {self.files} files ({self.bytes} bytes) of {self.pages} pages "
            f"in {len(self.case_numbers)} closed cases"
        )


def _expired(cutoff: datetime) -> ColumnElement[bool]:
    """A page whose photo has outlived its closed case (on a join of pages and cases)."""
    return and_(
        Case.status.in_(FINAL),
        Case.closed_at < cutoff,
        MaterialPage.sha256.is_not(None),
        MaterialPage.purged_at.is_(None),
    )


def _unreferenced_hashes(session: Session, cutoff: datetime) -> list[str]:
    """The expired pages' files that no page still kept refers to (the store keeps one copy
    per content), in one statement: a kept page is one not purged whose case is open, or
    closed too recently (or never given a closing time)."""
    kept, kept_case = aliased(MaterialPage), aliased(Case)
    still_kept = or_(
        kept_case.status.not_in(FINAL),
        kept_case.closed_at.is_(None),
        kept_case.closed_at >= cutoff,
    )
    referenced = (
        select(kept.id)
        .join(kept_case, kept_case.id == kept.case_id)
        .where(kept.sha256 == MaterialPage.sha256, kept.purged_at.is_(None), still_kept)
        .exists()
    )
    query = (
        select(MaterialPage.sha256)
        .distinct()
        .join(Case, Case.id == MaterialPage.case_id)
        .where(_expired(cutoff), ~referenced)
        .order_by(MaterialPage.sha256)
    )
    return [sha for sha in session.scalars(query) if sha]


def mark_expired_pages(
    session: Session, *, now: datetime, retention_days: int, dry_run: bool
) -> tuple[PurgeReport, list[str]]:
    """Find (and unless dry_run, mark) the expired pages; returns the report and the hashes
    whose files nothing kept refers to any more. Rows, not ORM objects: one per case for the
    report, one per file, and one UPDATE for the pages (4.1 s for 50,000 files as objects)."""
    cutoff = now - timedelta(days=retention_days)
    per_case = session.execute(
        select(Case.id, Case.number, func.count(MaterialPage.id))
        .join(MaterialPage, MaterialPage.case_id == Case.id)
        .where(_expired(cutoff))
        .group_by(Case.id, Case.number)
        .order_by(Case.id)
    ).all()
    doomed = _unreferenced_hashes(session, cutoff)  # before the pages are marked
    report = PurgeReport(
        dry_run=dry_run,
        case_numbers=[number or f"#{case_id}" for case_id, number, _ in per_case],
        pages=sum(count for _, _, count in per_case),
    )
    if not dry_run and per_case:
        pages = select(MaterialPage.id).join(Case, Case.id == MaterialPage.case_id)
        session.execute(
            update(MaterialPage)
            .where(MaterialPage.id.in_(pages.where(_expired(cutoff))))
            .values(purged_at=now)
            .execution_options(synchronize_session=False)
        )
        for (case_id, _, _), number in zip(per_case, report.case_numbers, strict=True):
            audit(session, "system", "retention.purge", case_id=case_id, detail={"case": number})
    return report, doomed


def mark_replaced_pages(
    session: Session, case_id: int, material_code: str, *, now: datetime
) -> list[str]:
    """The returned (rejected) pages of one material, once its replacement has reached the
    platform: no one is shown them any more (the platform's material lists the new pages),
    so they are not kept until the case closes. Their rows stay as the record, with
    `purged_at`; returns the hashes of their files that no page still kept refers to, to
    delete after the commit (as `mark_expired_pages`)."""
    pages = list(
        session.scalars(
            select(MaterialPage).where(
                MaterialPage.case_id == case_id,
                MaterialPage.material_code == material_code,
                MaterialPage.status == PageStatus.rejected.value,
                MaterialPage.sha256.is_not(None),
                MaterialPage.purged_at.is_(None),
            )
        )
    )
    if not pages:
        return []
    for page in pages:
        page.purged_at = now
    session.flush()
    hashes = {str(p.sha256) for p in pages}
    kept = session.scalars(
        select(MaterialPage.sha256).where(
            MaterialPage.sha256.in_(hashes), MaterialPage.purged_at.is_(None)
        )
    )
    audit(
        session,
        "system",
        "retention.replaced_pages",
        case_id=case_id,
        detail={"material": material_code, "pages": len(pages)},
        at=now,
    )
    return sorted(hashes - set(kept))


def remove_files(store: FileStore, hashes: list[str]) -> int:
    """Delete the files of `hashes` (already gone: nothing to do); returns the bytes freed."""
    return sum(store.delete(sha) for sha in hashes)


def _remove_files(
    store: FileStore, report: PurgeReport, doomed: list[str], dry_run: bool
) -> PurgeReport:
    # Whatever the backend: with a shared one (PostgreSQL, S3) the files go from every
    # machine at once, whichever machine runs the purge.
    for sha in doomed:
        size = store.stored_size(sha)
        if size is None:
            continue  # already gone (an earlier run crashed after its commit)
        if not dry_run:
            store.delete(sha)
        report.files += 1
        report.bytes += size
    return report


def purge_closed_photos(
    db: Database, store: FileStore, *, now: datetime, retention_days: int, dry_run: bool
) -> PurgeReport:
    """The `db purge` command: mark pages in one transaction, then delete their files."""
    report, doomed = db.run_blocking(
        mark_expired_pages, now=now, retention_days=retention_days, dry_run=dry_run
    )
    return _remove_files(store, report, doomed, dry_run)


async def purge_closed_photos_async(
    db: Database, store: FileStore, *, now: datetime, retention_days: int, dry_run: bool
) -> PurgeReport:
    """The same, from a running event loop (a scheduled job inside the bot)."""
    report, doomed = await db.run(
        mark_expired_pages, now=now, retention_days=retention_days, dry_run=dry_run
    )
    return _remove_files(store, report, doomed, dry_run)
