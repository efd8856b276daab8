"""The ratings report's counts without reading every rating (issue 17): the count of each
level from its tally row, kept in the transaction that records the rating; the open and the
overdue rating follow-ups counted from the tasks' (kind, status, due_at) index, each stopping
at the lists' cap ("1000+")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import RatingTally, StaffTask
from cases.models.base import TaskStatus
from cases.paging import Counted, capped_count
from cases.repositories._sql import upsert_insert
from cases.task_kinds import FOLLOWUP_KIND


def tally_ratings(session: Session, added: Mapping[str, int]) -> None:
    """Count new ratings in, by level code, in the caller's transaction: one upsert per level
    (two writers on PostgreSQL wait on the row's lock, neither count is lost)."""
    for code, n in added.items():
        insert = upsert_insert(session, RatingTally).values(level_code=code, ratings=n)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["level_code"],
                set_={"ratings": RatingTally.ratings + insert.excluded.ratings},
            )
        )


def rating_counts(session: Session, *, now: datetime) -> tuple[dict[str, int], Counted, Counted]:
    """({level code: ratings}, open rating follow-ups, of which overdue): two statements
    whose cost does not grow with the number of ratings. A follow-up is raised for a bad
    rating and for nothing else (`cases.ratings`)."""
    tallies = session.execute(select(RatingTally.level_code, RatingTally.ratings)).all()
    open_ = select(StaffTask.id).where(
        StaffTask.kind == FOLLOWUP_KIND, StaffTask.status == TaskStatus.open.value
    )
    found = session.execute(
        select(capped_count(open_), capped_count(open_.where(StaffTask.due_at < now)))
    ).one()
    return {code: n for code, n in tallies if n}, Counted.of(found[0]), Counted.of(found[1])
