"""What `python main.py staff tasks` and `staff done` do and print (parsing is in
`platform.py`; the task list itself is `cases.tasks`).

Exit codes: 0 done, 2 refused with a plain Chinese reason on stderr, 1 unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy.orm import Session

from app.settings import load_settings
from cases.db import Database
from cases.keyset import Position, Window
from cases.paging import Counted
from cases.staff_actor import CLERK, NotAllowed, acting_account
from cases.tasks import TaskError, TaskRow, close_task, local_time, task_page
from commands.staff_text import nothing_on, page_footer, position_of
from integrations.platform.labels import Labels
from locales import Translator
from runtime.services import Services


def run_tasks(
    args: argparse.Namespace,
    db: Database | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    try:
        at, size = position_of(args), getattr(args, "limit", 50)
        found, counted = _with_db(
            db, lambda d: d.run_blocking(_tasks_as, args.actor, args.kind, at, size)
        )
    except NotAllowed as exc:
        print(exc.message, file=err)
        return 2
    rows = found.rows
    if args.json:
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=1), file=out)
        return 0
    labels = Labels(Translator("zh_CN"))
    if not rows:
        print(nothing_on(found.page) if found.earlier else "没有待办任务。", file=out)
    for r in rows:
        print(f"#{r.id}  {r.kind_label}  截止 {local_time(r.due_at)}", file=out)
        who = r.applicant or "-"
        print(f"  办件 {r.case_number or '-'}  申请人 {who}  电话 {r.phone or '-'}", file=out)
        context = labels.task_context(r.detail) or _words(r.detail)
        if context:
            print(f"  {context}", file=out)
        for label, value in r.notes:  # what is written for people; the codes stay in --json
            print(f"  {label}：{value}", file=out)
    if rows:
        after = str(rows[-1].id) if found.later else None
        print(page_footer(found.page, size, counted.total, counted.more, after=after), file=out)
    return 0


def _words(detail: dict[str, Any]) -> str:
    """A hand-over without a stage (older tasks): the worker's question, if it is words."""
    question = str(detail.get("question") or "")
    return f"申请人的问题：{question}" if question and not question.isascii() else ""


def run_done(
    args: argparse.Namespace,
    db: Database | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
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


def _tasks_as(
    session: Session, username: str | None, kind: str | None, at: Position, size: int
) -> tuple[Window[TaskRow], Counted]:
    """One page of the list, as the clerk's account (`cases.staff_actor`) sees it."""
    now = datetime.now(UTC)
    acting = acting_account(session, username, (CLERK,), at=now)
    return task_page(session, acting.actor, kind, at=now, start=at, size=size)


def _done_as(session: Session, username: str | None, task_id: int, note: str) -> int:
    now = datetime.now(UTC)
    acting = acting_account(session, username, (CLERK,), at=now)
    return close_task(session, task_id, acting.actor, note, at=now)


def _with_db(db: Database | None, work: Any) -> Any:
    if db is not None:
        return work(db)
    services = Services.build(load_settings())  # the composition root
    try:
        return work(services.db)
    finally:
        services.close_blocking()
