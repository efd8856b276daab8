"""Checks of single setting values (app/settings.py): each returns the value or raises
ValueError with a short reason, which the operator reads after the setting's name."""

from __future__ import annotations

import argparse
import base64
import binascii
import re
from datetime import time
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, SecretStr

DATA_KEY_BYTES = 32
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


ClockTime = Annotated[str, AfterValidator(check_clock_time)]


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
    text = value.get_secret_value().strip()
    if not text:
        return value
    try:
        key = base64.urlsafe_b64decode(text.encode())
    except (binascii.Error, ValueError):
        raise ValueError("is not urlsafe base64 (a data key is 32 bytes)") from None
    if len(key) != DATA_KEY_BYTES:
        raise ValueError(f"must decode to {DATA_KEY_BYTES} bytes")
    return value


def check_data_keys(value: SecretStr) -> SecretStr:
    """Comma-separated data keys (a rotation's old keys), each as check_data_key."""
    for piece in value.get_secret_value().split(","):
        check_data_key(SecretStr(piece))
    return value


def listen_port(text: str) -> int:
    """argparse type of `--port`: a TCP port, 1 to 65535 (argparse names the bad value)."""
    port = int(text) if text.strip().isdigit() else 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return port
