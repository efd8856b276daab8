"""A case brought to results_ready through the real conversation service, the outbox and the
embedded approval platform (the clerk and the offices played by the test), on SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from aftercare.config import AftercareConfig, Deps
from aftercare.paperwork import Paperwork
from app.settings import FileSettings, ServiceSettings, Settings
from cases import repositories as repo
from cases.db import Database
from cases.files import FileStore
from cases.models import Case, NotificationOutbox
from cases.platform.delivery import drain_platform_outbox
from cases.platform.outbox import enqueue_submit
from cases.schema import ensure_schema
from dialogs.service import ConversationService
from dialogs.state import ConversationData
from integrations.platform.embedded.platform import EmbeddedPlatform
from locales import Translator
from locales.replies import from_json, render
from tests.cases.databases import postgres_database, sqlite_database
from tests.dialogs.conftest import Person
from tests.platform.conftest import FORM, ID_NUMBER, FakeClock

# The answers of the six offices (five: the housing fund is the applicant's own online step).
RESULTS: list[tuple[str, dict[str, Any]]] = [
    ("pension_claim", {"monthly_pension": "3520.50"}),
    (
        "archive_certificate",
        {"archive_birth_date": "1966-01-15", "first_employment_date": "1985-07-01"},
    ),
    ("veteran_check", {"is_veteran": "true", "service_years": "6", "service_counted": "true"}),
    ("community_registration", {"town": "阿勒腾席热镇"}),
    ("medical_insurance", {"contribution_months": "312", "back_payment_due": "1200.00"}),
]


class World:
    """Everything a journey needs, with the test's clock."""

    def __init__(self, db: Database, tmp: Path) -> None:
        # Thursday 2026-04-30, 09:00 in Ordos: the May Day holiday follows.
        self.clock = FakeClock(datetime(2026, 4, 30, 1, 0, tzinfo=UTC))
        self.db = db
        self.settings = Settings(
            files=FileSettings(dir=tmp / "files"),
            service=ServiceSettings(rating_followup_working_days=5, online_step_check_days=3),
        )
        self.deps = Deps(
            FileStore(tmp / "files", 20_000_000, vault=db.require_vault()), AftercareConfig()
        )
        paperwork = Paperwork(self.deps.files, self.deps.config)
        self.service = ConversationService(
            db, self.settings, clock=self.clock, paperwork=paperwork
        )
        self.platform = EmbeddedPlatform(db, now=self.clock)
        self.person = Person(self.service, "u1")

    async def submitted(self, user: str = "u1", *, channel: str = "test", **form: Any) -> str:
        """A submitted case whose conversation waits in `submitted`, as after the questions
        (asked on `channel`: "console" for a console session's applicant)."""
        now = self.clock()

        def work(session: Any) -> str:
            applicant = repo.get_or_create_applicant(session, channel, user)
            applicant.full_name = FORM["name"]
            repo.set_id_number(session, applicant, ID_NUMBER)
            conv = repo.load_or_start_conversation(session, applicant.id, "submitted")
            data = ConversationData("submitted", "zh_CN", {"name": FORM["name"]})
            repo.save_conversation(session, conv, state="submitted", answers=data.to_json())
            case = repo.current_or_new_draft(session, applicant.id)
            case.form = {**FORM, **form}
            repo.submit_case(session, case, at=now, actor=f"applicant:{applicant.id}")
            enqueue_submit(session, case, at=now)
            return str(case.number)

        return await self.db.run(work)

    async def results_ready(
        self, number: str, results: list[tuple[str, dict[str, Any]]] = RESULTS
    ) -> None:
        """The clerk accepts, every office answers: the case reaches results_ready."""
        await drain_platform_outbox(self.db, self.platform, now=self.clock)
        self.clock.advance(minutes=10)
        await self.db.run(self.platform.accept, number, "clerk:li")
        for item, data in results:
            self.clock.advance(minutes=20)
            await self.db.run(self.platform.answer, number, item, "done", f"office:{item}", data)
        assert await self.status(number) == "results_ready"

    async def status(self, number: str) -> str:
        return await self.db.run(
            lambda s: s.scalars(select(Case.status).where(Case.number == number)).one()
        )

    async def case(self, number: str) -> Case:
        return await self.db.run(
            lambda s: s.scalars(select(Case).where(Case.number == number)).one()
        )

    async def pushes(self, prefix: str = "aftercare.") -> list[Any]:
        """The replies queued for the applicant whose key starts with `prefix`, in order."""

        def read(session: Any) -> list[Any]:
            rows = session.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id))
            return [from_json(r.payload) for r in rows]

        return [r for r in await self.db.run(read) if r.key.startswith(prefix)]


def text_of(replies: list[Any]) -> str:
    tr = Translator("zh_CN")
    return "\n".join(render(r.message, tr) for r in replies)


@pytest.fixture(params=["sqlite", "postgresql"])
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    """The same journeys on both databases (PostgreSQL skips when unreachable outside CI)."""
    if request.param == "sqlite":
        async with sqlite_database(tmp_path) as db:
            await ensure_schema(db)
            yield World(db, tmp_path)
        return
    async with postgres_database() as db:
        await ensure_schema(db)
        yield World(db, tmp_path)
