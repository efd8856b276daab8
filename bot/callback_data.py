"""Compact, versioned callback data for inline buttons: `v1|<question>|<choice>`.

Telegram keeps old keyboards clickable forever, so each button carries the question it was
shown with; the conversation compares it with the current question and answers a stale press
politely. The Bot API allows 1-64 bytes of callback data.
"""

from __future__ import annotations

import hashlib

from dialogs.events import Choice

VERSION = "v1"
MAX_BYTES = 64
SEP = "|"


def encode(question: str | None, choice_id: str) -> str:
    data = f"{VERSION}{SEP}{question or ''}{SEP}{choice_id}"
    if len(data.encode()) <= MAX_BYTES:
        return data
    # Too long: a short digest stands for the question. It never equals a real question key,
    # so such a press can only be matched by choice id (see decode), never mistaken.
    digest = "#" + hashlib.sha256((question or "").encode()).hexdigest()[:8]
    data = f"{VERSION}{SEP}{digest}{SEP}{choice_id}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"choice id too long for callback data: {choice_id!r}")
    return data


def decode(data: str | None) -> Choice | None:
    """The choice a button stands for; None for data from another version (or garbage)."""
    if not data:
        return None
    parts = data.split(SEP, 2)
    if len(parts) != 3 or parts[0] != VERSION or not parts[2]:
        return None
    _, question, choice_id = parts
    if question.startswith("#"):
        return Choice(choice_id, None)
    return Choice(choice_id, question or None)
