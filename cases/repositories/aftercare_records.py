"""Signatures, ratings and online-step answers: the records of the end of a case; and the
aftercare work that failed and waits for its next try.

Like every repository: functions over a session that never commit. Writes that must happen
once (a rating, a signature of one notice version) are INSERT ... ON CONFLICT DO NOTHING, so
two workers racing on the same case leave one row and the loser learns it lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cases.keyset import Seek
from cases.models import AftercareFailure, Case, OnlineStep, Rating, Signature, StaffTask
from cases.models.aftercare_records import (
    ONLINE_STEP_CODES,
    ONLINE_STEP_STATUSES,
    RATING_LEVEL_CODES,
)
from cases.repositories._sql import execute_count, upsert_insert
from cases.repositories.rating_tallies import tally_ratings

RATING_LEVELS: dict[str, int] = {code: level for level, code in RATING_LEVEL_CODES.items()}


# -- signatures ----------------------------------------------------------------------------


def add_signature(
    session: Session,
    case_id: int,
    *,
    notice_sha256: str,
    signed_copy_sha256: str,
    typed_name: str,
    signed_at: datetime,
) -> Signature | None:
    """Record the signature of one notice version; None when that version is already signed
    (the first signature stands)."""
    stmt = (
        upsert_insert(session, Signature)
        .values(
            case_id=case_id,
            notice_sha256=notice_sha256,
            signed_copy_sha256=signed_copy_sha256,
            typed_name=typed_name[:64],
            signed_at=signed_at,
        )
        .on_conflict_do_nothing()
    )
    if execute_count(session, stmt) != 1:
        return None
    return _signature_of_version(session, case_id, notice_sha256)


def _signature_of_version(session: Session, case_id: int, sha: str) -> Signature | None:
    return session.scalars(
        select(Signature).where(Signature.case_id == case_id, Signature.notice_sha256 == sha)
    ).first()


def current_signature(session: Session, case: Case) -> Signature | None:
    """The signature of the case's current notice, or None (unsigned, or only an older
    version signed, which a changed result replaced)."""
    if case.notice_sha256 is None:
        return None
    return _signature_of_version(session, case.id, case.notice_sha256)


def signatures_of(session: Session, case_id: int) -> list[Signature]:
    """Every signature of the case, oldest first: one per notice version signed."""
    query = select(Signature).where(Signature.case_id == case_id).order_by(Signature.id)
    return list(session.scalars(query))


# -- ratings -------------------------------------------------------------------------------


def add_rating(
    session: Session,
    case_id: int,
    level_code: str,
    *,
    rated_at: datetime,
    comment: str | None = None,
) -> Rating | None:
    """Record the case's rating; None when the case was already rated or declined (asked
    once: the first answer stands). Raises ValueError for an unknown level."""
    if level_code not in RATING_LEVELS:
        raise ValueError(f"unknown rating level {level_code!r}")
    stmt = (
        upsert_insert(session, Rating)
        .values(
            case_id=case_id,
            level=RATING_LEVELS[level_code],
            level_code=level_code,
            comment=comment,
            rated_at=rated_at,
            created_at=rated_at,
        )
        .on_conflict_do_nothing()
    )
    if execute_count(session, stmt) != 1:
        return None
    tally_ratings(session, {level_code: 1})  # the report's counts (`rating_tallies`)
    return rating_of_case(session, case_id)


def decline_rating(session: Session, case_id: int, *, at: datetime) -> Rating | None:
    """Record that the case will not be rated (declined, or never answered); None when it
    already has a rating or a decline."""
    stmt = (
        upsert_insert(session, Rating)
        .values(case_id=case_id, declined_at=at, created_at=at)
        .on_conflict_do_nothing()
    )
    return rating_of_case(session, case_id) if execute_count(session, stmt) == 1 else None


def rating_of_case(session: Session, case_id: int) -> Rating | None:
    """The case's rating row (a level or a decline), or None when it was never asked."""
    return session.scalars(select(Rating).where(Rating.case_id == case_id)).first()


def set_rating_comment(session: Session, case_id: int, comment: str) -> Rating | None:
    """The optional comment after a level; None when the case has no level to comment on."""
    rating = rating_of_case(session, case_id)
    if rating is None or rating.level is None:
        return None
    rating.comment = comment
    return rating


def link_rating_followup(session: Session, case_id: int, task_id: int) -> None:
    rating = rating_of_case(session, case_id)
    if rating is not None:
        rating.followup_task_id = task_id


RatingLine = tuple[Rating, str, StaffTask | None]
NEWEST_FIRST = (Rating.rated_at, Rating.id)  # descending: `ix_ratings_given` read backwards


