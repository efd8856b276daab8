"""Revision 0003 moves the signature, the rating and the online-step answers out of the audit
log: an install that kept them there (revision 0002) keeps its ratings report and signed
cases after the upgrade. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from aftercare import reports
from cases.models import Applicant, AuditLog, Case, OnlineStep, Rating, Signature, StaffTask
from tests.cases.databases import postgres_database, sqlite_database

AT = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)
DUE = datetime(2026, 5, 13, 10, 0, tzinfo=UTC)


def _as_before_0003(connection: Connection) -> None:
    """Two closed cases as revision 0002 recorded them: one signed twice (a changed notice)
    and rated badly with a comment, one that declined to rate."""
    session = Session(bind=connection)
    # Only the columns revision 0002 had (the model has grown since: key_id in 0011).
    applicant_id = session.execute(
        insert(Applicant).values(channel="test", external_user_id="u1", full_name="王建国")
    ).inserted_primary_key[0]
    rated = Case(number="YJ-20260501-0001", applicant_id=applicant_id, form={"name": "王建国"})
    declined = Case(number="YJ-20260501-0002", applicant_id=applicant_id, form={})
    session.add_all([rated, declined])
    session.flush()
    for case in (rated, declined):
        case.status, case.notice_sha256, case.signed_at = "closed", "b" * 64, AT
    followup = StaffTask(
        kind="rating_followup", case_id=rated.id, status="open", due_at=DUE, detail={}
    )
    helper = StaffTask(
        kind="online_step_help", case_id=rated.id, detail={"step": "medical_payment"}
    )
    session.add_all([followup, helper])
    entries: list[tuple[int, str, dict[str, Any]]] = [
        (rated.id, "case.sign", {"notice_sha256": "a" * 64, "signed_copy_sha256": "c" * 64}),
        (rated.id, "case.sign", {"notice_sha256": "b" * 64, "signed_copy_sha256": "d" * 64}),
        (rated.id, "rating.given", {"level": "very_dissatisfied"}),
        (rated.id, "rating.comment", {"comment": "太慢了"}),
        (rated.id, "online_step.answer", {"step": "housing_fund", "done": True}),
        (rated.id, "online_step.answer", {"step": "medical_payment", "done": False}),
        (declined.id, "case.sign", {"notice_sha256": "b" * 64, "signed_copy_sha256": "e" * 64}),
        (declined.id, "rating.declined", {}),
    ]
    session.flush()
    for case_id, action, detail in entries:
        # The columns of the log as it was then (later revisions added the chain's seal).
        session.execute(
            insert(AuditLog.__table__).values(
                actor="applicant:1", action=action, case_id=case_id, detail=detail, at=AT
            )
        )


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_upgrade_copies_the_records_kept_in_the_audit_log(kind: str, tmp_path: Path) -> None:
    opener = sqlite_database(tmp_path, create=False) if kind == "sqlite" else None
    async with opener or postgres_database(create=False) as db:
        await db.upgrade("0002")
        await db.run_on_connection(_as_before_0003)
        await db.upgrade()

        def read(session: Any) -> tuple[list[Any], ...]:
            return tuple(
                list(session.scalars(select(m).order_by(m.id)))
                for m in (Signature, Rating, OnlineStep, StaffTask)
            )

        signatures, ratings, steps, tasks = await db.run(read)
        assert [
            (s.notice_sha256[0], s.signed_copy_sha256[0], s.typed_name) for s in signatures
        ] == [
            ("a", "c", "王建国"),
            ("b", "d", "王建国"),
            ("b", "e", "王建国"),  # the applicant's name where the form had none
        ]
        assert signatures[0].signed_at == AT
        followup, helper = tasks
        assert [(r.level, r.level_code, r.comment, r.followup_task_id) for r in ratings] == [
            (1, "very_dissatisfied", "太慢了", followup.id),
            (None, None, None, None),
        ]
        assert ratings[1].declined_at == AT
        assert [(s.step, s.status, s.help_task_id) for s in steps] == [
            ("housing_fund", "done", None),
            ("medical_payment", "help_requested", helper.id),
        ]
        rows = await db.run(reports.ratings, now=AT)
        assert [(r.case_number, r.level, r.followup_status) for r in rows] == [
            ("YJ-20260501-0001", "very_dissatisfied", "open")
        ]
        view = await db.run(reports.notice_status, "YJ-20260501-0001")
        assert (
            view is not None and view["signed"] is True and view["signed_copy_sha256"] == "d" * 64
        )
