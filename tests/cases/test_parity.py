"""PostgreSQL and SQLite give the same results for the same story."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.db import Database
from tests.cases.databases import postgres_database, sqlite_database
from tests.cases.scenario import NOW, handle_text, new_applicant, snapshot, upload_and_submit


def _results(session: Session, number: str) -> dict[str, Any]:
    case = repo.find_case_by_number(session, number)
    assert case is not None
    repo.move_case(session, case, "accept", at=NOW + timedelta(microseconds=123456), actor="c")
    repo.set_item_result(
        session,
        case.id,
        "pension",
        office_code="社保局",
        status="done",
        answered_at=NOW + timedelta(hours=3),
        data={"月养老金": 3120.5, "items": [1, "二", None, {"嵌套": True}]},
    )
    session.flush()
    return {
        "case": (case.id, case.number, case.status, case.submitted_at, case.accepted_at),
        "form": case.form,
        "pages": [
            (p.id, p.material_code, p.page_no, p.sha256) for p in repo.pages_of(session, case.id)
        ],
        "results": [
            (r.item_code, r.office_code, r.status, r.answered_at, r.data)
            for r in repo.item_results(session, case.id)
        ],
        "audit": [(a.actor, a.action, a.detail, a.at) for a in repo.audit_trail(session, case.id)],
        "current": repo.current_case(session, case.applicant_id) is not None,
        "by_number": repo.find_case_by_number(session, number.lower()) is not None,
    }


async def _story(db: Database) -> dict[str, Any]:
    first = await db.run(new_applicant, "p1")
    second = await db.run(new_applicant, "p2", "150627196805120017")
    numbers = [
        await db.run(upload_and_submit, first, "d" * 64),
        await db.run(upload_and_submit, second, "e" * 64),
    ]
    handled = [
        await db.run(handle_text, first, u, t) for u, t in [(1, "你好"), (1, "你好"), (2, "x")]
    ]
    return {
        "applicants": (first, second),
        "numbers": numbers,
        "handled": handled,
        "conversation": await db.run(snapshot, first),
        "results": await db.run(_results, numbers[0]),
        "unknown": await db.run(repo.find_case_by_number, "YJ-20000101-0001"),
    }


async def test_postgresql_and_sqlite_tell_the_same_story(tmp_path: Path) -> None:
    async with sqlite_database(tmp_path) as lite:
        on_sqlite = await _story(lite)
    async with postgres_database() as pg:
        on_postgresql = await _story(pg)
    assert on_sqlite == on_postgresql
    assert on_sqlite["numbers"] == ["YJ-20261126-0001", "YJ-20261126-0002"]
    assert on_sqlite["handled"] == [True, False, True]
