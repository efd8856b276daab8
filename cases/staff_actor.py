"""Who runs a `main.py staff ...` command: an account, not a typed name.

`--as NAME` must name an active account of the staff console (`main.py staff user add`), and
what the command may do follows its role, as in the browser: the clerk works the whole case,
an office only its own items (its office comes from the account, never from `--office`), the
supervisor reads the overview only. The audit log records the account, in the same form as
the console's (`account:NAME`, `account:NAME@office`).

The shell user who types the command already holds the database and its key; the account
binds what they do to a person and a role. A locked account (too many wrong passwords in the
browser) or a disabled one is refused here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from cases.tables.store import staff_accounts

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

CLERK = "clerk"
SUPERVISOR = "supervisor"
OFFICE = "office"  # any office role, for `allowed`


class NotAllowed(Exception):
    """The command cannot run as this account; `message` is plain Chinese for stderr."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Acting:
    username: str
    role: str

    @property
    def office(self) -> str | None:
        return None if self.role in (CLERK, SUPERVISOR) else self.role

    @property
    def actor(self) -> str:
        base = f"account:{self.username}"
        return base if self.office is None else f"{base}@{self.office}"


ROLE_ZH = {CLERK: "窗口综合受理", SUPERVISOR: "电子监察", OFFICE: "经办机构"}


def acting_account(
    session: Session | Connection,
    username: str | None,
    allowed: tuple[str, ...],
    *,
    at: datetime,
) -> Acting:
    """The active account `username`, if its role is one of `allowed` (OFFICE: any office);
    NotAllowed with the reason otherwise."""
    name = (username or "").strip()
    if not name:
        raise NotAllowed("请用 --as 写明您的工作人员账号（每次查看和操作都记入审计日志）。")
    # Core columns, not the ORM model: the quick staff commands run without the ORM.
    accounts = staff_accounts.c
    account = session.execute(
        select(
            accounts.username, accounts.role, accounts.disabled_at, accounts.locked_until
        ).where(accounts.username == name)
    ).first()
    if account is None:
        raise NotAllowed(
            f"没有账号“{name}”。请用您的工作人员账号（管理员用 staff user add 开通）。"
        )
    if account.disabled_at is not None:
        raise NotAllowed(f"账号“{name}”已停用。")
    if account.locked_until is not None and account.locked_until > at:
        raise NotAllowed(f"账号“{name}”因密码连续输错已锁定，请稍后再试或请管理员重设密码。")
    acting = Acting(account.username, account.role)
    kind = OFFICE if acting.office is not None else acting.role
    if kind not in allowed:
        may = "、".join(ROLE_ZH[r] for r in allowed)
        raise NotAllowed(f"账号“{name}”（{ROLE_ZH[kind]}）不能执行这个命令；需要：{may}。")
    return acting
