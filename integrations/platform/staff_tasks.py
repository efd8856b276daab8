"""The clerk's task list: who to phone, which hand-over to answer, which item is late.

    python main.py staff tasks [--kind KIND] [--json] --as NAME
    python main.py staff done TASK --note TEXT --as NAME

Tasks are raised elsewhere (a blocked bot in bot/push_sender.py, a hand-over to a person in
dialogs/service.py, an overdue item in the embedded platform, a bad rating in aftercare, a
notice or check that failed three times in aftercare/failures.py). This
is the one place the applicant's phone number is shown in full, because the clerk must call
it; so every listing is written to the audit log with the ids of the tasks shown.

Exit codes: 0 done, 2 refused with a plain Chinese reason on stderr, 1 unexpected failure.
Imported for every `main.py` command: heavy imports stay inside the functions.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cases.db import Database

KIND_LABELS: dict[str, str] = {
    "phone_applicant": "电话通知申请人（无法推送）",
    "handover": "转人工：申请人需要人工解答",
    "objection": "申请人对办理结果有异议，请电话沟通",
    "overdue": "事项超时未办结",
    "rating_followup": "差评回访",
    "online_step_help": "网办事项协助",
    "platform_call_failed": "审批平台调用失败",
    "notice_failed": "结果告知单生成失败，请人工处理",
    "online_check_failed": "网办回访提醒发送失败，请人工处理",
    "reminder_failed": "退休提醒发送失败，请电话提醒",
    "phone_medical": "电话告知医保缴费和补缴情况",
}
FOLLOWUP_KIND = "rating_followup"  # closed with `staff followup`, which tells the applicant
_TZ = ZoneInfo("Asia/Shanghai")


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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["due_at"] = _local_iso(self.due_at)
        data["created_at"] = _local_iso(self.created_at)
        return data


def list_tasks(
    session: Session, actor: str, kind: str | None = None, *, at: datetime | None = None
) -> list[TaskRow]:
    """Open tasks, most urgent first (by due time, or by creation for a task without one),
    with the applicant's phone in full; the listing is audited with the task ids shown."""
    from app.logging_setup import mask_text
    from cases import repositories as repo
    from cases.models import Applicant, Case
    from cases.repositories.applicants import phone_of

    at = at or datetime.now(UTC)
    rows: list[TaskRow] = []
    for task in repo.open_staff_tasks(session, kind):
        case = session.get(Case, task.case_id) if task.case_id is not None else None
        # Only a task that names the applicant shows their number (an overdue item is the
        # office's business, not a reason to see the applicant's phone).
        person = session.get(Applicant, task.applicant_id) if task.applicant_id else None
        phone = phone_of(session, person) if person is not None else None
        if phone is None and person is not None and case is not None:
            phone = (case.form or {}).get("phone") or None  # the number typed in the form
        name = None
        if person is not None:
            name = person.full_name or ((case.form or {}).get("name") if case else None)
        rows.append(
            TaskRow(
                id=task.id,
                kind=task.kind,
                kind_label=KIND_LABELS.get(task.kind, task.kind),
                case_number=(case.number if case is not None else None)
                or task.detail.get("case_number"),
                applicant=name,
                phone=str(phone) if phone else None,
                detail={k: _mask(v, mask_text) for k, v in task.detail.items()},
                due_at=_aware(task.due_at),
                created_at=_aware(task.created_at) or at,
            )
        )
    rows.sort(key=lambda r: (r.due_at or r.created_at, r.id))
    repo.audit(
        session,
        actor,
        "staff_tasks.listed",
        detail={
            "kind": kind,
            "tasks": [r.id for r in rows],
            "phones_shown": [r.id for r in rows if r.phone],
        },
        at=at,
    )
    return rows


