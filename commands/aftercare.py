"""Commands of the end of the journey.

    python main.py demo [--sandbox]                  a whole case in accelerated time
    python main.py staff ratings [--page N] [--limit M] [--json]
                                                     ratings and their follow-ups
    python main.py staff followup TASK --outcome TEXT --as NAME
                                                     close a bad rating's return visit
    python main.py staff notice CASE [--json] [--save DIR]
                                                     notice version, signature, rating, steps;
                                                     --save: the notice's PDFs into DIR
    python main.py aftercare tick                    deliver due notices and online-step checks
                                                     (exit 0 also when some cases failed: they
                                                     are recorded, retried, and listed on
                                                     stderr; 1 only when the sweep itself fails)

The `staff` commands join the platform's `staff` group (integrations/platform/cli.py), so
this module must come after it in main.py's COMMAND_MODULES.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.clock import LOCAL_TZ


def _staff_group(subparsers: Any) -> Any:
    from commands.platform import STAFF_HELP, _group

    return _group(subparsers, "staff", STAFF_HELP)


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo", help="演示：一件完整办件（加速时间）· a whole case in accelerated time"
    )
    demo.add_argument(
        "--sandbox", action="store_true", help="use data/sandbox.db, apart from real cases"
    )
    demo.set_defaults(func=run_demo)

    from commands.platform import paging

    staff = _staff_group(subparsers)
    p = staff.add_parser("ratings", help="好差评及差评回访情况")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    paging(p)
    p.add_argument("--as", dest="actor", required=True, metavar="ACCOUNT", help="您的工作人员账号")
    p.set_defaults(func=run_ratings)
    p = staff.add_parser("followup", help="完成差评回访：写明处理结果（会告知申请人）")
    p.add_argument("task", type=int, metavar="TASK", help="回访任务编号（见 staff ratings）")
    p.add_argument("--outcome", required=True, help="处理结果，原文告知申请人")
    p.add_argument("--as", dest="actor", required=True, metavar="ACCOUNT", help="您的工作人员账号")
    p.set_defaults(func=run_followup)
    p = staff.add_parser("notice", help="查看结果告知单版本、签字、评价和网办事项")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--save",
        metavar="DIR",
        help="把结果告知单（已签字时还有签字版）的 PDF 保存到该文件夹（记入审计日志）",
    )
    p.add_argument("--as", dest="actor", required=True, metavar="ACCOUNT", help="您的工作人员账号")
    p.set_defaults(func=run_notice)

    tick = subparsers.add_parser(
        "aftercare", help="送达结果告知单、网办回访（一次）· deliver notices and checks once"
    )
    sub = tick.add_subparsers(dest="aftercare_command", required=True, metavar="ACTION")
    sub.add_parser("tick", help="deliver due notices and online-step checks once").set_defaults(
        func=run_tick
    )


def run_demo(args: argparse.Namespace) -> int:
    from commands.demo import run

    return run(args.sandbox)


def _open() -> Any:
    """The composition root's services, and their database."""
    from app.settings import load_settings
    from runtime.services import Services

    services = Services.build(load_settings())
    return services, services.db


def _acting(db: Any, args: argparse.Namespace, roles: tuple[str, ...]) -> Any:
    """The account the command runs as (`cases.staff_actor`); None after saying why not."""
    from cases.staff_actor import NotAllowed, acting_account

    try:
        return db.run_blocking(acting_account, args.actor, roles, at=datetime.now(UTC))
    except NotAllowed as exc:
        print(exc.message, file=sys.stderr)
        return None


def run_ratings(args: argparse.Namespace) -> int:
    from aftercare import reports

    _, db = _open()
    try:
        acting = _acting(db, args, ("clerk", "supervisor"))
        if acting is None:
            return 2
        from commands.staff_text import position_of

        found, counted = db.run_blocking(
            _ratings_seen, acting.actor, datetime.now(UTC), position_of(args), args.limit
        )
    finally:
        db.close_blocking()
    rows = found.rows
    if args.json:
        payload = {"summary": counted, "ratings": [r.to_json() for r in rows]}
        # The follow-ups' counts stop at the cap: a number, or "1000+" (cases.paging.Counted).
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=lambda c: c.to_json()))
    else:
        from commands.staff_text import page_footer

        print(reports.format_ratings(rows, counted))
        if rows:
            after = rows[-1].case_number if found.later else None
            print(page_footer(found.page, args.limit, counted["total"], after=after))
    return 0


