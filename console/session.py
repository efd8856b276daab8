"""One console session of one applicant over the shared conversation service: the turn, the
work after it (platform calls, aftercare, pushes), and a turn that failed.

The console has no background workers of its own: after each turn, and every few seconds
while the terminal waits for a line (`idle`), it delivers the platform outbox (embedded
platform), runs the aftercare tick and shows this applicant's pushes. That work never costs
the line its answer: what fails is logged and tried again after the next input."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import Clock, utc_now
from app.logging_setup import mask_text
from cases import repositories as repo
from cases.db import Database
from cases.errors import StoreUnavailable
from cases.files import FileStore
from cases.models import Applicant
from cases.platform.delivery import drain_platform_outbox
from dialogs import nlu
from dialogs.events import Event
from dialogs.service import ConversationService, Outcome
from locales.replies import Document, Reply, from_json

T = TypeVar("T")
Sweep = Callable[[datetime], Awaitable[object]]
log = logging.getLogger(__name__)

CHANNEL = "console"
# The commands a line may give ("/status" in the terminal, {"command": "status"} in JSON).
COMMANDS = ("start", "help", "status", "cancel", "restart", "back", "language", "mydata")
# A turn that failed: the JSON `error` code and the message shown.
FAILURES = {
    "service_unavailable": "dialogs.console.busy",
    "internal_error": "dialogs.console.failed",
}


@dataclass
class Console:
    """One console session of one applicant over the shared service."""

    service: ConversationService
    db: Database
    files: FileStore
    user_id: str
    max_bytes: int
    platform: Any = None  # an adapter for drain_platform_outbox, when one is available
    clock: Clock | None = None
    # The aftercare sweep (notices, online-step checks), run after each turn; handed in by
    # the composition root, since the conversation knows nothing of aftercare.
    aftercare: Sweep | None = None
    last: Outcome | None = None

    data_dir: Path = Path("data")
    inbox: Path | None = None  # JSON mode: the only folder files may be named from
    documents: Path | None = None  # where sent documents are saved, decrypted, to be opened
    _warm: asyncio.Future[None] | None = None
    # A turn and the work while waiting never overlap: pushes are shown once, in order.
    _busy: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def language(self) -> str:
        """The language of the conversation so far (Chinese before the first answer)."""
        return self.last.language if self.last else "zh_CN"

    async def send(self, event: Event) -> tuple[Outcome, list[Reply]]:
        """Hand one event to the conversation; then the turn's side work, whose failures are
        logged and left for the next turn (the answer stands). Raises what the conversation
        raised (StoreUnavailable when the database cannot be used): see `failure_code`."""
        async with self._busy:
            outcome = await self.service.handle(CHANNEL, self.user_id, event)
            self.last = outcome
            return outcome, await self._after_turn()

    async def idle(self) -> list[Reply]:
        """While no line comes: the same work as after a turn, and the pushes it found
        (a result delivered, a clerk's call announced) to show now, not after the next line."""
        if self.last is None:
            return []
        async with self._busy:
            return await self._after_turn()

    async def _after_turn(self) -> list[Reply]:
        await self._side_work("platform calls", self.deliver_platform_calls)
        await self._side_work("aftercare", self.deliver_results)
        return await self._side_work("pushes", self.pushes) or []

    async def _side_work(self, what: str, step: Callable[[], Awaitable[T]]) -> T | None:
        try:
            return await step()
        except Exception as exc:
            _log_failure(f"{what} after the turn (tried again next turn)", exc)
            return None

    async def deliver_results(self) -> None:
        """The result notice once every office has answered, and the due online-step checks
        (aftercare): the console has no worker of its own, so it looks at each turn.

        Never at the cost of the turn: a case that fails is recorded and retried by the tick
        itself (aftercare/failures.py), and should the sweep itself fail, the applicant still
        gets the answer; the next turn tries again."""
        if self.last is None or self.last.case_number is None or self.aftercare is None:
            return  # no case yet (or no sweep): nothing to deliver
        try:
            await self.aftercare(self._now())
        except Exception:
            log.exception("aftercare in the console failed; the chat goes on")

    def warm_up(self) -> None:
        """After the first reply is out: load jieba (~0.7 s) in a thread owned by this console
        (awaited when it closes), so that the first reply never waits for it."""
        if self._warm is None:
            self._warm = asyncio.ensure_future(asyncio.to_thread(nlu.warm_up, self.data_dir))

    async def close(self) -> None:
        if self._warm is not None:
            await self._warm

    async def deliver_platform_calls(self) -> None:
        if callable(self.platform) and not hasattr(self.platform, "submit"):
            self.platform = self.platform()  # built on first use: not on the first reply's path
        if self.platform is None or self.last is None or self.last.case_number is None:
            return  # nothing can be in the platform outbox before a case number exists
        await drain_platform_outbox(self.db, self.platform, now=self.clock)

    async def pushes(self) -> list[Reply]:
        """Pending pushes for this applicant, marked sent: the console has shown them."""
        return await self.db.run(_take_pushes, self.user_id, self._now())

    def _now(self) -> datetime:
        return (self.clock or utc_now)()

    def save_document(self, document: Document) -> str:
        """A document a reply carries, decrypted from the store into the documents folder
        (private: 0700/0600) under its file name; returns the path to show."""
        if self.documents is None:
            self.documents = Path(tempfile.mkdtemp(prefix="retirement-documents-"))
        self.documents.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = self.documents / (Path(document.filename).name or document.address)
        data = self.files.read(document.address)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return str(target)


def failure_code(exc: Exception) -> str:
    """The code of a turn that failed (a key of FAILURES), logged without personal data."""
    if isinstance(exc, StoreUnavailable):
        log.warning("the database is unavailable, the line was answered busy: %s", exc)
        return "service_unavailable"
    _log_failure("the conversation failed", exc)
    return "internal_error"


def _log_failure(what: str, exc: Exception) -> None:
    if isinstance(exc, StoreUnavailable):
        log.warning("%s: %s", what, exc)
        return
    # The traceback may quote what the applicant typed (SQL parameters): masked as a whole.
    log.error("%s:\n%s", what, mask_text("".join(traceback.format_exception(exc))).rstrip())


def _take_pushes(session: Session, user_id: str, now: datetime) -> list[Reply]:
    applicant = session.scalars(
        select(Applicant).where(
            Applicant.channel == CHANNEL, Applicant.external_user_id == user_id
        )
    ).one_or_none()
    if applicant is None:
        return []
    replies = []
    for row in repo.pending_notifications(session, applicant.id):
        replies.append(from_json(row.payload))
        repo.mark_notification_sent(session, row.id, at=now)
    return replies
