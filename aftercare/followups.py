"""The clerk's return visit after a bad rating: recorded on the case (cases.ratings), and the
outcome told to the applicant as a push."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cases import ratings
from cases import repositories as repo
from cases.models import StaffTask
from locales.replies import Msg, Reply, to_json


def close_followup(
    session: Session, task_id: int, outcome: str, clerk: str, *, at: datetime
) -> StaffTask:
    """The clerk's return visit is done: record the outcome, tell the applicant, close the
    case. Raises LookupError for an unknown or already closed follow-up."""
    task, case = ratings.close_followup(session, task_id, outcome, clerk, at=at)
    if case is not None:
        params = {"case_number": case.number, "outcome": task.detail["outcome"]}
        reply = Reply(Msg("aftercare.rating.followup_outcome", params))
        repo.enqueue_notification(
            session, case.applicant_id, to_json(reply), f"aftercare:followup:{task_id}"
        )
    return task
