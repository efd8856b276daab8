"""The port through which the conversation reads an ID card's photo (issue 18).

The conversation only needs "these photo bytes -> what the card's front says"; how (OCR in a
worker thread, a fake in tests, nothing at all when switched off) is the composition root's
choice. `integrations/idcard` implements it with RapidOCR.
"""

from __future__ import annotations

from typing import Protocol

from policy.idcard_front import CardFront


class CardReaderUnavailable(Exception):
    """No reading now: too many photos waiting, the reading took too long, or the bytes are
    not a picture. `reason` is one of busy, timeout, not_an_image. The worker is asked to
    type the number instead; the photo itself is not lost."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CardReader(Protocol):
    async def read(self, photo: bytes) -> CardFront:
        """The front's fields; raises CardReaderUnavailable."""
        ...
