"""The ID card read from its photo (issue 18): the port, the event that carries a reading, and
the service's step that reads a photo before the event's transaction.

The conversation only needs "these photo bytes -> what the card's front says"; how (OCR in
worker processes, a fake in tests, nothing at all when switched off) is the composition root's
choice: `integrations/idcard` implements the port with RapidOCR.

Why the reading happens before the transaction, in the service: it takes a second or two, and
holding a database transaction (or the SQLite write lock) that long would stall every other
worker. The engine stays pure: it receives the reading inside the event (`CardPhoto`), as it
receives a page already stored and checked by the channel.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cases.crypto import normalize
from cases.repositories import find_applicant, load_conversation
from dialogs.events import Event, Files, StoredFile
from dialogs.machine import question_key
from dialogs.state import ConversationData
from policy.idcard_front import CardFront

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cases.db import Database
    from cases.files import FileStore

# The questions where a photo of the card is read: the ID number itself, and the ID card
# material (its number is compared with the one typed).
READ_AT = frozenset({"ask_id_number", "ask_upload_id_card"})
MAX_PHOTOS = 2  # an album of the front and the back


class CardReaderUnavailable(Exception):
    """No reading now: too many photos waiting, the reading took too long, the bytes are not
    a picture, or the OCR failed. `reason` is one of busy, timeout, not_an_image, failed. The
    worker is asked to type the number instead; the photo itself is not lost."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CardReader(Protocol):
    async def read(self, photo: bytes) -> CardFront:
        """The front's fields; raises CardReaderUnavailable."""
        ...


@dataclass(frozen=True)
class CardPhoto(Files):
    """Photos sent where the ID card is asked, with what each one's front says (None: not
    read). A `Files` event like any other for every part of the conversation that does not
    care about the reading."""

    readings: tuple[CardFront | None, ...] = ()
    unavailable: str | None = None  # why a photo could not be read (CardReaderUnavailable)
    # Whether a number read is the applicant's ID number of record (None: none recorded).
    same_as_typed: tuple[bool | None, ...] = ()

    def best(self) -> CardFront | None:
        """The reading that says most: a number read, else an unclear front, the back, no
        card, in that order."""
        order = ("read", "unclear", "back", "no_card")
        found = [r for r in self.readings if r is not None]
        return min(found, key=lambda r: order.index(r.outcome), default=None)


class CardPhotos:
    """`await photos.read(channel, user_id, event)`: the event, with its photos read when the
    applicant is at a question in READ_AT; any other event is returned as it is."""

    def __init__(self, reader: CardReader, files: FileStore, db: Database) -> None:
        self.reader, self.files, self.db = reader, files, db

    async def read(self, channel: str, user_id: str, event: Event) -> Event:
        if not isinstance(event, Files) or not _photos(event):
            return event
        found = await self.db.run_on_loop(_question_and_record, channel, user_id)
        if found is None or found[0] not in READ_AT:
            return event
        photos = _photos(event)
        readings: list[CardFront | None] = []
        unavailable = None
        for f in event.files:
            try:  # once a photo could not be read, the album's others are not tried: the
                # worker is answered at once (to type the number), not after a second wait
                read = f in photos and unavailable is None
                readings.append(await self._read(f) if read else None)
            except CardReaderUnavailable as exc:
                readings.append(None)
                unavailable = exc.reason
        vault = self.db.require_vault()
        same = tuple(
            None
            if r is None or r.number is None or found[1] is None
            else vault.lookup_hash(normalize(r.number.number)) == found[1]
            for r in readings
        )
        return CardPhoto(event.files, tuple(readings), unavailable, same)

    async def _read(self, f: StoredFile) -> CardFront | None:
        try:
            photo = await asyncio.to_thread(self.files.read, f.sha256)
        except (OSError, ValueError):  # not in the store (purged meanwhile): not read
            return None
        return await self.reader.read(photo)


def _photos(event: Files) -> tuple[StoredFile, ...]:
    images = [f for f in event.files if f.problem is None and f.mime_type.startswith("image/")]
    return tuple(images) if 0 < len(event.files) <= MAX_PHOTOS else ()


def _question_and_record(
    session: Session, channel: str, user_id: str
) -> tuple[str | None, str | None] | None:
    """The question the applicant is at, and the keyed hash of their ID number of record."""
    applicant = find_applicant(session, channel, user_id)
    conv = None if applicant is None else load_conversation(session, applicant.id)
    if applicant is None or conv is None:
        return None
    data = ConversationData.from_json(conv.state, conv.answers)
    return question_key(data.state, data.material), applicant.id_number_hash
