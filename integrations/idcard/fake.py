"""A card reader without a model, for tests of the conversation: it answers each photo (by
its bytes) with the reading it was given, records what it was asked, and can be made
unavailable. The real reader is tested on generated photos in tests/idcard."""

from __future__ import annotations

from dialogs.card_reader import CardReaderUnavailable
from policy.idcard_front import CardFront


class FakeCardReader:
    def __init__(self, readings: dict[bytes, CardFront] | None = None) -> None:
        self.readings = dict(readings or {})
        self.asked: list[bytes] = []
        self.unavailable: str | None = None  # set to "busy" or "timeout" to refuse

    async def read(self, photo: bytes) -> CardFront:
        self.asked.append(photo)
        if self.unavailable:
            raise CardReaderUnavailable(self.unavailable)
        return self.readings.get(photo, CardFront("no_card"))
