"""Aftercare work that failed: recorded per case, retried alone with backoff, handed to the
clerk after the third failure.

One office's answer that the notice cannot render must not hold up anyone else's notice, so
the sweep (aftercare/worker.py) handles each case in a transaction of its own. When one
fails, its transaction is rolled back and `record_failure` writes, in another, how often it
failed, the (masked) error and when to try again: 1 min, 5 min, 30 min, 2 h, then every 6 h.
After the third failure a staff task asks a person to look; the retries go on, and the next
success (`clear_failure`) deletes the record and closes that task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.logging_setup import mask_text
from cases import repositories as repo
from cases.models import Case, Reminder, StaffTask, TaskStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

NOTICE = "notice"
ONLINE_CHECK = "online_check"
RETIREMENT_REMINDER = "retirement_reminder"
# Staff task kinds, labelled for the clerk in cases/task_kinds.py.
TASK_KINDS = {
    NOTICE: "notice_failed",
    ONLINE_CHECK: "online_check_failed",
    RETIREMENT_REMINDER: "reminder_failed",
}
TASK_TEXTS = {
    NOTICE: "系统已连续 {n} 次未能生成这件办件的结果告知单，申请人还没有收到结果。"
    "请先电话告知申请人办理结果，并联系技术人员处理；系统会继续自动重试。",
    ONLINE_CHECK: "系统已连续 {n} 次未能向申请人发出网办事项回访。"
    "请电话询问申请人住房公积金提取、医保补缴是否已在网上办好。",
    RETIREMENT_REMINDER: "系统已连续 {n} 次未能发出申请人预约的退休提醒。"
    "请电话提醒申请人：已临近法定退休时间，可以开始办理退休。",
}
STAFF_TASK_AFTER = 3
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),  # the cap: from the fifth failure on
)
ERROR_CHARS = 1000
ACTOR = "aftercare"


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failures."""
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def error_text(exc: BaseException) -> str:
    """What is kept of an error: its type and message, masked, bounded."""
    return mask_text(f"{type(exc).__name__}: {exc}")[:ERROR_CHARS]


@dataclass(frozen=True)
class Failure:
    """One failed piece of work, as the tick reports it."""

    job: str  # NOTICE | ONLINE_CHECK
    case_number: str | None
    attempts: int
    next_attempt_at: datetime
    error: str  # masked
    staff_task_id: int | None  # the clerk's task, once raised


def record_failure(
    session: Session, job: str, subject_id: int, error: str, *, at: datetime
) -> Failure:
    """Count a failure of `job` on `subject_id` (a case id, or a reminder id for the online
    check and the retirement reminder), schedule the next try and, at the third failure,
    raise the clerk's task."""

    case = _case_of(session, job, subject_id)
    row = repo.note_aftercare_failure(
        session, job, subject_id, case_id=case.id if case else None, error=error, at=at
    )
    row.next_attempt_at = at + backoff(row.attempts)
    if row.attempts >= STAFF_TASK_AFTER and row.staff_task_id is None:
        task = repo.add_staff_task(
            session,
            TASK_KINDS[job],
            case_id=case.id if case else None,
            applicant_id=case.applicant_id if case else None,
            detail={"说明": TASK_TEXTS[job].format(n=row.attempts)},
        )
        row.staff_task_id = task.id
    repo.audit(
        session,
        ACTOR,
        f"{job}.failed",
        case_id=case.id if case else None,
        detail={"attempts": row.attempts, "error": error[:200]},
        at=at,
    )
    session.flush()
    return Failure(
        job,
        case.number if case else None,
        row.attempts,
        row.next_attempt_at,
        error,
        row.staff_task_id,
    )


def clear_failure(session: Session, job: str, subject_id: int, *, at: datetime) -> None:
    """The work succeeded: forget its failures, and close the clerk's task if one was raised
    (its note says that the system got there after all)."""

    row = repo.clear_aftercare_failure(session, job, subject_id)
    if row is None or row.staff_task_id is None:
        return
    task = session.get(StaffTask, row.staff_task_id)
    if task is not None and task.status == TaskStatus.open.value:
        task.detail = {**task.detail, "done_note": "系统重试成功，已自动办结。"}
        repo.complete_staff_task(session, task.id, at=at)
        repo.audit(
            session, ACTOR, "staff_task.done", case_id=task.case_id, detail={"task": task.id}
        )


@dataclass(frozen=True)
class _CaseRef:
    id: int
    number: str | None
    applicant_id: int


def _case_of(session: Session, job: str, subject_id: int) -> _CaseRef | None:
    """The case a failure belongs to: its columns only, never the whole record, which may be
    the very thing that is broken."""

    query = select(Case.id, Case.number, Case.applicant_id)
    if job == NOTICE:
        query = query.where(Case.id == subject_id)
    else:
        applicant = select(Reminder.applicant_id).where(Reminder.id == subject_id)
        query = query.where(Case.applicant_id.in_(applicant)).order_by(Case.id.desc()).limit(1)
    row = session.execute(query).first()
    return _CaseRef(row.id, row.number, row.applicant_id) if row is not None else None
