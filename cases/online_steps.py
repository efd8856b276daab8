"""The steps the applicant finishes online after the result (the housing fund withdrawal, the
medical insurance back payment): their answers to "done yet?", and a person to help where
not.

Use cases over a session, run inside the caller's transaction (none of them commits); one row
per case and step (`cases.models.OnlineStep`), the latest answer standing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cases import repositories as repo
from cases.models import Case, StaffTask
from cases.result_commands import ONLINE_STEPS

HELP_KIND = "online_step_help"


def online_step_statuses(session: Session, case: Case) -> dict[str, str]:
    """Each answered step's status: done | not_yet | help_requested."""
    return {row.step: row.status for row in repo.online_steps_of(session, case.id)}


def online_steps_answered(session: Session, case: Case) -> dict[str, bool]:
    """Each answered step: done or not."""
    return {step: status == "done" for step, status in online_step_statuses(session, case).items()}


def record_online_step(
    session: Session, case: Case, step: str, done: bool, *, at: datetime
) -> StaffTask | None:
    """The applicant's answer; "not yet" opens a help task so that a person calls, and the
    step is recorded as help_requested with that task."""
    if step not in ONLINE_STEPS:
        raise ValueError(f"unknown online step {step!r}")
    actor = f"applicant:{case.applicant_id}"
    detail = {"step": step, "done": done}
    repo.audit(session, actor, "online_step.answer", case_id=case.id, detail=detail, at=at)
    task = None
    if not done:
        task = repo.add_staff_task(
            session,
            HELP_KIND,
            case_id=case.id,
            applicant_id=case.applicant_id,
            detail={"step": step, "case_number": case.number},
        )
    status = "done" if task is None else "help_requested"
    repo.record_online_step(
        session,
        case.id,
        step,
        status,
        answered_at=at,
        help_task_id=task.id if task is not None else None,
    )
    return task
