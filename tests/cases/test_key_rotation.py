"""`db rotate-key`: every ciphertext, lookup hash and file made again with a new key, resumably,
on SQLite and PostgreSQL; afterwards only the new key is needed for everything."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select, text

from cases import audit_chain
from cases import repositories as repo
from cases.crypto import Vault, _derive
from cases.db import Database
from cases.files import FileStore
from cases.key_rotation import (
    ApplicantRows,
    RowRotation,
    SealedNotifications,
    remaining,
    rotate,
)
from cases.models import Applicant
from cases.models.platform import EmbCase
from cases.repositories.card_numbers import held_card_number, hold_card_number
from cases.schema import ensure_schema
from integrations.platform.embedded.key_rotation import SealedForms
from integrations.platform.embedded.sealing import seal, unseal
from locales.replies import Msg, Reply, from_json, to_json
from tests.cases.databases import PG_URL, postgres_schema
from tests.cases.test_encrypt_files import NOTICE, PHOTO, old_references, references

OLD, NEW = bytes(range(1, 33)), bytes(range(101, 133))
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
PEOPLE = [("w1", "150627196505150016", "13800138000"), ("w2", "15062719700101002X", None)]
TABLES: list[RowRotation] = [ApplicantRows(), SealedNotifications(), SealedForms()]
# A reply kept for Telegram that shows a number in full: sealed in the outbox.
KEPT = Reply(Msg("card_photo.confirm", {"number": PEOPLE[0][1], "name": "张建国"}))


class Crash(Exception):
    """The process dying at one point of the work."""


def crash_at(step: str, nth: int) -> Callable[[str], None]:
    seen = {"n": 0}

    def fault(name: str) -> None:
        if name == step:
            seen["n"] += 1
            if seen["n"] == nth:
                raise Crash(name)

    return fault


@pytest.fixture(params=["sqlite", "postgresql"])
async def opener(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Callable[[Vault], Any]]:
    """Opens the test's one database with a given vault, as a process with that key would."""
    async with postgres_schema() if request.param == "postgresql" else _no_schema() as schema:

        @asynccontextmanager
        async def open_with(vault: Vault) -> AsyncIterator[Database]:
            url = PG_URL if schema else f"sqlite:///{tmp_path / 'app.db'}"
            db = Database(url, vault=vault, schema=schema)
            try:
                yield db
            finally:
                await db.close()

        yield open_with


@asynccontextmanager
async def _no_schema() -> AsyncIterator[None]:
    yield None


