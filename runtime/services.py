"""The composition root: every service of a process, built once from the settings.

    services = Services.build(load_settings())      # migrates the embedded SQLite default
    ...
    await services.aclose()

Every command takes what it needs from here (the bot, the console chat, the demo, the staff
commands, the platform server), so that all of them see the same database, file store,
platform adapter and aftercare configuration. What is costly to import or build (the
conversation engine, the platform adapter) is built on first use.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from app.settings import Settings
from cases.blobs import backend_from_settings
from cases.db import Database, open_database
from cases.files import FileStore, open_file_store

if TYPE_CHECKING:  # built on first use: a staff command should not pay for the conversation
    from aftercare.config import Deps as AftercareDeps
    from aftercare.paperwork import Paperwork
    from cases.platform.port import PlatformAdapter
    from dialogs.card_reader import CardPhotos
    from dialogs.service import ConversationService
    from integrations.idcard.reader import OcrCardReader
    from integrations.platform.embedded.platform import EmbeddedPlatform
    from policy.workdays import OfficeHours

log = logging.getLogger(__name__)


def private_folder(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != 0o700:
        try:
            path.chmod(0o700)
        except PermissionError:
            log.warning("cannot make %s private (0700): it belongs to another user", path)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Callable[[], datetime] = field(default=utc_now)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        migrate: bool | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> Services:
        """Open the database (migrating the embedded default, or when `migrate`). The data
        folder is made private (0700): it holds the database, the key and the files."""
        private_folder(Path(settings.data_dir))
        return cls(settings, open_database(settings, migrate=migrate), clock or utc_now)

    @cached_property
    def files(self) -> FileStore:
        # Temporary files a crash left behind are cleaned when the store is opened.
        # Encrypted with the database's data key (the same vault that guards ID numbers).
        # Where the files live is FILES__BACKEND's choice (cases.blobs).
        return open_file_store(
            self.settings.files.dir,
            self.settings.files.max_bytes,
            self.db.require_vault(),
            backend_from_settings(self.settings),
        )

    @cached_property
    def aftercare(self) -> AftercareDeps:
        from aftercare.config import AftercareConfig, Deps

        return Deps(self.files, AftercareConfig.from_settings(self.settings))

    async def aftercare_sweep(self, now: datetime) -> object:
        """One aftercare tick (notices, online-step checks, reminders): what the console runs
        after each turn, having no worker of its own."""
        from aftercare.worker import tick

        return await tick(self.db, self.aftercare, now=now)

    @cached_property
    def paperwork(self) -> Paperwork:
        """The documents the conversation sends, and the signed copy of a notice."""
        from aftercare.paperwork import Paperwork

        return Paperwork(self.aftercare.files, self.aftercare.config)

    @cached_property
    def conversation(self) -> ConversationService:
        from dialogs.service import ConversationService

        return ConversationService(
            self.db,
            self.settings,
            clock=self.clock,
            paperwork=self.paperwork,
            card_photos=self.card_photos,
        )

    @cached_property
    def card_reader(self) -> OcrCardReader | None:
        """The ID card's photo reader (issue 18) unless `OCR__ENABLED=false`. The model runs
        in worker processes started at the first photo; this process never loads it."""
        ocr = self.settings.ocr
        if not ocr.enabled:
            return None
        from integrations.idcard.reader import OcrCardReader

        return OcrCardReader(
            workers=ocr.workers,
            threads=ocr.threads or None,
            timeout=ocr.timeout_seconds,
            max_waiting=ocr.max_waiting,
        )

    @property
    def card_photos(self) -> CardPhotos | None:
        from dialogs.card_reader import CardPhotos

        reader = self.card_reader
        return None if reader is None else CardPhotos(reader, self.files, self.db)

    @cached_property
    def office_hours(self) -> OfficeHours:
        from integrations.platform.hours import office_hours

        return office_hours(self.settings)

    @property
    def embedded_platform(self) -> bool:
        return self.settings.platform.mode == "embedded"

    def embedded_adapter(self) -> EmbeddedPlatform | None:
        """The in-process platform on the embedded default (the console and the demo deliver
        to it themselves); None when a remote platform is configured."""
        return self.staff_desk() if self.embedded_platform else None

    def staff_desk(self) -> EmbeddedPlatform:
        """The embedded platform's desks (the clerk's, the offices'), for the staff commands
        and `platform serve`."""
        from integrations.platform.embedded.platform import EmbeddedPlatform
        from integrations.platform.embedded.sinks import (
            apply_in_same_transaction,
            queue_for_callback,
        )

        # The platform's side of a remote bot queues its events for the signed callback;
        # otherwise our case store is in this database and they apply at once.
        remote = bool(self.settings.platform.callback_url)
        sink = queue_for_callback if remote else apply_in_same_transaction
        return EmbeddedPlatform(self.db, now=self.clock, office_hours=self.office_hours, sink=sink)

    @contextlib.asynccontextmanager
    async def platform(self) -> AsyncIterator[PlatformAdapter]:
        """The platform adapter: the embedded platform, or the signed HTTP client with an
        HTTP session that lives as long as this context."""
        from integrations.platform.factory import make_adapter

        if self.embedded_platform:
            yield make_adapter(self.settings, self.db, now=self.clock)
            return
        import aiohttp

        async with aiohttp.ClientSession() as http:
            yield make_adapter(self.settings, self.db, http=http, now=self.clock)

    async def aclose(self) -> None:
        if self.__dict__.get("card_reader") is not None:
            self.card_reader.close()  # type: ignore[union-attr]
        self._close_files()
        await self.db.close()

    def close_blocking(self) -> None:
        self._close_files()
        self.db.close_blocking()

    def _close_files(self) -> None:
        # Only when it was built: a shared backend holds connections of its own.
        if "files" in self.__dict__:
            self.files.close()
