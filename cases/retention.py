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

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.db import Database
from cases.files import FileStore
from cases.lifecycle import FINAL_STATES
from cases.models import Case, MaterialPage
from cases.repositories.audit import audit


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


def _expired_pages(session: Session, cutoff: datetime) -> list[tuple[MaterialPage, Case]]:
    query = (
        select(MaterialPage, Case)
        .join(Case, Case.id == MaterialPage.case_id)
        .where(
            Case.status.in_([s.value for s in FINAL_STATES]),
            Case.closed_at < cutoff,
            MaterialPage.sha256.is_not(None),
            MaterialPage.purged_at.is_(None),
        )
        .order_by(Case.id, MaterialPage.id)
    )
    return [(page, case) for page, case in session.execute(query)]


def _still_referenced(session: Session, hashes: set[str], purging: set[int]) -> set[str]:
    if not hashes:
        return set()
    query = select(MaterialPage.sha256, MaterialPage.id).where(
        MaterialPage.sha256.in_(hashes), MaterialPage.purged_at.is_(None)
    )
    return {sha for sha, page_id in session.execute(query) if page_id not in purging and sha}


def mark_expired_pages(
    session: Session, *, now: datetime, retention_days: int, dry_run: bool
) -> tuple[PurgeReport, list[str]]:
    """Find (and unless dry_run, mark) the expired pages; returns the report and the hashes
    whose files nothing kept refers to any more."""
    cutoff = now - timedelta(days=retention_days)
    rows = _expired_pages(session, cutoff)
    report = PurgeReport(dry_run=dry_run)
    purging = {page.id for page, _ in rows}
    hashes = {page.sha256 for page, _ in rows if page.sha256}
    doomed = sorted(hashes - _still_referenced(session, hashes, purging))
    seen_cases: dict[int, str] = {}
    for page, case in rows:
        seen_cases.setdefault(case.id, case.number or f"#{case.id}")
        if not dry_run:
            page.purged_at = now
    report.case_numbers = list(seen_cases.values())
    report.pages = len(rows)
    if not dry_run and rows:
        for case_id, number in seen_cases.items():
            audit(session, "system", "retention.purge", case_id=case_id, detail={"case": number})
    return report, doomed


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
