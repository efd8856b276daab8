"""The database's address for the quick commands (`staff_queue.py`), read from the
environment and `.env` as `app.settings.load_settings` reads it, without importing the
settings model (pydantic-settings alone costs about half of `import sqlalchemy`).

It answers only when the address is plainly the embedded default's kind, a SQLite file that
exists; otherwise None, and the command takes the full way, which reads and checks every
setting and names a bad one.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.setting_types import DEFAULT_DATABASE_URL, check_database_url
from cases.sqlite import normalize_url, sqlite_path

ENV_FILE = Path(".env")


def sqlite_file_url() -> str | None:
    """The SQLite URL of an existing database file, or None (another database, no file yet,
    or a value to be checked by the full settings)."""
    # As load_settings: DATABASE_URL (the process's own variable only) over DATABASE__URL
    # (the process's variables over `.env`'s, names in any case), then the default.
    url = os.environ.get("DATABASE_URL") or _nested("database__url") or DEFAULT_DATABASE_URL
    try:
        check_database_url(url)
    except ValueError:
        return None
    url = normalize_url(url)
    path = sqlite_path(url)
    return url if path is not None and path.is_file() else None


def _nested(name: str) -> str | None:
    for key, value in os.environ.items():
        if key.lower() == name:
            return value
    if not ENV_FILE.is_file():
        return None
    from dotenv import dotenv_values  # as pydantic-settings reads `.env`

    found = {k.lower(): v for k, v in dotenv_values(ENV_FILE, encoding="utf-8").items()}
    return found.get(name)
