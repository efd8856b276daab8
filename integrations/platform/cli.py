"""Staff commands for the embedded platform, and `platform serve`.

    python main.py staff queue [--office CODE] [--json] --as NAME
    python main.py staff show CASE [--office CODE] [--json] --as NAME
    python main.py staff accept CASE --as NAME
    python main.py staff return CASE --material CODE --reason TEXT [...] --as NAME
    python main.py staff answer CASE --item CODE --result done|supplement|refused
                                [--data key=value ...] [--reason TEXT] [--office CODE] --as NAME
    python main.py platform serve [--host 127.0.0.1] [--port N] [--callback-url URL]

Exit codes: 0 done, 2 refused with a plain Chinese reason on stderr (wrong case number, wrong
office, item already answered ...), 1 unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

STAFF_HELP = "窗口综合受理人员与经办机构的办件操作（内置审批平台）"
_STATUS = {
    "received": "待受理",
    "returned": "已退回补正",
    "accepted": "已受理，办理中",
    "results_ready": "结果已就绪",
    "withdrawn": "已撤回",
    "pending": "办理中",
    "waiting": "等待前置事项",
    "done": "已办结",
    "supplement": "需补充",
    "refused": "不予办理",
    "online": "申请人网上自办",
}
_TZ = ZoneInfo("Asia/Shanghai")


def _subcommands(parser: argparse.ArgumentParser, dest: str) -> Any:
    """The parser's subcommand group, created once: another package (issue 7's ratings) may
    add its own `staff` commands to the same group."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=dest, required=True, metavar="COMMAND")


def _group(subparsers: Any, name: str, help_text: str) -> Any:
    parser = subparsers.choices.get(name) or subparsers.add_parser(
        name, help=help_text, description=help_text
    )
    return _subcommands(parser, f"{name}_command")


def register(subparsers: Any) -> None:
    staff = _group(subparsers, "staff", STAFF_HELP)

    def who(p: argparse.ArgumentParser) -> None:
        p.add_argument("--as", dest="actor", metavar="NAME", help="您的姓名（记入审计日志）")

    p = staff.add_parser("queue", help="待办队列：待受理的办件（超时的在前），或某经办机构的事项")
    p.add_argument("--office", metavar="CODE", help="经办机构代码，如 social_insurance_center")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    who(p)
    p.set_defaults(func=_command("queue"))

    p = staff.add_parser("show", help="查看一个办件（指定 --office 时只显示该机构可见的内容）")
    p.add_argument("case", metavar="CASE", help="办件编号，如 YJ-20261126-0001")
    p.add_argument("--office", metavar="CODE")
    p.add_argument("--json", action="store_true")
    who(p)
    p.set_defaults(func=_command("show"))

    p = staff.add_parser("accept", help="受理办件并分送各事项的经办机构")
    p.add_argument("case", metavar="CASE")
    who(p)
    p.set_defaults(func=_command("accept"))

    p = staff.add_parser("return", help="退回补正：写明每份材料和原因")
    p.add_argument("case", metavar="CASE")
    p.add_argument(
        "--material",
        action="append",
        default=[],
        metavar="CODE",
        help="材料代码，可重复，如 id_card",
    )
    p.add_argument(
        "--reason",
        action="append",
        default=[],
        metavar="TEXT",
        help="退回原因，与 --material 一一对应（只写一个时适用于全部）",
    )
    who(p)
    p.set_defaults(func=_command("return"))

    p = staff.add_parser("answer", help="经办机构答复事项：办结、需补充或不予办理")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--item", required=True, metavar="CODE")
    p.add_argument("--result", required=True, choices=("done", "supplement", "refused"))
    p.add_argument(
        "--data",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="办结数据，如 monthly_pension=3520.50",
    )
    p.add_argument("--reason", metavar="TEXT")
    p.add_argument("--office", metavar="CODE", help="答复机构（核对事项是否属于该机构）")
    who(p)
    p.set_defaults(func=_command("answer"))

    platform = _group(subparsers, "platform", "审批平台：通过签名的 HTTP 接口提供内置平台")
    p = platform.add_parser("serve", help="启动内置审批平台的 HTTP 服务与回调接口")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8780)
    p.add_argument(
        "--callback-url", metavar="URL", help="远端机器人的回调地址；不填则事件直接写入本数据库"
    )
    p.add_argument(
        "--callback-only",
        action="store_true",
        help="只提供本方回调接口（连接真实的远端审批平台时）",
    )
    p.set_defaults(func=_serve)


