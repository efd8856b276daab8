"""The restore drill: `db backup`, the deployment wiped, `db restore` into a fresh one, and
the case is back with its applicant's ID number and its photos; on SQLite, on PostgreSQL with
the files in the database, and from SQLite to PostgreSQL. The archive holds nothing personal
in clear, and a restore that would overwrite data or use another key is refused."""

from __future__ import annotations

import shutil
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.files import StoredBlob
from cases.models import Applicant, Case, MaterialPage, utcnow
from runtime.services import Services
from tests.cases.scenario import ID_NUMBER, new_applicant
from tests.runtime.machines import Machine, shared_schema

PHOTOS = [b"\xff\xd8 page %d of the hukou " % i * 3000 for i in range(2)]
NAME = "王芳芳"


def _seed(session: Session, blobs: list[StoredBlob], user: str) -> str:
    applicant_id = new_applicant(session, user)
    case = repo.current_or_new_draft(session, applicant_id)
    case.form = {"name": NAME, "employer": "鄂托克前旗某公司"}
    for blob in blobs:
        repo.add_page(session, case, "hukou", blob)
    repo.submit_case(session, case, at=utcnow(), actor="test")
    assert case.number is not None
    return case.number


def _read_back(session: Session, number: str) -> tuple[str | None, str, list[str]]:
    case = session.scalars(select(Case).where(Case.number == number)).one()
    applicant = session.get(Applicant, case.applicant_id)
    assert applicant is not None
    pages = session.scalars(
        select(MaterialPage.sha256)
        .where(MaterialPage.case_id == case.id)
        .order_by(MaterialPage.id)
    )
    return repo.id_number_of(session, applicant), case.form["name"], [p for p in pages if p]


def _new_case(services: Services, user: str = "7001") -> str:
    blobs = [services.files.put(photo) for photo in PHOTOS]
    return services.db.run_blocking(_seed, blobs, user)


def _check_restored(machine: Machine, number: str) -> None:
    services = Services.build(machine.settings())
    try:
        id_number, name, pages = services.db.run_blocking(_read_back, number)
        assert (id_number, name) == (ID_NUMBER, NAME)
        assert [services.files.read(sha) for sha in pages] == PHOTOS
        # The restored deployment goes on: a new case gets the next id, not a used one.
        assert _new_case(services, "7002") != number
    finally:
        services.close_blocking()


def _backup(machine: Machine, path: Path) -> None:
    done = machine.command("db", "backup", str(path))
    assert done.returncode == 0, done.stderr
    assert "数据密钥不在备份中" in done.stdout
    raw = path.read_bytes()
    for secret in (ID_NUMBER.encode(), NAME.encode(), PHOTOS[0][:200], b"13812345678"):
        assert secret not in raw
    with tarfile.open(path) as tar:
        assert "NOTE.txt" in tar.getnames() and "MANIFEST.json" in tar.getnames()


def _restore(machine: Machine, path: Path, *extra: str) -> str:
    done = machine.command("db", "restore", str(path), *extra)
    assert done.returncode == 0, done.stderr
    assert "已恢复 · restored" in done.stdout
    return done.stdout


def _sqlite(where: Path) -> Machine:
    return Machine(where, "", backend="local", url=f"sqlite:///{where / 'app.db'}")


@contextmanager
def _seeded(machine: Machine, *, migrate: bool, user: str = "7001") -> Iterator[str]:
    services = Services.build(machine.settings(), migrate=migrate)
    try:
        yield _new_case(services, user)
    finally:
        services.close_blocking()


def test_sqlite_drill_backup_wipe_restore(tmp_path: Path) -> None:
    live = _sqlite(tmp_path / "live")
    with _seeded(live, migrate=True) as number:
        pass
    archive = tmp_path / "nightly.tar"
    _backup(live, archive)
    shutil.rmtree(live.where)  # the machine is lost; the key was kept apart
    assert "restored" in _restore(live, archive)
    _check_restored(live, number)


def test_postgresql_drill_with_files_in_the_database(tmp_path: Path) -> None:
    archive = tmp_path / "nightly.tar"
    with shared_schema() as schema:
        live = Machine(tmp_path / "live", schema)
        with _seeded(live, migrate=True) as number:
            pass
        _backup(live, archive)
    with shared_schema() as fresh:  # the old database is gone: a new, empty one
        target = Machine(tmp_path / "new", fresh)
        _restore(target, archive)
        _check_restored(target, number)


def test_a_sqlite_deployment_moves_to_postgresql_by_backup_and_restore(tmp_path: Path) -> None:
    live = _sqlite(tmp_path / "laptop")
    with _seeded(live, migrate=True) as number:
        pass
    archive = tmp_path / "move.tar"
    _backup(live, archive)
    with shared_schema() as schema:
        server = Machine(tmp_path / "server", schema)
        _restore(server, archive)
        _check_restored(server, number)


def test_a_restore_over_data_or_with_another_key_is_refused(tmp_path: Path) -> None:
    live = _sqlite(tmp_path / "live")
    with _seeded(live, migrate=True) as number:
        pass
    archive = tmp_path / "nightly.tar"
    _backup(live, archive)
    with _seeded(live, migrate=False, user="7003") as later:  # work done after the backup
        pass

    over = live.command("db", "restore", str(archive))
    assert over.returncode == 1 and "--force" in over.stderr
    other = _sqlite(tmp_path / "other")
    other.extra["SECURITY__DATA_KEY"] = "A" * 43 + "="
    refused = other.command("db", "restore", str(archive))
    assert refused.returncode == 1 and "another data key" in refused.stderr
    assert "Traceback" not in over.stderr + refused.stderr

    # --force: the deployment as it was at the backup, the later case gone.
    _restore(live, archive, "--force")
    services = Services.build(live.settings())
    try:
        numbers = services.db.run_blocking(_case_numbers)
    finally:
        services.close_blocking()
    assert later != number and numbers == [number]
    _check_restored(live, number)


def _case_numbers(session: Session) -> list[str | None]:
    return list(session.scalars(select(Case.number).order_by(Case.id)))
