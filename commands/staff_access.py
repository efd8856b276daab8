"""Who may run which `python main.py staff ...` command, and as whom (`--as`): shared by the
full commands (`staff.py`) and the quick queue (`staff_queue.py`)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cases.staff_actor import CLERK, OFFICE, NotAllowed, acting_account

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

# Who may run what: the clerk works whole cases, an office its own items.
ROLES: dict[str, tuple[str, ...]] = {
    "queue": (CLERK, OFFICE),
    "show": (CLERK, OFFICE),
    "accept": (CLERK,),
    "return": (CLERK,),
    "route": (CLERK,),
    "birth-date": (CLERK,),
    "answer": (OFFICE,),
}
NO_ACCOUNT = "请用 --as 写明您的工作人员账号（每次查看和操作都记入审计日志）。"


def act_as(session: Session | Connection, args: argparse.Namespace, name: str) -> str:
    """The audit actor of the account `--as` for command `name` (NotAllowed if it may not);
    an office account's `--office` becomes its own office, whatever was typed."""
    acting = acting_account(session, args.actor, ROLES[name], at=datetime.now(UTC))
    office = getattr(args, "office", None)
    if office and office != acting.office:
        raise NotAllowed(f"账号“{acting.username}”只能以本机构的身份查看和办理。")
    if hasattr(args, "office"):
        args.office = acting.office  # an office sees and answers as itself only
    return acting.actor
