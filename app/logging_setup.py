"""Logging that never shows personal data: ID numbers and phone numbers are masked in every
record, whatever the code that logged them forgot."""

from __future__ import annotations

import logging

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


# Libraries that say too much: request URLs carry the bot token (httpx), a DEBUG line per raw
# update carries phone numbers and names (python-telegram-bot), two lines per state change
# (transitions), every glyph of a subset font (fontTools). They log at WARNING and above
# whatever LOG_LEVEL says.
QUIET = (
    "httpx",
    "httpcore",
    "urllib3",  # the tests' HTTP client (schemathesis): a DEBUG line per request URL
    "telegram",
    "transitions",
    "aiosqlite",
    "asyncio",
    "fontTools",
)


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
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
