"""Building the platform adapter from settings (called by the composition root)."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.hours import office_hours
from integrations.platform.http_client import HttpPlatformClient

if TYPE_CHECKING:
    import aiohttp

    from app.settings import Settings
    from cases.db import Database
    from cases.platform.port import PlatformAdapter

log = logging.getLogger(__name__)
SECRET_FILE = "platform.secret"


def platform_secret(settings: Settings) -> bytes:
    """PLATFORM__SECRET, or on the embedded default a secret created once under data/ (both
    sides of a loopback set-up read the same file)."""
    configured = settings.platform.secret.get_secret_value()
    if configured:
        return configured.encode()
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32))
        log.warning(
            "Created a platform signing secret at %s; set PLATFORM__SECRET in "
            "production (the same value on both sides).",
            path,
        )
    return path.read_text().strip().encode()


def make_adapter(
    settings: Settings,
    db: Database,
    http: aiohttp.ClientSession | None = None,
    now: Callable[[], datetime] | None = None,
) -> PlatformAdapter:
    """The embedded platform (default) or the HTTP client (`PLATFORM__MODE=http`, which needs
    the caller's aiohttp session)."""
    if settings.platform.mode == "http":
        if http is None:
            raise ValueError("PLATFORM__MODE=http needs an aiohttp.ClientSession")
        return HttpPlatformClient(
            http,
            settings.platform.url,
            platform_secret(settings),
            timeout_seconds=settings.platform.timeout_seconds,
            pages_url=settings.platform.pages_url or None,
        )
    if settings.platform.mode != "embedded":
        raise ValueError(
            f"PLATFORM__MODE must be embedded or http, not {settings.platform.mode!r}"
        )

    return EmbeddedPlatform(db, now=now, office_hours=office_hours(settings))
