"""Uploads: a photo (its largest size) or a document is fetched through getFile, checked
(`cases.filecheck`) and written to the content-addressed store, becoming a `StoredFile`.

Bad pages become a StoredFile with a problem code rather than an error: the conversation,
which knows what it asked for, answers with the specific request (retake, send as JPEG...).
Files over the Bot API's 20 MB download limit are never downloaded.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import Bot, Message
from telegram.error import BadRequest

from cases.filecheck import JPEG, PDF, PNG, UNKNOWN, check_file
from cases.files import FileStore
from dialogs.events import StoredFile

log = logging.getLogger(__name__)

# Declared types worth downloading; anything else is refused without spending the bandwidth.
ACCEPTED_MIME = {JPEG, PNG, PDF, "image/heic", "image/heif", "image/jpg", "image/pjpeg"}
ACCEPTED_SUFFIXES = (".jpg", ".jpeg", ".png", ".pdf", ".heic", ".heif")


@dataclass(frozen=True)
class Attachment:
    """What a message carries, from Telegram's metadata alone (nothing downloaded yet)."""

    file_id: str
    size: int | None
    filename: str | None
    mime_type: str | None

    def declared_acceptable(self) -> bool:
        name = (self.filename or "").lower()
        return (self.mime_type or "").lower() in ACCEPTED_MIME or name.endswith(ACCEPTED_SUFFIXES)


def attachment_of(message: Message) -> Attachment | None:
    if message.photo:
        # Telegram sends several sizes, smallest first: the largest is the one to read.
        best = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return Attachment(best.file_id, best.file_size, None, JPEG)
    if message.document:
        doc = message.document
        return Attachment(doc.file_id, doc.file_size, doc.file_name, doc.mime_type)
    return None


class UploadFetcher:
    def __init__(self, store: FileStore, max_bytes: int) -> None:
        self.store = store
        self.max_bytes = max_bytes

    async def fetch(self, bot: Bot, attachment: Attachment) -> StoredFile:
        declared = attachment.mime_type or UNKNOWN
        if attachment.size is not None and attachment.size > self.max_bytes:
            return StoredFile("", declared, attachment.size, problem="too_large")
        if not attachment.declared_acceptable():
            return StoredFile("", declared, attachment.size or 0, problem="unsupported_type")
        try:
            tg_file = await bot.get_file(attachment.file_id)
        except BadRequest as exc:
            if "too big" in str(exc).lower():
                return StoredFile("", declared, attachment.size or 0, problem="too_large")
            raise
        if tg_file.file_size is not None and tg_file.file_size > self.max_bytes:
            return StoredFile("", declared, tg_file.file_size, problem="too_large")
        data = bytes(await tg_file.download_as_bytearray())
        # Decoding a 12-megapixel photo takes tens of milliseconds: off the event loop.
        return await asyncio.to_thread(self._check_and_store, data, attachment)

    def _check_and_store(self, data: bytes, attachment: Attachment) -> StoredFile:
        check = check_file(data, attachment.filename, attachment.mime_type, self.max_bytes)
        if check.problem is not None:
            # Not kept: a page the conversation will refuse is personal data with no use. Its
            # keyed hash recognises it if sent again (no plain hash of a document anywhere).
            sha = self.store.address_of(data)
            return StoredFile(
                sha,
                check.mime_type,
                check.size,
                check.width,
                check.height,
                check.page_count,
                check.problem,
            )
        # Only the cleaned bytes are kept: images re-encoded without EXIF or trailing data.
        blob = self.store.put(check.cleaned if check.cleaned is not None else data)
        return StoredFile(
            blob.sha256, check.mime_type, blob.size, check.width, check.height, check.page_count
        )
