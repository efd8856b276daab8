"""`db encrypt-files`: a deployment from before file encryption brought up to date, resumably."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cases import repositories as repo
from cases.db import Database
from cases.encrypt_files import encrypt_plain_files
from cases.files import FileStore
from cases.models import Case, MaterialPage, NotificationOutbox
from locales.replies import from_json
from tests.bot import images
from tests.cases.scenario import new_applicant, upload_and_submit

PHOTO = images.sharp_jpeg(seed=5)
NOTICE = images.real_pdf(pages=1)


def plain(root: Path, data: bytes) -> str:
    """A file as the store of an older version wrote it: in clear, named by sha256, 0644."""
    sha = hashlib.sha256(data).hexdigest()
    path = root / sha[:2] / sha[2:4] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o644)
    return sha


def old_references(session: Any, root: Path, photo: str, notice: str) -> None:
    applicant_id = new_applicant(session, "old-timer")
    number = upload_and_submit(session, applicant_id, photo)
    case = session.scalar(select(Case).where(Case.number == number))
    case.notice_sha256 = notice
    legacy_push = {  # an outbox row written before: the document named by its plain path
        "message": {"key": "aftercare.result.ready", "params": {}},
        "document": {"path": str(root / notice[:2] / notice[2:4] / notice), "filename": "n.pdf"},
    }
    repo.enqueue_notification(session, applicant_id, legacy_push, "old:1")
    conversation = repo.load_conversation(session, applicant_id)
    materials = {"id_card": {"pages": 1, "hashes": [photo]}}
    repo.save_conversation(session, conversation, state="submitted", answers={"m": materials})


def references(session: Any) -> dict[str, Any]:
    page = session.scalar(select(MaterialPage))
    case = session.scalar(select(Case))
    push = session.scalar(select(NotificationOutbox).filter_by(dedupe_key="old:1"))
    conversation = repo.load_conversation(session, case.applicant_id)
    return {
        "page": page.sha256,
        "notice": case.notice_sha256,
        "push": from_json(push.payload).document.address,
        "conversation": conversation.answers["m"]["id_card"]["hashes"],
    }


class FailsOnce:
    """The database going away after the first file's references were renamed."""

    def __init__(self, db: Database) -> None:
        self.db, self.calls = db, 0

    async def run(self, fn: Any, *args: Any) -> Any:
        self.calls += 1
        if self.calls == 2:
            raise ConnectionError("the database went away")
        return await self.db.run(fn, *args)


async def test_plain_files_are_encrypted_and_every_reference_follows_even_after_a_crash(
    db: Database, tmp_path: Path
) -> None:
    root = tmp_path / "files"
    photo, notice = plain(root, PHOTO), plain(root, NOTICE)
    await db.run(old_references, root, photo, notice)
    store = FileStore(root, 20_000_000, vault=db.require_vault())

    with pytest.raises(ConnectionError):  # interrupted half-way
        await encrypt_plain_files(FailsOnce(db), store)  # type: ignore[arg-type]
    report = await encrypt_plain_files(db, store)  # run again: finishes
    assert (report.failed, report.encrypted) == (0, 1)  # the one the crash left in clear

    new_photo, new_notice = store.address_of(PHOTO), store.address_of(NOTICE)
    assert await db.run(references) == {
        "page": new_photo,
        "notice": new_notice,
        "push": new_notice,
        "conversation": [new_photo],
    }
    assert sorted(store.all_hashes()) == sorted([new_photo, new_notice])
    assert store.read(new_photo) == PHOTO and store.read(new_notice) == NOTICE
    for path in [root, *root.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    again = await encrypt_plain_files(db, store)  # nothing left to do
    assert (again.encrypted, again.already, again.references) == (0, 2, 0)
