"""Language, consent and identity are written by direct UPDATEs: they must land in the row,
commit with the unit of work, roll back with it, and leave the object matching the row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.db import Database
from cases.models import Applicant
from cases.repositories.applicants import set_full_name, set_language

AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def _change(session: Session) -> int:
    applicant = repo.get_or_create_applicant(session, "telegram", "42")
    set_language(session, applicant, "en")
    set_full_name(session, applicant, "张建国")
    repo.record_consent(session, applicant, version="v3", scope="a,b", at=AT)
    repo.set_phone(session, applicant, "13847712345")
    # The object already says what the row says, and the commit has nothing left to flush.
    assert (applicant.language, applicant.full_name, applicant.consent_version) == (
        "en",
        "张建国",
        "v3",
    )
    assert applicant not in session.dirty
    return applicant.id


def _read(session: Session, applicant_id: int) -> tuple[object, ...]:
    a = session.get(Applicant, applicant_id)
    assert a is not None
    return (a.language, a.full_name, a.consent_version, a.consent_scope, repo.phone_of(session, a))


async def test_changes_commit_with_the_unit_of_work(db: Database) -> None:
    applicant_id = await db.run(_change)

    assert await db.run(_read, applicant_id) == ("en", "张建国", "v3", "a,b", "13847712345")


async def test_changes_roll_back_with_the_unit_of_work(db: Database) -> None:
    applicant_id = await db.run(lambda s: repo.get_or_create_applicant(s, "telegram", "7").id)

    def change_then_fail(session: Session) -> None:
        applicant = session.get(Applicant, applicant_id)
        assert applicant is not None
        set_language(session, applicant, "en")
        repo.withdraw_consent(session, applicant, at=AT)
        raise RuntimeError("the event failed")

    with pytest.raises(RuntimeError):
        await db.run(change_then_fail)

    def read(session: Session) -> tuple[object, ...]:
        a = session.get(Applicant, applicant_id)
        assert a is not None
        return a.language, a.consent_withdrawn_at

    assert await db.run(read) == ("zh_CN", None)


async def test_an_applicant_not_yet_flushed_gets_its_values_by_the_insert(db: Database) -> None:
    def create(session: Session) -> int:
        applicant = Applicant(channel="console", external_user_id="9", language="zh_CN")
        session.add(applicant)
        set_language(session, applicant, "en")
        repo.record_consent(session, applicant, version="v3", scope="a", at=AT)
        session.flush()
        return applicant.id

    applicant_id = await db.run(create)

    assert (await db.run(_read, applicant_id))[:3] == ("en", None, "v3")
