"""Staff accounts of the web console and their sessions.

An account has one role: `clerk` (the window), `supervisor` (read-only overview) or an office
code of `policy/items.toml` (that office's items only). Passwords are kept as argon2 hashes;
a session is kept by the hash of its cookie token (a stolen database holds no usable cookie).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cases.models.base import Base, utcnow
from cases.tables.store import staff_accounts


class StaffAccount(Base):
    __table__ = staff_accounts

    id: Mapped[int]
    username: Mapped[str]
    role: Mapped[str]  # clerk | supervisor | <office code>
    password_hash: Mapped[str]
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]
    failed_logins: Mapped[int]
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:  # never the hash
        return f"StaffAccount(id={self.id}, username={self.username!r}, role={self.role!r})"


class StaffSession(Base):
    """A logged-in browser: found by the sha256 of its cookie token; ends at log-out, after
    the idle time-out, or when the account is disabled or its password reset."""

    __tablename__ = "staff_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"StaffSession(account_id={self.account_id})"
