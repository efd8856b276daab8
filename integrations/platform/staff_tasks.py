"""The clerk's task list on the command line (the list itself is `cases.tasks`):

    python main.py staff tasks [--kind KIND] [--json] --as NAME
    python main.py staff done TASK --note TEXT --as NAME

Exit codes: 0 done, 2 refused with a plain Chinese reason on stderr, 1 unexpected failure.
Imported for every `main.py` command to build its parser: what a command needs (the models,
the database) is imported inside the function that runs it, for start-up time.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from cases.task_kinds import KIND_LABELS
from integrations.platform.cli import STAFF_HELP, _group

if TYPE_CHECKING:
    from cases.db import Database


def register(subparsers: Any) -> None:
    staff = _group(subparsers, "staff", STAFF_HELP)
    p = staff.add_parser("tasks", help="待办任务：需电话联系的申请人、转人工、超时事项等")
    p.add_argument("--kind", choices=sorted(KIND_LABELS), help="只看一类任务")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--as", dest="actor", metavar="NAME", help="您的姓名（记入审计日志）")
    p.set_defaults(func=run_tasks)
    p = staff.add_parser("done", help="完成一项待办任务（差评回访请用 staff followup）")
    p.add_argument("task", type=int, metavar="TASK", help="任务编号（见 staff tasks）")
    p.add_argument("--note", required=True, metavar="TEXT", help="处理情况")
    p.add_argument("--as", dest="actor", metavar="NAME", help="您的姓名（记入审计日志）")
    p.set_defaults(func=run_done)


def run_tasks(
    args: argparse.Namespace,
    db: Database | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    from cases.tasks import list_tasks, local_time  # the models: only when the command runs

    actor = _actor(args, err)
    if actor is None:
        return 2
    rows = _with_db(db, lambda d: d.run_blocking(list_tasks, actor, args.kind))
    if args.json:
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=1), file=out)
        return 0
    if not rows:
        print("没有待办任务。", file=out)
    for r in rows:
        print(f"#{r.id}  {r.kind_label}  截止 {local_time(r.due_at)}", file=out)
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
    from cases.tasks import TaskError, close_task  # the models: only when the command runs

    actor = _actor(args, err)
    if actor is None:
        return 2
    try:
        _with_db(
            db,
            lambda d: d.run_blocking(
                close_task, args.task, actor, args.note, at=datetime.now(UTC)
            ),
        )
    except TaskError as exc:
        print(exc.message, file=err)
        return 2
    print(f"任务 {args.task} 已完成。", file=out)
    return 0


def _actor(args: argparse.Namespace, err: TextIO) -> str | None:
    name = (args.actor or "").strip()
    if not name:
        print("请用 --as 写明您的姓名（每次查看和操作都记入审计日志）。", file=err)
        return None
    return f"staff:{name}"


def _with_db(db: Database | None, work: Any) -> Any:
    if db is not None:
        return work(db)
    # The composition root, only when the command runs (it builds the whole service).
    from app.settings import load_settings
    from runtime.services import Services

    services = Services.build(load_settings())
    try:
        return work(services.db)
    finally:
        services.close_blocking()
