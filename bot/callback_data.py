"""Compact, versioned callback data for inline buttons: `v2|<shown>|<question>|<choice>`.

Telegram keeps old keyboards clickable forever, so each button carries the question it was
shown with and the number of its message (`Reply.shown`); the conversation compares them with
the current question and its latest message, and answers a stale press politely. Buttons sent
before the number existed (`v1|<question>|<choice>`) still decode, without it. The Bot API
allows 1-64 bytes of callback data.
"""

from __future__ import annotations

import hashlib

from dialogs.events import Choice

VERSION = "v2"
OLD_VERSION = "v1"  # without the message's number
MAX_BYTES = 64
SEP = "|"


def encode(question: str | None, choice_id: str, shown: int | None = None) -> str:
    head = OLD_VERSION if shown is None else f"{VERSION}{SEP}{shown}"
    data = f"{head}{SEP}{question or ''}{SEP}{choice_id}"
    if len(data.encode()) <= MAX_BYTES:
        return data
    # Too long: a short digest stands for the question. It never equals a real question key,
    # so such a press can only be matched by choice id (see decode), never mistaken.
    digest = "#" + hashlib.sha256((question or "").encode()).hexdigest()[:8]
    data = f"{head}{SEP}{digest}{SEP}{choice_id}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"choice id too long for callback data: {choice_id!r}")
    return data


def decode(data: str | None) -> Choice | None:
    """The choice a button stands for; None for data of another format (or garbage)."""
    if not data:
        return None
    shown: int | None = None
    if data.startswith(VERSION + SEP):
        head = data.split(SEP, 2)
        if len(head) != 3 or not head[1].isdigit():
            return None
        shown, data = int(head[1]), f"{OLD_VERSION}{SEP}{head[2]}"
    parts = data.split(SEP, 2)
    if len(parts) != 3 or parts[0] != OLD_VERSION or not parts[2]:
        return None
    _, question, choice_id = parts
    if question.startswith("#"):
        return Choice(choice_id, None, shown)
    return Choice(choice_id, question or None, shown)
