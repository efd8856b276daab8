"""The rating of the service (好差评, POLICY §8): five levels, asked once, voluntary; a bad
level opens a follow-up for the clerk, due in N working days at the end of that day.

Use cases over a session, run inside the caller's transaction (none of them commits). The
record of truth is the ratings table (`cases.models.Rating`); the audit log only says who did
what. The conversation decides what to say from a reading of the same record; these use cases
check again before they write (asked once: the first answer stands).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.logging_setup import mask_text
from cases import repositories as repo
from cases.models import Case, Rating, StaffTask, TaskStatus
from cases.result_commands import BAD_LEVELS, RATING_LEVELS

ACTOR = "aftercare"
FOLLOWUP_KIND = "rating_followup"


def rating_of(session: Session, case: Case) -> Rating | None:
    """The case's rating: a level, or a decline; None while it was never asked or answered."""
    return repo.rating_of_case(session, case.id)


def followup_of(session: Session, rating: Rating | None) -> StaffTask | None:
    """The follow-up staff task of a bad rating, or None."""
    if rating is None or rating.followup_task_id is None:
        return None
    return session.get(StaffTask, rating.followup_task_id)


def record_rating(
    session: Session,
    case: Case,
    level: str,
    *,
    at: datetime,
    followup_due: datetime | None = None,
) -> Rating | None:
    """Record the level, once: None when the case is not waiting for a rating or already has
    one (or a decline), and nothing changes. A bad level opens the follow-up, due at
    `followup_due`, linked to the rating (`followup_of`)."""
    if level not in RATING_LEVELS:
        raise ValueError(f"unknown rating level {level!r}")
    if case.status != "signed":
        return None
    rating = repo.add_rating(session, case.id, level, rated_at=at)
    if rating is None:  # rated (or declined) before: the first answer stands
        return None
    actor = f"applicant:{case.applicant_id}"
    repo.audit(session, actor, "rating.given", case_id=case.id, detail={"level": level}, at=at)
    repo.move_case(session, case, "rate", at=at, actor=actor, detail={"level": level})
    if level not in BAD_LEVELS:
        repo.move_case(session, case, "close", at=at, actor=ACTOR)
        return rating
    if followup_due is None:
        raise ValueError("a bad rating needs the due time of its follow-up")
    task = repo.add_staff_task(
        session,
        FOLLOWUP_KIND,
        case_id=case.id,
        applicant_id=case.applicant_id,
        detail={"level": level, "case_number": case.number},
        due_at=followup_due,
    )
    repo.link_rating_followup(session, case.id, task.id)
    return rating


def add_rating_comment(session: Session, case: Case, comment: str, *, at: datetime) -> None:
    text = mask_text(comment.strip())[:500]
    if not text or repo.set_rating_comment(session, case.id, text) is None:
        return
    # The comment itself lives on the rating; the audit says only that one was given.
    actor = f"applicant:{case.applicant_id}"
    repo.audit(session, actor, "rating.comment", case_id=case.id, at=at)
    open_followups = select(StaffTask).where(
        StaffTask.case_id == case.id,
        StaffTask.kind == FOLLOWUP_KIND,
        StaffTask.status == TaskStatus.open.value,
    )
    for task in session.scalars(open_followups):
        task.detail = {**task.detail, "comment": text}


def decline_rating(session: Session, case: Case, *, at: datetime) -> None:
    """No rating, and no second asking: the case closes. A case rated before (and signed
    again after a changed result) keeps its rating."""
    if case.status == "signed":
        actor = f"applicant:{case.applicant_id}"
        if repo.decline_rating(session, case.id, at=at) is not None:
            repo.audit(session, actor, "rating.declined", case_id=case.id, at=at)
        repo.move_case(session, case, "close", at=at, actor=actor)


def close_followup(
    session: Session, task_id: int, outcome: str, clerk: str, *, at: datetime
) -> tuple[StaffTask, Case | None]:
    """The clerk's return visit is done: record the outcome and close the case (the caller
    tells the applicant). Raises LookupError for an unknown or already closed follow-up,
    ValueError for an empty outcome."""
    task = session.get(StaffTask, task_id)
    if task is None or task.kind != FOLLOWUP_KIND or task.status != TaskStatus.open.value:
        raise LookupError(f"no open rating follow-up #{task_id}")
    text = outcome.strip()
    if not text:
        raise ValueError("the outcome told to the applicant must not be empty")
    task.detail = {**task.detail, "outcome": text, "clerk": clerk}
    repo.complete_staff_task(session, task_id, at=at)
    case = repo.get_case(session, task.case_id) if task.case_id else None
    if case is not None:
        repo.audit(
            session,
            f"clerk:{clerk}",
            "rating.followup_closed",
            case_id=case.id,
            detail={"task": task_id},
            at=at,
        )
        if case.status == "rated":
            repo.move_case(session, case, "close", at=at, actor=f"clerk:{clerk}")
    return task, case
