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

from app.settings import load_settings
from cases.db import Database
from cases.tasks import TaskError, close_task, list_tasks, local_time
from runtime.services import Services


def run_tasks(
    args: argparse.Namespace,
    db: Database | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
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
    services = Services.build(load_settings())  # the composition root
    try:
        return work(services.db)
    finally:
        services.close_blocking()
