"""Accounts, roles and sessions of the staff console (synchronous use cases `fn(session, ...)`).

Roles: `clerk`, `supervisor`, or an office code of `policy/items.toml` (for the item routed by
the town, each town's own office `town_<code>` of `policy/towns.toml`). Passwords are argon2id
hashes (argon2-cffi); a login that fails `lockout_failures` times in a row locks the account
for `lockout_minutes`. A session is found by the sha256 of its cookie token and ends after
`idle_minutes` without a request, at log-out, or when the account is disabled or reset.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cases.models import StaffAccount, StaffSession
from cases.repositories.audit import audit
from policy.items import office_codes as item_offices

CLERK = "clerk"
SUPERVISOR = "supervisor"
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
# Verified when the username is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anybody")


class AccountError(Exception):
    """A refused account operation; `message` is plain Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def office_codes() -> tuple[str, ...]:
    """The offices that answer items (policy/items.toml), in the file's order; each town its
    own office."""
    return item_offices()


def roles() -> tuple[str, ...]:
    return (CLERK, SUPERVISOR, *office_codes())


@dataclass(frozen=True)
class Who:
    """The logged-in account, as the views use it."""

    account_id: int
    username: str
    role: str
    csrf_token: str

    @property
    def actor(self) -> str:
        """What the audit log records: the account, and the office it acts for."""
        base = f"account:{self.username}"
        return base if self.role in (CLERK, SUPERVISOR) else f"{base}@{self.role}"

    @property
    def office(self) -> str | None:
        return None if self.role in (CLERK, SUPERVISOR) else self.role


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 个字符。")


def add_account(
    session: Session, username: str, role: str, password: str, actor: str, *, at: datetime
) -> StaffAccount:
    name = username.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise AccountError("用户名不能为空，不能含空格，最长 64 个字符。")
    if role not in roles():
        raise AccountError(f"没有角色“{role}”。可用的角色：{'、'.join(roles())}。")
    _check_password(password)
    if session.scalar(select(StaffAccount.id).where(StaffAccount.username == name)):
        raise AccountError(f"用户名“{name}”已经存在。")
    account = StaffAccount(
        username=name, role=role, password_hash=_HASHER.hash(password), created_at=at
    )
    session.add(account)
    session.flush()
    audit(
        session,
        actor,
        "staff_account.added",
        detail={"account": account.id, "username": name, "role": role},
        at=at,
    )
    return account


def _account(session: Session, username: str) -> StaffAccount:
    account = session.scalar(select(StaffAccount).where(StaffAccount.username == username))
    if account is None:
        raise AccountError(f"没有用户名为“{username}”的账号。")
    return account


def disable_account(session: Session, username: str, actor: str, *, at: datetime) -> None:
    account = _account(session, username)
    account.disabled_at = account.disabled_at or at
    session.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
    audit(
        session,
        actor,
        "staff_account.disabled",
        detail={"account": account.id, "username": account.username},
        at=at,
    )


def reset_password(
    session: Session, username: str, password: str, actor: str, *, at: datetime
) -> None:
    """A new password; it also unlocks and re-enables the account and ends its sessions."""
    _check_password(password)
    account = _account(session, username)
    account.password_hash = _HASHER.hash(password)
    account.failed_logins = 0
    account.locked_until = None
    account.disabled_at = None
    session.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
    audit(
        session,
        actor,
        "staff_account.password_reset",
        detail={"account": account.id, "username": account.username},
        at=at,
    )


@dataclass(frozen=True)
class LoginResult:
    token: str | None  # the cookie value when the login succeeded
    refusal: str | None  # "wrong" | "locked" | "disabled"


def login(
    session: Session,
    username: str,
    password: str,
    *,
    at: datetime,
    failures: int = 5,
    lock_minutes: int = 15,
) -> LoginResult:
    """Check a username and password; a new session on success. Every attempt is audited."""
    name = username.strip()
    account = session.scalar(select(StaffAccount).where(StaffAccount.username == name))
    if account is None:
        _verify(_DUMMY_HASH, password)
        audit(session, "web:anonymous", "web.login_failed", detail={"username": name[:64]}, at=at)
        return LoginResult(None, "wrong")
    actor = f"account:{account.username}"
    if account.disabled_at is not None:
        audit(session, actor, "web.login_refused", detail={"why": "disabled"}, at=at)
        return LoginResult(None, "disabled")
    if account.locked_until is not None and account.locked_until > at:
        audit(session, actor, "web.login_refused", detail={"why": "locked"}, at=at)
        return LoginResult(None, "locked")
    if not _verify(account.password_hash, password):
        if account.locked_until is not None:  # an expired lock: count afresh
            account.locked_until = None
            account.failed_logins = 0
        account.failed_logins += 1
        locked = account.failed_logins >= failures
        if locked:
            account.locked_until = at + timedelta(minutes=lock_minutes)
        audit(
            session,
            actor,
            "web.login_failed",
            detail={"failures": account.failed_logins, "locked": locked},
            at=at,
        )
        return LoginResult(None, "locked" if locked else "wrong")
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = at
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_sha256=_digest(token),
            account_id=account.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=at,
            last_seen_at=at,
        )
    )
    audit(session, actor, "web.login", detail={"account": account.id}, at=at)
    return LoginResult(token, None)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def resume(session: Session, token: str, *, at: datetime, idle_minutes: int) -> Who | None:
    """The account of a session cookie, or None when it has ended (idle, logged out,
    disabled); a live session's idle clock restarts."""
    row = session.execute(
        select(StaffSession, StaffAccount)
        .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
        .where(StaffSession.token_sha256 == _digest(token))
    ).first()
    if row is None:
        return None
    live, account = row
    if account.disabled_at is not None or live.last_seen_at + timedelta(minutes=idle_minutes) < at:
        session.delete(live)
        audit(session, f"account:{account.username}", "web.session_expired", at=at)
        return None
    live.last_seen_at = at
    return Who(account.id, account.username, account.role, live.csrf_token)


def logout(session: Session, token: str, *, at: datetime) -> None:
    live = session.get(StaffSession, _digest(token))
    if live is not None:
        account = session.get(StaffAccount, live.account_id)
        session.delete(live)
        name = account.username if account is not None else "?"
        audit(session, f"account:{name}", "web.logout", at=at)
