"""Checks of single setting values (app/settings.py): each returns the value or raises
ValueError with a short reason, which the operator reads after the setting's name.

Plain Python, no pydantic: the quick commands (`commands/quick_settings.py`) check the few
settings they read with the same functions, without importing the settings model."""

from __future__ import annotations

import argparse
import base64
import binascii
import re
from datetime import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from pydantic import SecretStr

DATA_KEY_BYTES = 32
DEFAULT_DATABASE_URL = "sqlite:///data/app.db"  # the embedded default: a file under data/


class ConfigError(Exception):
    """Settings that cannot be used: one plain line per bad value, for the operator."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


_HH_MM = re.compile(r"\d{2}:\d{2}")


def check_clock_time(value: str) -> str:
    """ "08:30": two-digit hours and minutes, a real time of day."""
    value = value.strip()
    try:
        time.fromisoformat(value)
    except ValueError:
        raise ValueError("should be a time of day as HH:MM, e.g. 08:30") from None
    if not _HH_MM.fullmatch(value):
        raise ValueError("should be a time of day as HH:MM, e.g. 08:30")
    return value


def check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone (e.g. Asia/Shanghai)") from None
    return value


def check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("should be an http:// or https:// address")
    return value


def check_optional_http_url(value: str) -> str:
    """Empty means not used."""
    return value if not value else check_http_url(value)


def check_url_path(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError("should be a path starting with /")
    return value


def check_database_url(value: str) -> str:
    """The two databases the service runs on (cases.sqlite.normalize_url takes any driver)."""
    scheme = value.split("://", 1)[0].split("+", 1)[0] if "://" in value else ""
    if scheme not in ("sqlite", "postgresql", "postgres"):
        raise ValueError("should be sqlite:///path or postgresql://user@host/db")
    return value


def check_data_key(value: SecretStr) -> SecretStr:
    """Empty (the embedded key file), or 32 bytes in urlsafe base64 (never echoed)."""
    check_key_text(value.get_secret_value())
    return value


def check_key_text(text: str) -> None:
    """As check_data_key, on the key's text."""
    text = text.strip()
    if not text:
        return
    try:
        key = base64.urlsafe_b64decode(text.encode())
    except (binascii.Error, ValueError):
        raise ValueError("is not urlsafe base64 (a data key is 32 bytes)") from None
    if len(key) != DATA_KEY_BYTES:
        raise ValueError(f"must decode to {DATA_KEY_BYTES} bytes")


def check_data_keys(value: SecretStr) -> SecretStr:
    """Comma-separated data keys (a rotation's old keys), each as check_data_key."""
    for piece in value.get_secret_value().split(","):
        check_key_text(piece)
    return value


def listen_port(text: str) -> int:
    """argparse type of `--port`: a TCP port, 1 to 65535 (argparse names the bad value)."""
    port = int(text) if text.strip().isdigit() else 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return port