def _command(name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        return run_staff(name, args)

    return run


def run_staff(
    name: str, args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    from app.settings import load_settings
    from cases.db import open_database
    from cases.errors import IllegalTransition
    from integrations.platform.embedded import EmbeddedPlatform, StaffError
    from integrations.platform.factory import office_hours

    if not (args.actor or "").strip():
        print("请用 --as 写明您的姓名（每次查看和操作都记入审计日志）。", file=err)
        return 2
    settings = load_settings()
    db = open_database(settings)
    try:
        platform = EmbeddedPlatform(db, office_hours=office_hours(settings))
        return _dispatch(name, args, db, platform, out)
    except StaffError as exc:
        print(exc.message, file=err)
        return 2
    except IllegalTransition as exc:
        # Same database: the applicant's side moved meanwhile (e.g. withdrew the case).
        print(f"申请人一方的办件状态不允许此操作（{exc.state}），请刷新后再试。", file=err)
        return 2
    finally:
        db.close_blocking()


def _actor(args: argparse.Namespace) -> str:
    office = getattr(args, "office", None)
    return f"staff:{args.actor.strip()}" + (f"@{office}" if office else "")


def _dispatch(name: str, args: argparse.Namespace, db: Any, platform: Any, out: TextIO) -> int:
    from integrations.platform.adapter import MaterialIssue
    from integrations.platform.embedded import StaffError

    actor = _actor(args)
    if name == "queue":
        rows = db.run_blocking(platform.queue, actor, args.office)
        if args.json:
            print(json.dumps([_row_json(r) for r in rows], ensure_ascii=False, indent=1), file=out)
        elif not rows:
            print("队列为空。", file=out)
        for r in [] if args.json else rows:
            line = f"{r.case_number}  {_STATUS.get(r.status, r.status)}  {r.applicant}"
            if r.item and r.office:
                line += f"  事项 {r.item}  截止 {_local(r.due_at)}"
            elif r.item:
                line += f"  超时事项：{r.item}"
            print(line + ("  【已超时】" if r.overdue else ""), file=out)
        return 0
    if name == "show":
        view = db.run_blocking(platform.show, args.case, actor, args.office)
        if args.json:
            print(
                json.dumps(_view_json(view), ensure_ascii=False, indent=1, default=str), file=out
            )
            return 0
        print(f"办件 {view.case_number}  {_STATUS.get(view.status, view.status)}", file=out)
        print("表单：", file=out)
        for key, value in view.fields.items():
            print(f"  {key}: {value}", file=out)
        print("材料：", file=out)
        for code, m in view.materials.items():
            state = "遗失，由经办机构查询" if m.get("lost") else f"{m.get('pages', 0)} 页"
            if m.get("returned"):
                state += f"（已退回：{m['returned']}）"
            print(f"  {code}: {state}", file=out)
        print("事项：", file=out)
        for i in view.items:
            due = f"  截止 {_local(i.due_at)}" if i.due_at else ""
            print(f"  {i.item} @ {i.office}: {_STATUS.get(i.status, i.status)}{due}", file=out)
        if not args.office:  # the clerk also sees the end: notice version, signature, rating
            from aftercare.reports import format_notice_status, notice_status

            end = db.run_blocking(notice_status, view.case_number)
            if end is not None and end["notice_sha256"]:
                print("结果告知：", file=out)
                for line in format_notice_status(end).splitlines()[1:]:
                    print(f"  {line}", file=out)
        return 0
    if name == "accept":
        event = db.run_blocking(platform.accept, args.case, actor)
        print(f"已受理办件 {event.case_number}，分送 {len(event.items)} 个事项：", file=out)
        for item in event.items:
            when = (
                "申请人网上自办"
                if item.online
                else (f"截止 {_local(item.due_at)}" if item.due_at else "等待前置事项办结后计时")
            )
            print(f"  {item.item} → {item.office}  {when}", file=out)
        return 0
    if name == "return":
        reasons = list(args.reason)
        if len(reasons) == 1 and len(args.material) > 1:
            reasons = reasons * len(args.material)
        if not args.material or len(reasons) != len(args.material):
            raise StaffError(
                "no_material", "请为每份材料写明代码和原因：--material 代码 --reason 原因。"
            )
        issues = [MaterialIssue(c, r) for c, r in zip(args.material, reasons, strict=True)]
        event = db.run_blocking(platform.return_for_correction, args.case, issues, actor)
        print(f"已退回办件 {event.case_number} 补正：", file=out)
        for issue in event.materials:
            print(f"  {issue.code}：{issue.reason}", file=out)
        return 0
    if name == "answer":
        data: dict[str, str] = {}
        for pair in args.data:
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise StaffError(
                    "bad_data", f"数据“{pair}”格式不对，应为 键=值，如 town=阿勒腾席热镇。"
                )
            data[key.strip()] = value
        events = db.run_blocking(
            platform.answer,
            args.case,
            args.item,
            args.result,
            actor,
            data,
            args.reason,
            args.office,
        )
        print(
            f"已答复办件 {events[0].case_number} 的事项 {args.item}："
            f"{_STATUS.get(args.result, args.result)}。",
            file=out,
        )
        for event in events[1:]:
            if event.kind == "item_dispatched":
                print(f"  事项 {event.item} 开始计时，截止 {_local(event.due_at)}。", file=out)
            elif event.kind == "all_answered":
                print("  该办件各事项均已答复，结果已就绪。", file=out)
        return 0
    raise AssertionError(name)


def _local(value: datetime | None) -> str:
    return value.astimezone(_TZ).strftime("%Y-%m-%d %H:%M") if value else "-"


def _row_json(r: Any) -> dict[str, Any]:
    return {
        "case_number": r.case_number,
        "status": r.status,
        "applicant": r.applicant,
        "received_at": r.received_at.isoformat(),
        "item": r.item,
        "office": r.office,
        "item_status": r.item_status,
        "due_at": r.due_at.isoformat() if r.due_at else None,
        "overdue": r.overdue,
    }


def _view_json(view: Any) -> dict[str, Any]:
    return {
        "case_number": view.case_number,
        "status": view.status,
        "viewer": view.viewer,
        "fields": view.fields,
        "materials": view.materials,
        "items": [
            {
                "item": i.item,
                "office": i.office,
                "status": i.status,
                "due_at": i.due_at.isoformat() if i.due_at else None,
            }
            for i in view.items
        ],
    }


def _serve(args: argparse.Namespace) -> int:
    import asyncio

    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from cases.db import open_database

    settings = load_settings()
    setup_logging(settings.log_level)
    db = open_database(settings)  # migrated on the embedded default (platform tables too)
    try:
        asyncio.run(
            serve(settings, db, args.host, args.port, args.callback_url, args.callback_only)
        )
    except KeyboardInterrupt:
        pass
    finally:
        db.close_blocking()
    return 0


async def serve(
    settings: Any,
    db: Any,
    host: str,
    port: int,
    callback_url: str | None,
    callback_only: bool = False,
    stop: Any = None,
) -> None:
    """Run the HTTP app until `stop` (an asyncio.Event) is set or the process is interrupted.
    Background loops (overdue flags, callback delivery) are owned here and cancelled on exit."""
    import asyncio
    import contextlib
    import logging
    import signal

    import aiohttp
    from aiohttp import web

    from integrations.platform.callbacks import deliver_callbacks
    from integrations.platform.embedded import (
        EmbeddedPlatform,
        apply_in_same_transaction,
        queue_for_callback,
    )
    from integrations.platform.factory import office_hours, platform_secret
    from integrations.platform.http_server import Security, build_app

    log = logging.getLogger(__name__)
    secret = platform_secret(settings)
    security = Security(secret, max_age_seconds=settings.platform.callback_max_age_seconds)
    platform = None
    if not callback_only:
        platform = EmbeddedPlatform(
            db,
            sink=queue_for_callback if callback_url else apply_in_same_transaction,
            office_hours=office_hours(settings),
        )
    app = build_app(platform=platform, callback_db=db, security=security)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    print(f"审批平台接口已启动：http://{host}:{port}  (Ctrl+C 停止)", flush=True)
    stop = stop or asyncio.Event()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)

    async def overdue_loop() -> None:
        while platform is not None:
            try:
                flagged = await db.run(platform.flag_overdue)
                if flagged:
                    log.info("flagged %d overdue items to the clerk", len(flagged))
            except Exception:  # the loop outlives a database hiccup
                log.exception("overdue check failed")
            await asyncio.sleep(60)

    async def callback_loop(http: aiohttp.ClientSession) -> None:
        while callback_url:
            try:
                await deliver_callbacks(db, http, callback_url, secret)
            except Exception:
                log.exception("callback delivery failed")
            await asyncio.sleep(1)

    async with aiohttp.ClientSession() as http:
        tasks = [asyncio.create_task(overdue_loop()), asyncio.create_task(callback_loop(http))]
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await runner.cleanup()