def close_task(session: Session, task_id: int, actor: str, note: str, *, at: datetime) -> int:
    """Mark an open task done with the clerk's note (audited); returns the task id.
    Raises TaskError for an unknown id, a closed task, an empty note or a rating follow-up."""
    from cases import repositories as repo
    from cases.models import StaffTask, TaskStatus

    text = note.strip()
    if not text:
        raise TaskError("请用 --note 写明处理情况，如“已电话告知受理结果”。")
    task = session.get(StaffTask, task_id)
    if task is None:
        raise TaskError(f"没有编号为 {task_id} 的任务，请用 staff tasks 查看待办任务。")
    if task.status != TaskStatus.open.value:
        when = _local(_aware(task.done_at))
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


# -- the commands ----------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    from commands.platform import STAFF_HELP, _group

    staff = _group(subparsers, "staff", STAFF_HELP)
    p = staff.add_parser("tasks", help="待办任务：需电话联系的申请人、转人工、超时事项等")
    p.add_argument("--kind", choices=sorted(KIND_LABELS), help="只看一类任务")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--as", dest="actor", metavar="ACCOUNT", help="您的工作人员账号")
    p.set_defaults(func=run_tasks)
    p = staff.add_parser("done", help="完成一项待办任务（差评回访请用 staff followup）")
    p.add_argument("task", type=int, metavar="TASK", help="任务编号（见 staff tasks）")
    p.add_argument("--note", required=True, metavar="TEXT", help="处理情况")
    p.add_argument("--as", dest="actor", metavar="ACCOUNT", help="您的工作人员账号")
    p.set_defaults(func=run_done)


def run_tasks(
    args: argparse.Namespace,
    db: Database | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    from cases.staff_actor import NotAllowed

    try:
        rows = _with_db(db, lambda d: d.run_blocking(_tasks_as, args.actor, args.kind))
    except NotAllowed as exc:
        print(exc.message, file=err)
        return 2
    if args.json:
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=1), file=out)
        return 0
    if not rows:
        print("没有待办任务。", file=out)
    for r in rows:
        print(f"#{r.id}  {r.kind_label}  截止 {_local(r.due_at)}", file=out)
        who = r.applicant or "-"
        print(f"  办件 {r.case_number or '-'}  申请人 {who}  电话 {r.phone or '-'}", file=out)
        for key, value in r.detail.items():
            shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
            print(f"  {key}: {shown}", file=out)
    return 0


def run_done(
    args: argparse.Namespace,
    db: Database | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    from cases.staff_actor import NotAllowed

    try:
        _with_db(db, lambda d: d.run_blocking(_done_as, args.actor, args.task, args.note))
    except NotAllowed as exc:
        print(exc.message, file=err)
        return 2
    except TaskError as exc:
        print(exc.message, file=err)
        return 2
    print(f"任务 {args.task} 已完成。", file=out)
    return 0


def _tasks_as(session: Session, username: str | None, kind: str | None) -> list[TaskRow]:
    from cases.staff_actor import CLERK, acting_account

    now = datetime.now(UTC)
    acting = acting_account(session, username, (CLERK,), at=now)
    return list_tasks(session, acting.actor, kind, at=now)


def _done_as(session: Session, username: str | None, task_id: int, note: str) -> int:
    from cases.staff_actor import CLERK, acting_account

    now = datetime.now(UTC)
    acting = acting_account(session, username, (CLERK,), at=now)
    return close_task(session, task_id, acting.actor, note, at=now)


def _with_db(db: Database | None, work: Any) -> Any:
    if db is not None:
        return work(db)
    from app.settings import load_settings
    from runtime.services import Services

    services = Services.build(load_settings())  # the composition root
    try:
        return work(services.db)
    finally:
        services.close_blocking()


def _mask(value: Any, mask: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _mask(v, mask) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, mask) for v in value]
    return value


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; the store writes UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _local(value: datetime | None) -> str:
    return value.astimezone(_TZ).strftime("%Y-%m-%d %H:%M") if value else "-"


def _local_iso(value: datetime | None) -> str | None:
    return value.astimezone(_TZ).isoformat(timespec="minutes") if value else None
