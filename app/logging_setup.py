"""Logging that never shows personal data: ID numbers and phone numbers are masked in every
record, whatever the code that logged them forgot."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

from app.personal_numbers import mask_numbers


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text (tracebacks included)."""
    return mask_numbers(text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted record: the message, and the text of an exception and its
    traceback, which a filter on the message alone never sees."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json) for log collectors. Every field is masked
    before it is encoded: once encoded, a full-width digit would be a `\\uff11` escape that
    the masking no longer recognises. Non-ASCII stays readable (ensure_ascii=False)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = mask_text(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = mask_text(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


# Libraries that say too much: request URLs carry the bot token (httpx), a DEBUG line per raw
# update carries phone numbers and names (python-telegram-bot), two lines per state change
# (transitions), every glyph of a subset font (fontTools). They log at WARNING and above
# whatever LOG_LEVEL says.
QUIET = (
    "httpx",
    "httpcore",
    "urllib3",  # the tests' HTTP client (schemathesis): a DEBUG line per request URL
    "botocore",  # the s3 file backend: every request's URL, headers and signature at DEBUG
    "boto3",
    "s3transfer",
    "telegram",
    "transitions",
    "aiosqlite",
    "asyncio",
    "fontTools",
)


def setup_logging(level: str = "INFO", log_format: str | None = None) -> None:
    """Masked logs to stderr, as text or (`log_format="json"`) JSON lines. Without a format,
    LOG_FORMAT from the environment decides (commands that do not pass settings.log_format)."""
    handler = logging.StreamHandler()
    chosen = (log_format or os.environ.get("LOG_FORMAT", "text")).strip().lower()
    if chosen == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    set_levels(level)


def set_levels(level: str) -> None:
    """The root logger at `level`, the chatty libraries at WARNING (the test suite's log guard
    uses this too, to see every record that production at DEBUG would emit)."""
    logging.getLogger().setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