def rating_position(session: Session, case_number: str) -> tuple[Any, ...] | None:
    """The sort key of the case's rating (a case has one), where a page of ratings starts."""
    case_id = select(Case.id).where(Case.number == case_number.strip().upper())
    found = session.execute(
        select(*NEWEST_FIRST).where(Rating.case_id == case_id.scalar_subquery())
    ).first()
    return tuple(found) if found else None


def ratings_given(
    session: Session, *, seek: Seek | None = None, case_number: str | None = None
) -> list[RatingLine]:
    """Ratings with a level (declines left out), newest first, each with its case number and
    its follow-up task: one statement; one read of a page (`seek`) or all of them."""
    # The page's ids first, from `ix_ratings_given` alone (a rating has `rated_at` exactly
    # when it has a level: the table's check constraint), then just those rows joined.
    given = select(Rating.id).where(Rating.rated_at.is_not(None))
    if case_number is not None:
        wanted = select(Case.id).where(Case.number == case_number).scalar_subquery()
        given = given.where(Rating.case_id == wanted)
    order = seek.order(NEWEST_FIRST, descending=True) if seek else [k.desc() for k in NEWEST_FIRST]
    read = seek.apply(given, NEWEST_FIRST, descending=True) if seek else given.order_by(*order)
    ids = read.subquery("page_ids")
    query = (
        select(Rating, Case.number, StaffTask)
        .select_from(ids)
        .join(Rating, Rating.id == ids.c.id)
        .join(Case, Case.id == Rating.case_id)
        .outerjoin(StaffTask, StaffTask.id == Rating.followup_task_id)
        .order_by(*order)
    )
    return [(rating, number or "", task) for rating, number, task in session.execute(query)]


# -- online steps --------------------------------------------------------------------------


def record_online_step(
    session: Session,
    case_id: int,
    step: str,
    status: str,
    *,
    answered_at: datetime,
    help_task_id: int | None = None,
) -> OnlineStep:
    """The applicant's latest answer about one online step (one row per case and step)."""
    if step not in ONLINE_STEP_CODES:
        raise ValueError(f"unknown online step {step!r}")
    if status not in ONLINE_STEP_STATUSES:
        raise ValueError(f"unknown online step status {status!r}")
    values = {"status": status, "answered_at": answered_at, "help_task_id": help_task_id}
    stmt = upsert_insert(session, OnlineStep).values(case_id=case_id, step=step, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["case_id", "step"], set_=values))
    row = session.scalars(
        select(OnlineStep)
        .where(OnlineStep.case_id == case_id, OnlineStep.step == step)
        .execution_options(populate_existing=True)
    ).one()
    return row


def online_steps_of(session: Session, case_id: int) -> list[OnlineStep]:
    """The answers about the case's online steps, in the order they were first given."""
    query = select(OnlineStep).where(OnlineStep.case_id == case_id).order_by(OnlineStep.id)
    return list(session.scalars(query))


# -- aftercare work that failed ------------------------------------------------------------


def aftercare_failure(session: Session, job: str, subject_id: int) -> AftercareFailure | None:
    return session.scalars(
        select(AftercareFailure).where(
            AftercareFailure.job == job, AftercareFailure.subject_id == subject_id
        )
    ).one_or_none()


def note_aftercare_failure(
    session: Session, job: str, subject_id: int, *, case_id: int | None, error: str, at: datetime
) -> AftercareFailure:
    """Count one more failure of `job` on `subject_id` (a row on the first one); the caller
    sets `next_attempt_at` from the count. An upsert: two sweeps failing on the same case at
    once count two failures rather than one of them crashing on the unique key."""
    values = {"last_error": error, "last_failed_at": at, "case_id": case_id}
    stmt = upsert_insert(session, AftercareFailure).values(
        job=job,
        subject_id=subject_id,
        attempts=1,
        first_failed_at=at,
        next_attempt_at=at,
        **values,
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["job", "subject_id"],
            set_={**values, "attempts": AftercareFailure.attempts + 1},
        )
    )
    return session.scalars(
        select(AftercareFailure)
        .where(AftercareFailure.job == job, AftercareFailure.subject_id == subject_id)
        .execution_options(populate_existing=True)
    ).one()


def clear_aftercare_failure(
    session: Session, job: str, subject_id: int
) -> AftercareFailure | None:
    """Forget the failures of `job` on `subject_id` (it just succeeded); returns the record
    that was deleted, if any."""
    row = aftercare_failure(session, job, subject_id)
    if row is not None:
        session.delete(row)
        session.flush()
    return row


def waiting_for_retry(job: str, at: datetime) -> Select[int]:
    """The subjects of `job` that failed and whose next try is not due yet at `at`."""
    return select(AftercareFailure.subject_id).where(
        AftercareFailure.job == job, AftercareFailure.next_attempt_at > at
    )
