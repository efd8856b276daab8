"""The clerk's task list over the case record: who to phone, which hand-over to answer, which
item is late (`python main.py staff tasks`, `staff done`, and the staff console).

Tasks are raised elsewhere (a blocked bot in bot/push_sender.py, a hand-over to a person by
the conversation's commands, an overdue item in the embedded platform, a bad rating in
aftercare, a notice or check that failed three times in aftercare/failures.py). This is the
one place the applicant's phone number is shown in full, because the clerk must call it; so
every listing is written to the audit log with the ids of the tasks shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.clock import LOCAL_TZ
from app.logging_setup import mask_text
from cases import repositories as repo
from cases.keyset import FIRST, Position, Window, plan, window
from cases.models import Applicant, StaffTask, TaskStatus
from cases.paging import Counted, bounded_count
from cases.repositories.applicants import phone_of
from cases.task_kinds import FOLLOWUP_KIND, KIND_LABELS
from locales import when


class TaskError(Exception):
    """A refusal the clerk can act on; `message` is plain Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TaskRow:
    id: int
    kind: str
    kind_label: str
    case_number: str | None
    applicant: str | None
    phone: str | None  # in full: the clerk must call it; never logged
    detail: dict[str, Any]  # masked
    due_at: datetime | None
    created_at: datetime

    def __repr__(self) -> str:  # the phone never goes into a repr
        return f"TaskRow(id={self.id}, kind={self.kind!r})"

    @property
    def notes(self) -> list[tuple[str, str]]:
        """What the clerk reads of the detail: the entries written for people (a Chinese
        label, such as the medical figures), never the codes kept for the machine."""
        return [
            (key, str(value))
            for key, value in self.detail.items()
            if not key.isascii() and value not in (None, "")
        ]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["due_at"] = _local_iso(self.due_at)
        data["created_at"] = _local_iso(self.created_at)
        return data


def list_tasks(
    session: Session,
    actor: str,
    kind: str | None = None,
    *,
    at: datetime | None = None,
    page: int = 1,
    size: int = 50,
) -> list[TaskRow]:
    """One page of open tasks, most urgent first (by due time, or by creation for a task
    without one), with the applicant's phone in full; the listing is audited with the task
    ids shown."""
    return task_page(session, actor, kind, at=at, start=Position(page=page), size=size)[0].rows


def task_page(
    session: Session,
    actor: str,
    kind: str | None = None,
    *,
    at: datetime | None = None,
    start: Position = FIRST,
    size: int = 50,
) -> tuple[Window[TaskRow], Counted]:
    """The same from a position (`cases.keyset`: after or before a task number), with the
    bounded count of open tasks: at most three statements however many tasks and however
    deep the page (the position's task, the page with its cases and applicants joined, and
    the count)."""
    at = at or datetime.now(UTC)
    counted = bounded_count(session, repo.open_tasks_query(kind))
    anchor = repo.task_position(session, start.anchor) if start.anchor else None
    seek = plan(start, size, anchor, counted)
    read = window(repo.open_task_page(session, kind, seek), seek)
    found = read.map(lambda line: _row(session, *line, at))
    rows = found.rows
    repo.audit(
        session,
        actor,
        "staff_tasks.listed",
        detail={
            "kind": kind,
            "page": found.page,
            "tasks": [r.id for r in rows],
            "phones_shown": [r.id for r in rows if r.phone],
        },
        at=at,
    )
    return found, counted


def _row(
    session: Session,
    task: StaffTask,
    case: tuple[str | None, dict[str, Any] | None] | None,
    person: Applicant | None,
    at: datetime,
) -> TaskRow:
    # Only a task that names the applicant shows their number (an overdue item is the
    # office's business, not a reason to see the applicant's phone): the page's query joins
    # the applicant on the task's own applicant id.
    number, form = case or (None, None)
    name, phone = _whom_to_call(session, person, form or {})
    return TaskRow(
        id=task.id,
        kind=task.kind,
        kind_label=KIND_LABELS.get(task.kind, task.kind),
        case_number=number or task.detail.get("case_number"),
        applicant=name,
        phone=phone,
        detail={k: _mask(v) for k, v in task.detail.items()},
        due_at=_aware(task.due_at),
        created_at=_aware(task.created_at) or at,
    )


def _whom_to_call(
    session: Session, person: Applicant | None, form: dict[str, Any]
) -> tuple[str | None, str | None]:
    """The applicant's name and phone: from their record, else as typed in the form."""
    if person is None:
        return None, None
    phone = phone_of(session, person) or form.get("phone") or None
    return person.full_name or form.get("name"), str(phone) if phone else None


def close_task(session: Session, task_id: int, actor: str, note: str, *, at: datetime) -> int:
    """Mark an open task done with the clerk's note (audited); returns the task id.
    Raises TaskError for an unknown id, a closed task, an empty note or a rating follow-up."""
    text = note.strip()
    if not text:
        raise TaskError("请用 --note 写明处理情况，如“已电话告知受理结果”。")
    task = session.get(StaffTask, task_id)
    if task is None:
        raise TaskError(f"没有编号为 {task_id} 的任务，请用 staff tasks 查看待办任务。")
    if task.status != TaskStatus.open.value:
        when = local_time(_aware(task.done_at))
        raise TaskError(f"任务 {task_id} 已于 {when} 完成，无需重复办理。")
    if task.kind == FOLLOWUP_KIND:
        raise TaskError(
            f"任务 {task_id} 是差评回访，处理结果需告知申请人，"
            f'请用：staff followup {task_id} --outcome "处理结果" --as 您的姓名'
        )
    task.detail = {**task.detail, "done_note": text, "done_by": actor}
    repo.complete_staff_task(session, task_id, at=at)
    repo.audit(
        session,
        actor,
        "staff_task.done",
        case_id=task.case_id,
        detail={"task": task_id, "kind": task.kind, "note": text},
        at=at,
    )
    return task_id


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; the store writes UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def local_time(value: datetime | None) -> str:
    """A time as the clerk reads it, to the minute on the Ordos clock ("-" for none)."""
    return when.staff_moment(value, LOCAL_TZ)  # 2026年5月11日 18:00 (issue 13)


def _local_iso(value: datetime | None) -> str | None:
    return value.astimezone(LOCAL_TZ).isoformat(timespec="minutes") if value else None
