"""Commands of the staff console.

    python main.py web [--host 127.0.0.1] [--port 8700]
    python main.py staff user add --username NAME --role clerk|supervisor|<office> --password-stdin
    python main.py staff user disable --username NAME
    python main.py staff user reset-password --username NAME --password-stdin

The password is read from the first line of stdin (never an argument: it would show in the
process list and the shell history). Exit codes: 0 done, 2 refused with a plain Chinese reason
on stderr. Imported for every `main.py` command: heavy imports stay inside the functions.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any, TextIO

from app.setting_types import listen_port


def register(subparsers: Any) -> None:
    from commands.platform import STAFF_HELP, _group, _subcommands

    staff = _group(subparsers, "staff", STAFF_HELP)
    user = staff.add_parser("user", help="工作人员账号：新增、停用、重设密码")
    users = _subcommands(user, "user_command")

    p = users.add_parser("add", help="新增账号（密码从标准输入读取）")
    p.add_argument("--username", required=True, metavar="NAME")
    p.add_argument(
        "--role",
        required=True,
        metavar="ROLE",
        help="clerk（窗口受理）、supervisor（电子监察）、经办机构代码或 town_<镇代码>（各镇）",
    )
    p.add_argument("--password-stdin", action="store_true", required=True)
    p.set_defaults(func=_run("add"))

    p = users.add_parser("disable", help="停用账号（立即退出其所有登录）")
    p.add_argument("--username", required=True, metavar="NAME")
    p.set_defaults(func=_run("disable"))

    p = users.add_parser("reset-password", help="重设密码（同时解除锁定、恢复停用的账号）")
    p.add_argument("--username", required=True, metavar="NAME")
    p.add_argument("--password-stdin", action="store_true", required=True)
    p.set_defaults(func=_run("reset-password"))

    p = subparsers.add_parser(
        "web", help="启动工作人员网页（窗口受理、经办机构、电子监察）", description="工作人员网页"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=listen_port, default=8700)
    p.set_defaults(func=_web)


def _run(name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        return run_user(name, args)

    return run


def run_user(
    name: str,
    args: argparse.Namespace,
    db: Any = None,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    from datetime import UTC, datetime

    from staffweb import accounts

    password = stdin.readline().rstrip("\r\n") if getattr(args, "password_stdin", False) else ""
    actor = f"cli:{getpass.getuser()}"
    now = datetime.now(UTC)
    opened = None
    if db is None:
        from app.settings import load_settings
        from cases.db import open_database

        db = opened = open_database(load_settings())
    try:
        if name == "add":
            db.run_blocking(
                accounts.add_account, args.username, args.role, password, actor, at=now
            )
            from integrations.platform.labels import Labels
            from locales import Translator

            role = Labels(Translator("zh_CN")).role(args.role)
            print(f"已新增账号 {args.username.strip()}（{role}）。", file=out)
        elif name == "disable":
            db.run_blocking(accounts.disable_account, args.username, actor, at=now)
            print(f"已停用账号 {args.username}。", file=out)
        else:
            db.run_blocking(accounts.reset_password, args.username, password, actor, at=now)
            print(f"已重设账号 {args.username} 的密码。", file=out)
    except accounts.AccountError as exc:
        print(exc.message, file=err)
        return 2
    finally:
        if opened is not None:
            opened.close_blocking()
    return 0


def _web(args: argparse.Namespace) -> int:
    """`python main.py web`: the console on the bot's database and file store."""
    from aiohttp import web

    from app import event_loop
    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from integrations.platform.embedded.platform import EmbeddedPlatform
    from runtime.services import Services
    from runtime.status import StatusServer
    from staffweb.app import make_app
    from staffweb.core import Console

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    if settings.platform.mode != "embedded":
        print(
            "工作人员网页用于内置审批平台；当前连接的是外部审批平台（platform.mode=http）。",
            file=sys.stderr,
        )
        return 2
    services = Services.build(settings)
    platform = EmbeddedPlatform(
        services.db, now=services.clock, office_hours=services.office_hours
    )
    console = Console(services.db, services.files, platform, settings.web, services.clock)
    app = StatusServer(services).add_routes(make_app(console))  # /healthz, /readyz, /metrics

    async def close(_: web.Application) -> None:
        await services.aclose()

    app.on_cleanup.append(close)
    print(f"工作人员网页：http://{args.host}:{args.port}/login")
    loop = event_loop.loop_factory()()  # uvloop if installed, as `main.py run`
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None, loop=loop)
    return 0
