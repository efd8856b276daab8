"""Staff commands for the embedded platform, and `platform serve`.

    python main.py staff queue [--page N] [--limit M] [--json] --as ACCOUNT
    python main.py staff show CASE [--json] --as ACCOUNT
    python main.py staff accept CASE --as ACCOUNT
    python main.py staff return CASE --material MATERIAL --reason TEXT [...] --as ACCOUNT
    python main.py staff route CASE --town TOWN --as ACCOUNT
    python main.py staff birth-date CASE --date YYYY-MM-DD --as ACCOUNT
    python main.py staff answer CASE [--item ITEM] --result done|supplement|refused
                                [--data key=value ...] [--reason TEXT] --as ACCOUNT
    python main.py staff tasks [--kind KIND] [--page N] [--limit M] [--json] --as ACCOUNT
    python main.py staff done TASK --note TEXT --as ACCOUNT
    python main.py platform serve [--host 127.0.0.1] [--port N] [--callback-url URL]

`--as` names an active account of the staff console (`staff user add`); its role decides
what the command may do (`cases.staff_actor`): an office account sees and answers only its
own office's items (`--office`, when given, must be its own).

Exit codes: 0 done, 2 refused with a plain Chinese reason on stderr (wrong case number, wrong
office, item already answered ...), 1 unexpected failure.

This module builds the parsers (it is imported for every `main.py` command, so it stays
light); what the commands do is in `staff.py`, `staff_tasks.py` and `platform_serve.py`,
imported only when a command runs.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.setting_types import listen_port
from cases.task_kinds import KIND_LABELS

STAFF_HELP = "窗口综合受理人员与经办机构的办件操作（内置审批平台）"


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
        p.add_argument(
            "--as",
            dest="actor",
            metavar="ACCOUNT",
            help="您的工作人员账号（按账号的角色办理，记入审计日志）",
        )

    p = staff.add_parser("queue", help="待办队列：待受理的办件（超时的在前），或某经办机构的事项")
    p.add_argument("--office", metavar="CODE", help="经办机构代码（须是本账号的机构，可不写）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    paging(p)
    who(p)
    p.set_defaults(func=_quick_queue)

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
        metavar="MATERIAL",
        help="材料名称或代码，可重复，如 身份证",
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

    p = staff.add_parser("route", help="分派社会化管理服务登记到申请人所在的镇（核实后）")
    p.add_argument("case", metavar="CASE")
    p.add_argument("--town", required=True, metavar="TOWN", help="镇代码或名称，如 阿镇")
    who(p)
    p.set_defaults(func=_command("route"))

    p = staff.add_parser(
        "birth-date", help="录入档案记载的出生日期（与身份证不一致时重算退休时间）"
    )
    p.add_argument("case", metavar="CASE")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="档案出生日期")
    who(p)
    p.set_defaults(func=_command("birth-date"))

    p = staff.add_parser("answer", help="经办机构答复事项：办结、需补充或不予办理")
    p.add_argument("case", metavar="CASE")
    p.add_argument(
        "--item",
        metavar="ITEM",
        help="事项名称或代码，如 退役军人信息查询（本机构只办一个事项时可不写）",
    )
    p.add_argument("--result", required=True, choices=("done", "supplement", "refused"))
    p.add_argument(
        "--data",
        nargs="+",
        action="extend",  # `--data a=1 b=2` and `--data a=1 --data b=2` both keep every pair
        default=[],
        metavar="KEY=VALUE",
        help="办结数据，如 monthly_pension=3520.50（可写多个，也可重复 --data；可填的键见 "
        "staff show）；需补充时写明材料，如 materials=退伍证",
    )
    p.add_argument("--reason", metavar="TEXT")
    p.add_argument("--office", metavar="CODE", help="答复机构（核对事项是否属于该机构）")
    who(p)
    p.set_defaults(func=_command("answer"))
    _task_commands(staff)

    platform = _group(subparsers, "platform", "审批平台：通过签名的 HTTP 接口提供内置平台")
    p = platform.add_parser("serve", help="启动内置审批平台的 HTTP 服务与回调接口")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=listen_port, default=8780)
    p.add_argument(
        "--callback-url",
        metavar="URL",
        help="远端机器人的回调地址（或设置 PLATFORM__CALLBACK_URL，本部署的 staff 命令也据此"
        "把事件发给远端）；不填则事件直接写入本数据库",
    )
    p.add_argument(
        "--callback-only",
        action="store_true",
        help="只提供本方回调接口（连接真实的远端审批平台时）",
    )
    p.set_defaults(func=_serve)


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("须为正整数")
    return number


def paging(p: argparse.ArgumentParser, limit: int = 50, row: str = "办件编号") -> None:
    """`--page N --limit M`, `--after ROW`, `--last`: a staff list is read one page at a time,
    whatever its length; the next page from the last row shown (`cases.keyset`), as each
    page's footer says."""
    p.add_argument("--page", type=positive, metavar="N", help="第几页（默认第 1 页）")
    p.add_argument(
        "--limit", type=positive, default=limit, metavar="M", help=f"每页条数（默认 {limit}）"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--after", metavar=row, help=f"接着读这一{row}之后的一页（见每页末尾的提示）"
    )
    where.add_argument("--last", action="store_true", help="最后一页")


def _command(name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        from commands.staff import run_staff

        return run_staff(name, args)

    return run


def _quick_queue(args: argparse.Namespace) -> int:
    from commands.staff_queue import run_queue

    return run_queue(args)


def _serve(args: argparse.Namespace) -> int:
    from commands.platform_serve import run_serve

    return run_serve(args)


def _tasks_command(name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        from commands import staff_tasks

        return int(getattr(staff_tasks, name)(args))

    return run


def _task_commands(staff: Any) -> None:
    """`staff tasks` and `staff done`: the clerk's task list (`cases.tasks`)."""
    p = staff.add_parser("tasks", help="待办任务：需电话联系的申请人、转人工、超时事项等")
    p.add_argument("--kind", choices=sorted(KIND_LABELS), help="只看一类任务")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    paging(p, row="任务编号")
    p.add_argument("--as", dest="actor", metavar="ACCOUNT", help="您的工作人员账号")
    p.set_defaults(func=_tasks_command("run_tasks"))
    p = staff.add_parser("done", help="完成一项待办任务（差评回访请用 staff followup）")
    p.add_argument("task", type=int, metavar="TASK", help="任务编号（见 staff tasks）")
    p.add_argument("--note", required=True, metavar="TEXT", help="处理情况")
    p.add_argument("--as", dest="actor", metavar="ACCOUNT", help="您的工作人员账号")
    p.set_defaults(func=_tasks_command("run_done"))
