"""Fixtures of the platform tests: a fresh SQLite case store per test, an injectable clock,
and an applicant with a submitted case."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cases.crypto import Vault
from cases.db import Database
from cases.platform.outbox import enqueue_submit
from cases.repositories.applicants import get_or_create_applicant, set_id_number
from cases.repositories.case_records import current_or_new_draft, submit_case
from cases.repositories.pages import add_page, declare_lost
from policy.idcard import check_character

# A valid number for a man born 1966-01-15 in Ejin Horo Banner (check character computed).
_FIRST17 = "15062719660115003"
ID_NUMBER = _FIRST17 + check_character(_FIRST17)

FORM: dict[str, Any] = {
    "name": "王建国",
    "sex": "male",
    "birth_date": "1966-01-15",
    "phone": "13912345678",
    "town": "阿勒腾席热镇",
    "employer_name": "某煤矿有限公司",
    "has_employer": True,
    "category": "male",
    "retirement_route": "statutory",
    "contribution_months": 360,
    "name_matches_archive": True,
    "paid_before_1995_07": True,
    "handbook": "lost",
    "lump_sum_before_1996": False,
    "veteran": True,
    "illness_disability": False,
}
MATERIALS = ("application_form", "id_card", "social_security_card", "discharge_certificate")


class FakeClock:
    """The test's time: starts where it is told and moves only when the test says so."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@dataclass(frozen=True)
class Page:
    sha256: str
    size: int
    mime_type: str = "image/jpeg"


def page(label: str) -> Page:
    return Page(hashlib.sha256(label.encode()).hexdigest(), 1000 + len(label))


async def open_db(path: Path) -> Database:
    db = Database(f"sqlite:///{path}", vault=Vault(b"k" * 32))
    await db.create_all()
    return db


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """Our side's case store, on both databases (PostgreSQL skips when unreachable outside CI)."""
    if request.param == "sqlite":
        database = await open_db(tmp_path / "app.db")
        yield database
        await database.close()
        return
    from tests.cases.databases import postgres_database

    async with postgres_database() as database:
        yield database


@pytest.fixture
def clock() -> FakeClock:
    # Thursday 2026-04-30, 09:00 in Ordos (01:00 UTC): the May Day holiday follows.
    return FakeClock(datetime(2026, 4, 30, 1, 0, tzinfo=UTC))


def submitted_case(
    session: Any, user: str, at: datetime, form: dict[str, Any] | None = None
) -> tuple[int, str]:
    """An applicant who uploaded the usual materials and submitted: (applicant id, number).
    The submission is queued for the platform in the same transaction, as the conversation
    does it."""
    applicant = get_or_create_applicant(session, "console", user)
    applicant.full_name = FORM["name"]
    set_id_number(session, applicant, ID_NUMBER)
    case = current_or_new_draft(session, applicant.id)
    case.form = dict(form or FORM)
    for code in MATERIALS:
        pages = 2 if code == "id_card" else 1
        for n in range(pages):
            add_page(session, case, code, page(f"{user}:{code}:{n}"))
    declare_lost(session, case, "pension_handbook")
    submit_case(session, case, at=at, actor=f"applicant:{applicant.id}")
    enqueue_submit(session, case, at=at)
    assert case.number is not None
    return applicant.id, case.number
