"""Logging that never shows personal data: ID numbers and phone numbers are masked in every
record, whatever the code that logged them forgot."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime

# Digits may come full-width (０-９, Ｘ) from Chinese input methods, and grouped by spaces or
# hyphens ("150627 19650515 0016", "138-0013-8000"); a single separator between digits is
# allowed anywhere inside a number.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_SEP = r"[ \-\u00a0]?"
# 18-character ID numbers (last may be X), 15-digit first-generation numbers, mainland mobiles
# (with or without +86 / 86 / 0086 in front).
_ID18 = re.compile(rf"(?<![0-9])\d(?:{_SEP}\d){{16}}{_SEP}[0-9Xx](?![0-9])")
_ID15 = re.compile(rf"(?<![0-9])\d(?:{_SEP}\d){{14}}(?![0-9])")
_PHONE = re.compile(rf"(?<![0-9])(?:(?:\+|00)?86{_SEP})?1[3-9](?:{_SEP}\d){{9}}(?![0-9])")


def _keep_ends(match: re.Match[str], head: int, tail: int) -> str:
    """The number with only its first `head` and last `tail` digits shown."""
    digits = re.sub(r"[^0-9Xx]", "", match.group())
    return digits[:head] + "*" * (len(digits) - head - tail) + digits[-tail:]


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"[^0-9]", "", match.group())[-11:]
    return f"{digits[:3]}****{digits[-4:]}"


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text (tracebacks included)."""
    text = text.translate(_FULL_WIDTH)
    text = _ID18.sub(lambda m: _keep_ends(m, 4, 4), text)
    text = _ID15.sub(lambda m: _keep_ends(m, 4, 3), text)
    return _PHONE.sub(_phone, text)


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
QUIET = ("httpx", "httpcore", "telegram", "transitions", "aiosqlite", "asyncio", "fontTools")


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
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
