"""Logging that never shows personal data: ID numbers and phone numbers are masked in every
record, whatever the code that logged them forgot."""

from __future__ import annotations

import logging
import re

# 18-character ID numbers (last may be X), 15-digit first-generation numbers, mainland mobiles.
_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{8}(\d{3})(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text."""
    text = _ID18.sub(lambda m: f"{m[1]}{'*' * 10}{m[2]}", text)
    text = _ID15.sub(lambda m: f"{m[1]}{'*' * 8}{m[2]}", text)
    return _PHONE.sub(lambda m: f"{m[1]}****{m[2]}", text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries log request URLs that carry the bot token; keep them quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
