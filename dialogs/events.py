"""Inbound events: what any channel (Telegram, console, JSON) hands to the conversation.

Channels translate their own updates into these; chat and message ids never enter here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CommandName = Literal["start", "help", "status", "cancel", "restart", "back", "language", "mydata"]


@dataclass(frozen=True)
class StoredFile:
    """A page already written to the content-addressed store and checked by the channel."""

    sha256: str
    mime_type: str
    size: int
    width: int | None = None
    height: int | None = None
    page_count: int | None = None  # PDFs
    # None when the page is usable; otherwise a stable code such as "blurred", "too_small",
    # "not_decodable", "too_large", "unsupported_type", "heic", "bad_pdf", "active_pdf" (scripts,
    # actions, attachments), "decompression_bomb".
    problem: str | None = None


@dataclass(frozen=True)
class Command:
    name: CommandName
    argument: str = ""  # e.g. the case number of a deep link: /start YJ-20261126-0001


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Choice:
    id: str
    # The question key the button was shown with; None for typed or numbered choices.
    # A choice whose question is not the current one is a stale button.
    question: str | None = None
    # Which message of buttons it was on (`ConversationData.shown`); None where unknown (a
    # typed choice, a button older than the numbering). An older message's button is stale.
    shown: int | None = None


@dataclass(frozen=True)
class Contact:
    phone: str


@dataclass(frozen=True)
class Files:
    """One file, or an album: several pages in the order the applicant sent them."""

    files: tuple[StoredFile, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Unsupported:
    """Something the conversation cannot use: a sticker, a voice note, a location..."""

    what: str = "unknown"


Event = Command | Text | Choice | Contact | Files | Unsupported
