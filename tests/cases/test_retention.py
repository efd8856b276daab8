"""`db purge`: photos of closed cases older than the retention period, and nothing else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.db import Database
from cases.files import FileStore
from cases.models import MaterialPage
from cases.retention import mark_expired_pages, purge_closed_photos_async
from tests.cases.scenario import NOW, new_applicant
from tests.cases.statements import counted

RETENTION = 180


def _case_with_pages(session: Session, user: str, blobs: list, closed_days_ago: int | None) -> str:
    applicant_id = new_applicant(session, user)
    case = repo.current_or_new_draft(session, applicant_id)
    for blob in blobs:
        repo.add_page(session, case, "id_card", blob)
    repo.submit_case(session, case, at=NOW - timedelta(days=400), actor="test")
    if closed_days_ago is not None:
        case.status = "closed"
        case.closed_at = NOW - timedelta(days=closed_days_ago)
    assert case.number is not None
    return case.number


def _purged(session: Session) -> list[bool]:
    pages = session.scalars(select(MaterialPage).order_by(MaterialPage.id))
    return [page.purged_at is not None for page in pages]


async def test_purge_dry_run_reports_and_the_real_run_deletes(
    db: Database, tmp_path: Path
) -> None:
    store = FileStore(tmp_path / "files", max_bytes=10_000, vault=db.require_vault())
    old_only = store.put(b"old case only" * 10)
    shared = store.put(b"also in an open case")
    recent = store.put(b"recently closed")

    old_number = await db.run(_case_with_pages, "1", [old_only, shared], RETENTION + 1)
    await db.run(_case_with_pages, "2", [shared], None)  # still open
    await db.run(_case_with_pages, "3", [recent], RETENTION - 1)

    on_disk = store.path_for(old_only.sha256).stat().st_size  # what deleting it frees
    dry = await purge_closed_photos_async(
        db, store, now=NOW, retention_days=RETENTION, dry_run=True
    )
    assert (dry.case_numbers, dry.pages, dry.files, dry.bytes) == (
        [old_number],
        2,
        1,
        on_disk,
    )
    assert all(store.exists(b.sha256) for b in (old_only, shared, recent))
    assert await db.run(_purged) == [False, False, False, False]

    real = await purge_closed_photos_async(
        db, store, now=NOW, retention_days=RETENTION, dry_run=False
    )
    assert (real.case_numbers, real.pages, real.files, real.bytes) == (
        [old_number],
        2,
        1,
        on_disk,
    )
    assert not store.exists(old_only.sha256)
    assert store.exists(shared.sha256) and store.exists(recent.sha256)
    assert await db.run(_purged) == [True, True, False, False]
    assert "deleted 1 files" in real.summary()

    again = await purge_closed_photos_async(
        db, store, now=NOW, retention_days=RETENTION, dry_run=False
    )
    assert (again.pages, again.files) == (0, 0)


async def test_purge_reads_the_same_few_statements_for_3_or_30_expired_cases(
    db: Database, tmp_path: Path
) -> None:
    """Rows in bulk, no page or case objects: the statements of a dry run do not grow with
    the pages, and nothing is loaded into the session."""
    store = FileStore(tmp_path / "files", max_bytes=10_000, vault=db.require_vault())
    counts = []
    for size in (3, 30):
        for n in range(size):
            blob = store.put(f"page {size}-{n}".encode())
            await db.run(_case_with_pages, f"{size}-{n}", [blob], RETENTION + 1)
        with counted() as statements:
            dry = await purge_closed_photos_async(
                db, store, now=NOW, retention_days=RETENTION, dry_run=True
            )
        assert (len(dry.case_numbers), dry.files) == (size, size)
        assert await db.run(_objects_loaded_by_a_dry_run) == 0
        counts.append(len(statements))
        await purge_closed_photos_async(
            db, store, now=NOW, retention_days=RETENTION, dry_run=False
        )
    assert counts[0] == counts[1]


def _objects_loaded_by_a_dry_run(session: Session) -> int:
    loaded: list[object] = []
    event.listen(session, "loaded_as_persistent", lambda _s, obj: loaded.append(obj))
    mark_expired_pages(session, now=NOW, retention_days=RETENTION, dry_run=True)
    return len(loaded)
