"""Staff tasks and reminders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cases.models import Applicant, Case, Reminder, StaffTask, TaskStatus
from cases.repositories._sql import execute_count, upsert_insert
from cases.tables.store import URGENCY


def add_staff_task(
    session: Session,
    kind: str,
    *,
    case_id: int | None = None,
    applicant_id: int | None = None,
    detail: dict[str, Any] | None = None,
    due_at: datetime | None = None,
) -> StaffTask:
    """kind: phone_applicant | overdue | rating_followup | ... An open task of the same kind
    for the same case and applicant is returned instead of a second one."""
    existing = session.scalars(
        select(StaffTask).where(
            StaffTask.kind == kind,
            StaffTask.case_id.is_(None) if case_id is None else StaffTask.case_id == case_id,
            StaffTask.applicant_id.is_(None)
            if applicant_id is None
            else StaffTask.applicant_id == applicant_id,
            StaffTask.status == TaskStatus.open.value,
        )
    ).first()
    if existing is not None:
        return existing
    task = StaffTask(
        kind=kind,
        case_id=case_id,
        applicant_id=applicant_id,
        detail=detail or {},
        due_at=due_at,
        status=TaskStatus.open.value,
    )
    session.add(task)
    session.flush()
    return task


def open_staff_tasks(session: Session, kind: str | None = None) -> list[StaffTask]:
    query = select(StaffTask).where(StaffTask.status == TaskStatus.open.value)
    if kind is not None:
        query = query.where(StaffTask.kind == kind)
    return list(session.scalars(query.order_by(StaffTask.id)))


def open_task_of_case(session: Session, case_id: int, kind: str) -> StaffTask | None:
    """The case's open task of one kind (there is at most one: `add_staff_task`)."""
    query = select(StaffTask).where(
        StaffTask.case_id == case_id,
        StaffTask.kind == kind,
        StaffTask.status == TaskStatus.open.value,
    )
    return session.scalars(query.order_by(StaffTask.id)).first()


def open_tasks_query(kind: str | None = None) -> Select[Any]:
    """The ids of the open tasks (of one kind), for a bounded count."""
    query = select(StaffTask.id).where(StaffTask.status == TaskStatus.open.value)
    return query if kind is None else query.where(StaffTask.kind == kind)


TaskLine = tuple[StaffTask, tuple[str | None, dict[str, Any] | None] | None, Applicant | None]


def open_task_page(session: Session, kind: str | None, skip: int, size: int) -> list[TaskLine]:
    """One page of open tasks, most urgent first (due time, else creation), each with its
    case's number and form and the applicant it names: one statement, in the order of the
    index `ix_staff_tasks_open_order`."""
    # The page's ids first, from the index alone (a deferred join): OFFSET then skips index
    # entries, not joined rows.
    ids = (
        open_tasks_query(kind).order_by(URGENCY, StaffTask.id).limit(size).offset(skip)
    ).subquery("page_ids")
    query = (
        select(StaffTask, Case.number, Case.form, Applicant)
        .select_from(ids)
        .join(StaffTask, StaffTask.id == ids.c.id)
        .outerjoin(Case, Case.id == StaffTask.case_id)
        .outerjoin(Applicant, Applicant.id == StaffTask.applicant_id)
        .order_by(URGENCY, StaffTask.id)
    )
    return [
        (task, (number, form) if task.case_id is not None else None, person)
        for task, number, form, person in session.execute(query)
    ]


def case_tasks(session: Session, case_id: int, kind: str) -> list[StaffTask]:
    """The tasks of one kind raised for one case, open or done, oldest first."""
    query = select(StaffTask).where(StaffTask.case_id == case_id, StaffTask.kind == kind)
    return list(session.scalars(query.order_by(StaffTask.id)))


def complete_staff_task(session: Session, task_id: int, *, at: datetime) -> None:
    task = session.get(StaffTask, task_id)
    if task is not None:
        task.status, task.done_at = TaskStatus.done.value, at


def add_reminder(session: Session, applicant_id: int, kind: str, due_on: date) -> bool:
    """Idempotent on (applicant, kind, day): True when added now."""
    stmt = upsert_insert(session, Reminder).values(
        applicant_id=applicant_id, kind=kind, due_on=due_on
    )
    return execute_count(session, stmt.on_conflict_do_nothing()) == 1


def due_reminders(session: Session, today: date, limit: int = 100) -> list[Reminder]:
    query = (
        select(Reminder)
        .where(Reminder.sent_at.is_(None), Reminder.due_on <= today)
        .order_by(Reminder.due_on, Reminder.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_reminder_sent(session: Session, reminder_id: int, *, at: datetime) -> None:
    reminder = session.get(Reminder, reminder_id)
    if reminder is not None:
        reminder.sent_at = at
