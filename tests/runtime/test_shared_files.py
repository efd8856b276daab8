"""Several machines on one PostgreSQL database with FILES__BACKEND=postgresql: a page stored
by one is shown by another, and `db purge` run on any of them removes it for all."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.files import StoredBlob
from cases.models import MaterialPage, utcnow
from runtime.services import Services
from tests.cases.scenario import new_applicant
from tests.runtime.machines import Machine, shared_schema

PHOTOS = [b"\xff\xd8 hukou page %d " % i * 4000 for i in range(3)]


def _closed_case(session: Session, blobs: list[StoredBlob]) -> str:
    applicant_id = new_applicant(session, "5001")
    case = repo.current_or_new_draft(session, applicant_id)
    for blob in blobs:
        repo.add_page(session, case, "hukou", blob)
    repo.submit_case(session, case, at=utcnow() - timedelta(days=400), actor="test")
    case.status, case.closed_at = "closed", utcnow() - timedelta(days=365)
    assert case.number is not None
    return case.number


def _pages(session: Session) -> list[str]:
    return [p.sha256 for p in session.scalars(select(MaterialPage).order_by(MaterialPage.id))]


def test_pages_stored_on_one_machine_are_read_and_purged_on_another(tmp_path: Path) -> None:
    with shared_schema() as schema:
        first, second = Machine(tmp_path / "a", schema), Machine(tmp_path / "b", schema)
        a = Services.build(first.settings(), migrate=True)
        b = Services.build(second.settings())
        try:
            blobs = [a.files.put(photo) for photo in PHOTOS]
            number = a.db.run_blocking(_closed_case, blobs)

            # Machine b: its own folder holds nothing, yet every page of the case is there.
            pages = b.db.run_blocking(_pages)
            assert [b.files.read(sha) for sha in pages] == PHOTOS
            assert not any((tmp_path / "b" / "files").glob("??/??/*"))
            assert not any((tmp_path / "a" / "files").glob("??/??/*"))
            # The conversation's own store (documents asked for again) is the shared one too.
            assert b.paperwork.files.read(pages[0]) == PHOTOS[0]

            purged = second.command("db", "purge")
            assert purged.returncode == 0, purged.stderr
            assert "deleted 3 files" in purged.stdout and number in purged.stdout
            assert not any(a.files.exists(blob.address) for blob in blobs)
            assert list(a.files.all_hashes()) == []
        finally:
            a.close_blocking()
            b.close_blocking()


def test_a_single_machine_moves_its_files_into_the_database(tmp_path: Path) -> None:
    """`db move-files --from DIR`: the pages of a one-machine deployment into the shared
    backend, unchanged (no row changes), then seen from another machine; again: nothing."""
    with shared_schema() as schema:
        before = Machine(tmp_path / "old", schema, backend="local")
        old = Services.build(before.settings(), migrate=True)
        try:
            blobs = [old.files.put(photo) for photo in PHOTOS]
            old.db.run_blocking(_closed_case, blobs)
        finally:
            old.close_blocking()
        after = Machine(tmp_path / "a", schema)
        moved = after.command("db", "move-files", "--from", str(tmp_path / "old" / "files"))
        assert moved.returncode == 0, moved.stderr
        assert "copied 3 files, 0 already there" in moved.stdout
        again = after.command("db", "move-files", "--from", str(tmp_path / "old" / "files"))
        assert "copied 0 files, 3 already there" in again.stdout
        other = Services.build(Machine(tmp_path / "b", schema).settings())
        try:
            pages = other.db.run_blocking(_pages)
            assert [other.files.read(sha) for sha in pages] == PHOTOS
        finally:
            other.close_blocking()
