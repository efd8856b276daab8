"""Many cases at once, for the staff lists' query-count test and `benchmarks/staff_lists.py`.

`seed(session, start, count, now)` adds cases `start .. start + count - 1` in bulk (Core
inserts, returning the new ids): each an embedded-platform case on the clerk's queue (every
third accepted, with a pending item at the social insurance centre, a handful of them
late and already flagged), the same case on our side with its applicant, an open task to
phone them, and a rating (every fifth bad, with its open follow-up).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from cases.models import Applicant, Case, Rating, StaffTask
from cases.models.aftercare_records import RATING_LEVEL_CODES
from cases.models.platform import EmbCase, EmbItem
from cases.repositories import tally_ratings

CHUNK = 2000


def number(n: int) -> str:
    return f"YJ-20260401-{n:06d}"


def _late(n: int) -> bool:
    # A handful of late items whatever the size (every seventh of the first 1,000 cases'):
    # the clerk's queue reads the late cases whole by design, they are few.
    return n % 7 == 0 and n < 1000


def seed(session: Any, start: int, count: int, now: datetime) -> None:
    for first in range(start, start + count, CHUNK):
        _chunk(session, range(first, min(first + CHUNK, start + count)), now)


def _ids(session: Any, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    query = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(query, rows))


def _chunk(session: Any, ns: range, now: datetime) -> None:
    since = now - timedelta(days=30)
    session.execute(
        insert(EmbCase),
        [
            {
                "case_number": number(n),
                "idempotency_key": f"k{n}",
                "platform_ref": f"P{n}",
                "form": {"name": f"申请人{n}", "id_number_masked": "1506**********0011"},
                "materials": {},
                "status": ("received", "returned", "accepted")[n % 3],
                "received_at": since + timedelta(seconds=n),
            }
            for n in ns
        ],
    )
    accepted = [n for n in ns if n % 3 == 2]
    session.execute(
        insert(EmbItem),
        [
            {
                "case_number": number(n),
                "item": "pension_claim",
                "office": "social_insurance_center",
                "status": "pending",
                "due_at": now + timedelta(hours=-1 if _late(n) else n % 48 + 1),
                "overdue_flagged_at": now if _late(n) else None,
                "data": {},
            }
            for n in accepted
        ],
    )
    people = _ids(
        session,
        Applicant,
        [
            {"channel": "console", "external_user_id": f"u{n}", "full_name": f"申请人{n}"}
            for n in ns
        ],
    )
    cases = _ids(
        session,
        Case,
        [
            {
                "number": number(n),
                "applicant_id": who,
                "form": {"name": f"申请人{n}", "phone": "13900000000"},
                "status": "rated",
            }
            for n, who in zip(ns, people, strict=True)
        ],
    )
    tasks = _ids(
        session,
        StaffTask,
        [
            {
                "kind": "rating_followup" if n % 5 == 0 else "phone_applicant",
                "case_id": case_id,
                "applicant_id": who,
                "detail": {"case_number": number(n)},
                "status": "open",
                "due_at": now + timedelta(hours=n % 72),
            }
            for n, case_id, who in zip(ns, cases, people, strict=True)
        ],
    )
    levels = [RATING_LEVEL_CODES[1 if n % 5 == 0 else 5] for n in ns]
    tally_ratings(session, Counter(levels))  # as `add_rating` does, one at a time
    session.execute(
        insert(Rating),
        [
            {
                "case_id": case_id,
                "level": 1 if n % 5 == 0 else 5,
                "level_code": level,
                "rated_at": since + timedelta(seconds=n),
                "followup_task_id": task if n % 5 == 0 else None,
            }
            for n, case_id, task, level in zip(ns, cases, tasks, levels, strict=True)
        ],
    )