def _ratings_seen(session: Any, actor: str, now: datetime, at: Any, size: int) -> Any:
    """One page of the ratings report with the counts of all, and who read it (audited)."""
    from aftercare import reports
    from cases.repositories import audit

    counted = reports.rating_summary(session, now=now)
    found = reports.ratings_page(session, now=now, at=at, size=size, total=counted["total"])
    detail = {"rows": len(found.rows), "page": found.page}
    audit(session, actor, "staff.ratings.viewed", detail=detail, at=now)
    return found, counted


def _notice_seen(session: Any, number: str, actor: str) -> Any:
    from aftercare import reports
    from cases.repositories import audit

    view = reports.notice_status(session, number)
    if view is not None:
        audit(session, actor, "staff.notice.viewed", detail={"case_number": number})
    return view


def run_followup(args: argparse.Namespace) -> int:
    from aftercare.followups import close_followup

    _, db = _open()
    try:
        acting = _acting(db, args, ("clerk",))
        if acting is None:
            return 2
        db.run_blocking(
            close_followup, args.task, args.outcome, acting.username, at=datetime.now(UTC)
        )
    except (LookupError, ValueError) as exc:
        print(f"未能完成：{exc}", file=sys.stderr)
        return 2
    finally:
        db.close_blocking()
    print(f"回访 #{args.task} 已完成，处理结果已告知申请人。")
    return 0


def run_notice(args: argparse.Namespace) -> int:
    from aftercare import reports

    services, db = _open()
    saved: list[Path] = []
    try:
        acting = _acting(db, args, ("clerk",))
        if acting is None:
            return 2
        view = db.run_blocking(_notice_seen, args.case.strip(), acting.actor)
        if view is not None and args.save:
            saved = _save_copies(services, args.case, acting.actor, Path(args.save))
    finally:
        services.close_blocking()
    if view is None:
        print(f"没有办件 {args.case}", file=sys.stderr)
        return 2
    print(
        json.dumps(view, ensure_ascii=False, indent=2)
        if args.json
        else reports.format_notice_status(view)
    )
    if args.save:
        for path in saved:
            print(f"已保存：{path}", file=sys.stderr if args.json else sys.stdout)
        if not saved:
            print("该办件还没有结果告知单，未保存文件。", file=sys.stderr)
    return 0


def _save_copies(services: Any, number: str, actor: str, folder: Path) -> list[Path]:
    """The case's notice and signed copy as PDFs in `folder` (audited, one row each)."""
    from aftercare.staff_copies import available, staff_copy

    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for document in services.db.run_blocking(available, number):
        found = services.db.run_blocking(staff_copy, number, document, actor)
        if found is None:
            continue
        path = folder / found.file_name
        path.write_bytes(services.files.read(found.address))
        saved.append(path)
    return saved


def run_tick(args: argparse.Namespace) -> int:
    from aftercare.worker import tick_blocking

    services, db = _open()
    try:
        result = tick_blocking(db, services.aftercare, now=services.clock())
    finally:
        db.close_blocking()
    print(
        f"送达结果告知单 {len(result.delivered)} 件，网办回访 {result.checks_sent} 条，"
        f"退休提醒 {result.reminders_sent} 条"
    )
    if result.failed:
        print(failures_text(result.failed), file=sys.stderr)
    return 0


JOB_NAMES = {
    "notice": "结果告知单未能生成",
    "online_check": "网办回访未能发出",
    "retirement_reminder": "退休提醒未能发出",
}


def failures_text(failed: list[Any]) -> str:
    """The cases that failed in this tick, for the person who ran it: plain Chinese."""

    lines = [f"有 {len(failed)} 件未能处理，已记录，将自动重试（其他办件不受影响）："]
    for f in failed:
        when = f.next_attempt_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
        task = f"，已转人工处理（任务 #{f.staff_task_id}）" if f.staff_task_id else ""
        lines.append(
            f"  办件 {f.case_number or '-'}：{JOB_NAMES.get(f.job, f.job)}"
            f"（第 {f.attempts} 次失败，下次重试 {when}{task}）"
        )
    return "\n".join(lines)