def legacy_token(master: bytes, value: str, context: bytes) -> bytes:
    """A ciphertext as written before key ids: nonce and AES-GCM only."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_derive(master, b"encrypt")).encrypt(nonce, value.encode(), context)


def before(session: Any, root: Path) -> None:
    """A deployment on the old key: applicants, a platform case, files, a sealed audit log."""
    for user, number, phone in PEOPLE:
        applicant = repo.get_or_create_applicant(session, "test", user)
        repo.set_id_number(session, applicant, number)
        if phone:
            repo.set_phone(session, applicant, phone)
    first = session.scalar(select(Applicant).order_by(Applicant.id))
    hold_card_number(session, first, PEOPLE[0][1])  # read from a card photo, unconfirmed
    repo.enqueue_notification(session, first.id, to_json(KEPT), "reply:1:0")
    first.phone_enc = legacy_token(OLD, "13800138000", b"phone")  # before key ids
    first.key_id = None
    session.add(
        EmbCase(
            case_number="C1",
            idempotency_key="k1",
            platform_ref="p1",
            form=seal(session, {"name": "张建国", "id_number": PEOPLE[0][1]}),
        )
    )
    repo.audit(session, "clerk:li", "case_viewed", detail={"why": "审核"}, at=NOW)
    session.flush()
    audit_chain.seal_pending(session, at=NOW, settle=audit_chain.SETTLE * 0)


def after(session: Any) -> dict[str, Any]:
    """What a process holding only the new key can read."""
    people = []
    for user, number, _phone in PEOPLE:
        applicant = repo.find_applicant(session, "test", user)
        found = [a.id for a in repo.find_applicants_by_id_number(session, number)]
        people.append(
            (repo.id_number_of(session, applicant), repo.phone_of(session, applicant), found)
        )
    form = unseal(session, session.get(EmbCase, "C1").form)
    held = held_card_number(session, repo.find_applicant(session, "test", PEOPLE[0][0]))
    first = repo.find_applicant(session, "test", PEOPLE[0][0])
    (kept,) = repo.pending_notifications(session, first.id)
    return {"people": people, "platform_id": form["id_number"], "card": held, "kept": kept}


@pytest.mark.parametrize(
    ("step", "nth"),
    [
        ("applicants.row", 1),
        ("notification_outbox.row", 1),
        ("platform_emb_cases.row", 1),
        ("file.stored", 2),
        ("file.renamed", 1),
    ],
)
async def test_a_rotation_stopped_anywhere_finishes_when_run_again(
    opener: Callable[[Vault], Any], tmp_path: Path, step: str, nth: int
) -> None:
    root = tmp_path / "files"
    async with opener(Vault(OLD)) as db:
        await db.create_all()
        await ensure_schema(db)
        old_store = FileStore(root, 20_000_000, vault=db.require_vault())
        photo, notice = old_store.put(PHOTO).address, old_store.put(NOTICE).address
        await db.run(before, root)
        await db.run(old_references, root, photo, notice)

    ring = Vault(NEW, old_keys=[OLD])
    async with opener(ring) as db:
        store = FileStore(root, 20_000_000, vault=ring)
        with pytest.raises(Crash):
            await rotate(db, store, TABLES, fault=crash_at(step, nth))
        # Mid-way, a process holding both keys reads everything and finds everyone.
        middle = await db.run(after)
        assert middle["people"][0][:2] == PEOPLE[0][1:]
        report = await rotate(db, store, TABLES)  # run again: finishes
        assert report.failed == 0
        assert await db.run(remaining, TABLES) == 0
        check = await db.run(
            audit_chain.checkpoint, at=NOW, key_id=ring.key_id, old_key_ids=ring.old_key_ids
        )
        assert check.intact

    new_only = Vault(NEW)
    async with opener(new_only) as db:
        store = FileStore(root, 20_000_000, vault=new_only)
        seen = await db.run(after)
        ids = [row[2] for row in seen["people"]]
        assert [row[:2] for row in seen["people"]] == [p[1:] for p in PEOPLE]
        assert all(len(found) == 1 for found in ids)  # the lookup hashes are the new key's
        assert seen["platform_id"] == PEOPLE[0][1] and seen["card"] == PEOPLE[0][1]
        assert from_json(seen["kept"].payload) == KEPT  # the kept reply still opens
        refs = await db.run(references)
        assert store.read(refs["page"]) == PHOTO and store.read(refs["notice"]) == NOTICE
        assert refs["push"] == refs["notice"] and refs["conversation"] == [refs["page"]]
        assert sorted(store.all_hashes()) == sorted([refs["page"], refs["notice"]])
        assert {store.key_id_of(a) for a in store.all_hashes()} == {new_only.key_id}
        keys = await db.run(lambda s: set(s.scalars(select(Applicant.key_id))))
        assert keys == {new_only.key_id}
        assert (await db.run(audit_chain.verify)).intact


async def test_an_audit_row_edited_before_the_rotation_is_still_found_after_it(
    opener: Callable[[Vault], Any], tmp_path: Path
) -> None:
    async with opener(Vault(OLD)) as db:
        await db.create_all()
        await ensure_schema(db)
        await db.run(before, tmp_path)
    ring = Vault(NEW, old_keys=[OLD])
    async with opener(ring) as db:
        await rotate(db, FileStore(tmp_path / "f", 1000, vault=ring), TABLES)
        await db.run(
            audit_chain.checkpoint, at=NOW, key_id=ring.key_id, old_key_ids=ring.old_key_ids
        )
    async with opener(Vault(NEW)) as db:
        assert (await db.run(audit_chain.verify)).intact
        edit = "UPDATE audit_log SET actor = 'clerk:wang' WHERE action = 'case_viewed'"
        await db.run(lambda s: s.execute(text(edit)))
        report = await db.run(audit_chain.verify)
    assert [b.reason for b in report.breaks] == ["edited_before_rotation"]
    assert "更换密钥之前" in audit_chain.describe(report)
