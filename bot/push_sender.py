"""The push sender: drains the notification outbox to Telegram within its limits.

* Pacing: at most `per_second` messages overall and `per_chat_per_second` per chat (Telegram:
  30/s and 1/s). Sends are spaced, not bursted, with a small safety margin, so our own pacing
  never causes a 429. Telegram counts a request when it arrives, somewhere between our start
  and its answer; a busy machine or network can delay one request's arrival and not the next.
  So the limits are kept against the answers, which no arrival can follow: a chat's next
  message starts a chat gap after the answer to its previous one, and a message starts only
  while fewer than `per_second` requests are in flight or were answered within the last second.
* 429: everything pauses for `retry_after` (Telegram's flood wait applies to the bot), then
  the same message is retried. 5xx and network errors: the row goes back to the outbox with
  exponential backoff. 403 (the applicant blocked the bot): the applicant is marked
  unreachable and a `phone_applicant` staff task asks the clerk to call them; the row is
  closed as failed, pointing at that task, so it is handed to a person, not dropped.
* Exactly once, as far as a network allows: a row is claimed in the database (a lease pushes
  its next attempt forward, and this process never claims a row it holds) before it is sent,
  and marked sent right after. The one at-least-once window: a crash (or a timeout whose
  request did reach Telegram) after Telegram accepted the message and before the mark
  commits; the lease then expires and the message is sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from app.metrics import PUSHES, RETRY_AFTER, SERVER_ERRORS
from bot.config import CHANNEL
from bot.render import (
    DocumentReader,
    _send_text,
    markup_of,
    seconds,
    send_document,
    split_text,
    text_of,
)
from cases import repositories as repo
from cases.db import Database
from cases.models import Applicant, NotificationOutbox, OutboxStatus, utcnow
from locales import translator
from locales.replies import from_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushLimits:
    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    # Spacing is stretched by this fraction overall, and per chat also by `cushion` seconds:
    # Telegram sees our requests with network jitter, and must never see them too close.
    margin: float = 0.03
    cushion: float = 0.01


LATE = 0.003  # seconds of scheduling lateness the global spacing may make up


class Pacer:
    """When the next message may go: global spacing, per-chat spacing, flood-wait pauses, and
    a one-second window of requests that cannot be exceeded however late any of them arrive."""

    def __init__(self, limits: PushLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.gap = (1.0 + limits.margin) / limits.per_second
        self.chat_gap = (1.0 + limits.margin) / limits.per_chat_per_second + limits.cushion
        self.window_size = max(1, int(limits.per_second))
        self._next_any = 0.0
        self._next_chat: dict[int, float] = {}
        self._paused_until = 0.0
        self._in_flight = 0
        self._answered: deque[float] = deque()  # answer times within the last second, in order

    def ready_at(self, chat_id: int) -> float:
        return max(self.any_ready_at(), self.chat_ready_at(chat_id))

    def any_ready_at(self) -> float:
        """When any chat may next have a message (one clock read for a scan of all chats)."""
        return max(self._next_any, self._paused_until, self._window_free_at())

    def chat_ready_at(self, chat_id: int) -> float:
        return self._next_chat.get(chat_id, 0.0)

    def take(self, chat_id: int, at: float) -> None:
        # Keep to the schedule rather than to the moment the loop woke (a few ms late each
        # time, which alone cost 7% of the rate); never more than `LATE` ahead of it, so an
        # idle spell does not turn into a burst.
        self._next_any = max(self._next_any, at - min(LATE, self.gap / 4)) + self.gap
        self._next_chat[chat_id] = at + self.chat_gap
        self._in_flight += 1
        # Forget chats whose spacing has passed, or the table grows with every applicant.
        if len(self._next_chat) > 10_000:
            self._next_chat = {c: t for c, t in self._next_chat.items() if t > at}

    def answered(self, chat_id: int, at: float) -> None:
        """The request started by `take` was answered (whatever the answer) at `at`: it
        arrived before then, so spacing counted from here holds at Telegram's end too."""
        self._in_flight -= 1
        self._answered.append(at)
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), at + self.chat_gap)

    def _window_free_at(self) -> float:
        """When one more request may start without `window_size` others having arrived
        within the second before it: every request in flight or answered within the last
        second may have arrived in it."""
        now = self.clock()
        while self._answered and self._answered[0] + 1.0 <= now:
            self._answered.popleft()
        excess = self._in_flight + len(self._answered) - self.window_size
        if excess < 0:
            return 0.0
        if excess < len(self._answered):
            return self._answered[excess] + 1.0
        return math.inf  # the window is all in flight: the next answer frees a place

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.clock() + seconds)


@dataclass
class Job:
    """One outbox row being delivered: its messages go one at a time, paced like any other."""

    row_id: int
    applicant_id: int
    chat_id: int
    sends: list[Callable[[], Awaitable[Any]]]
    attempts: int
    done: int = 0
    busy: bool = False  # a message of it is in flight: the chat waits (keeps the order)


@dataclass
class PushStats:
    sent_rows: int = 0
    messages: int = 0
    retry_after: int = 0  # 429s received
    server_errors: int = 0
    blocked: int = 0
    gave_up: int = 0
    started: float = field(default_factory=time.monotonic)


def claim_telegram_notifications(
    session: Session, now: Any, limit: int, lease: timedelta, held: frozenset[int]
) -> list[tuple[NotificationOutbox, Applicant]]:
    """Claim due rows of Telegram applicants (a lease, as `cases.repositories` claims do).
    Rows this process already holds are skipped, so it never sends one twice itself."""
    earlier = aliased(NotificationOutbox)
    # One chat's messages go out in the order they were queued: a row waits while an earlier
    # row of the same applicant waits (backing off after a 5xx, or leased and in flight).
    waiting_before = (
        select(earlier.id)
        .where(
            earlier.applicant_id == NotificationOutbox.applicant_id,
            earlier.status == OutboxStatus.pending.value,
            earlier.id < NotificationOutbox.id,
            earlier.next_attempt_at > now,
        )
        .exists()
    )
    query = (
        select(NotificationOutbox, Applicant)
        .join(Applicant, Applicant.id == NotificationOutbox.applicant_id)
        .where(
            NotificationOutbox.status == OutboxStatus.pending.value,
            NotificationOutbox.next_attempt_at <= now,
            Applicant.channel == CHANNEL,
            ~waiting_before,
        )
        .order_by(NotificationOutbox.id)  # queue order: a chat reads its messages in order
        .limit(limit)
        .with_for_update(skip_locked=True, of=NotificationOutbox)
    )
    rows = [(row, who) for row, who in session.execute(query).all() if row.id not in held]
    for row, _ in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease
    session.flush()
    return rows


def count_waiting(session: Session) -> int:
    """Telegram notifications still pending, due or not (for `run(until_empty=True)`)."""
    query = (
        select(NotificationOutbox.id)
        .join(Applicant, Applicant.id == NotificationOutbox.applicant_id)
        .where(
            NotificationOutbox.status == OutboxStatus.pending.value,
            Applicant.channel == CHANNEL,
        )
    )
    return len(session.execute(query.limit(1)).all())


def mark_sent_many(session: Session, row_ids: list[int]) -> None:
    at = utcnow()
    for row_id in row_ids:
        repo.mark_notification_sent(session, row_id, at=at)


def give_back(
    session: Session,
    row_id: int,
    error: str,
    retry_at: datetime | None,
    released: list[int],
    now: datetime,
) -> None:
    """A failed send: its row waits until `retry_at` (None: given up); the `released` rows
    (the chat's next messages, claimed but not sent) are due again at once, behind it."""
    repo.mark_notification_failed(session, row_id, error, retry_at=retry_at)
    if released:
        session.execute(
            update(NotificationOutbox)
            .where(
                NotificationOutbox.id.in_(released),
                NotificationOutbox.status == OutboxStatus.pending.value,
            )
            .values(next_attempt_at=now)
        )


def hand_to_clerk(session: Session, applicant_id: int, row_id: int, reason: str) -> None:
    """The applicant cannot be reached on Telegram: a clerk phones them instead."""
    now = utcnow()
    repo.mark_unreachable(session, applicant_id, at=now)
    task = repo.add_staff_task(
        session,
        "phone_applicant",
        applicant_id=applicant_id,
        detail={"reason": reason, "channel": CHANNEL},
    )
    notifications = list(task.detail.get("notifications", []))
    task.detail = {**task.detail, "notifications": [*notifications, row_id]}
    repo.mark_notification_failed(
        session, row_id, f"{reason}: handed to staff task {task.id}", retry_at=None
    )


class PushSender:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        limits: PushLimits | None = None,
        *,
        lease: timedelta = timedelta(minutes=5),
        idle_poll: float = 0.5,
        max_in_flight: int = 8,
        backoff_base: float = 2.0,
        backoff_max: float = 600.0,
        files: DocumentReader | None = None,
    ) -> None:
        self.bot, self.db = bot, db
        self.files = files  # the file store the documents of pushes are read from
        self.limits = limits or PushLimits()
        self.pacer = Pacer(self.limits)
        self.lease, self.idle_poll = lease, idle_poll
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.stats = PushStats()
        self._queues: dict[int, deque[Job]] = {}
        self._held: set[int] = set()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self._to_mark: list[int] = []
        self._marking: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._last_claim = 0.0
        self._refilling: asyncio.Task[None] | None = None
        self._last_claim_full = False

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def wake(self) -> None:
        """New rows were queued: look now instead of at the next idle poll."""
        self._wake.set()

    async def run(self, *, until_empty: bool = False) -> PushStats:
        """Deliver until `stop()` (or, with until_empty, until nothing is due or held)."""
        try:
            while not self._stopping.is_set():
                if self._needs_more() and self._refill_due():
                    # In the background: awaiting the claim here would cost send slots.
                    self._refilling = asyncio.create_task(self._refill())
                chat = self._next_chat()
                if chat is None:
                    refilling = self._refilling is not None and not self._refilling.done()
                    idle = until_empty and not self._held and not self._tasks and not refilling
                    if idle and not await self.db.run(count_waiting):
                        break
                    await self._idle()
                    continue
                delay = self.pacer.ready_at(chat) - time.monotonic()
                if delay > 0:
                    await self._sleep(min(delay, self.idle_poll))
                    continue
                await self._slots.acquire()
                now = time.monotonic()
                if self.pacer.ready_at(chat) > now or not self._queues.get(chat):
                    self._slots.release()  # a 429 paused us while waiting for a slot
                    continue
                job = self._queues[chat][0]
                job.busy = True  # before the task starts: the next turn must not pick it
                self.pacer.take(chat, now)
                self._spawn(self._send_step(job))
        finally:
            await self._drain()
        return self.stats

    # -- scheduling ------------------------------------------------------------------------

    def _queued(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def _needs_more(self) -> bool:
        """Claim more when too few chats can take a message within the next second: jobs
        waiting for their own chat's spacing do not keep the overall budget busy."""
        if self._queued() >= 10 * self._refill_level():
            return False
        soon = time.monotonic() + 1.0
        if self.pacer.any_ready_at() > soon:
            return True  # paused (as before this was split): no chat counts as ready
        chat_ready = self.pacer.chat_ready_at
        ready = sum(1 for c, q in self._queues.items() if q and chat_ready(c) <= soon)
        return ready < self._refill_level()

    def _refill_level(self) -> int:
        return max(4, int(self.limits.per_second))

    def _next_chat(self) -> int | None:
        any_ready, chat_ready = self.pacer.any_ready_at(), self.pacer.chat_ready_at
        ready = [
            (max(any_ready, chat_ready(c)), c)
            for c, q in self._queues.items()
            if q and q[0].sends and not q[0].busy
        ]
        return min(ready)[1] if ready else None

    def _refill_due(self) -> bool:
        if self._refilling is not None and not self._refilling.done():
            return False
        # A full batch last time: more are waiting, claim again now. Otherwise look again
        # after a short while (or when woken), not once per message sent.
        return self._last_claim_full or time.monotonic() - self._last_claim >= min(
            self.idle_poll, 0.2
        )

    async def _refill(self) -> None:
        try:
            await self._claim()
        except Exception:
            # The database is away: try again at the next idle poll, keep what is queued.
            log.exception("claiming notifications failed")
            self._last_claim, self._last_claim_full = time.monotonic(), False

    async def _claim(self) -> None:
        limit = self._refill_level() * 2
        rows = await self.db.run(
            claim_telegram_notifications, utcnow(), limit, self.lease, frozenset(self._held)
        )
        self._last_claim, self._last_claim_full = time.monotonic(), len(rows) == limit
        for row, applicant in rows:
            self._held.add(row.id)
            if not applicant.reachable:
                # Blocked earlier: the clerk's phone task already covers this applicant.
                await self._finish_unreachable(row.id, applicant.id, "unreachable")
                continue
            job = Job(
                row.id,
                applicant.id,
                int(applicant.external_user_id),
                self._sends(int(applicant.external_user_id), row.payload, applicant.language),
                row.attempts,
            )
            self._queues.setdefault(job.chat_id, deque()).append(job)
        self._wake.set()

    def _sends(
        self, chat_id: int, payload: dict[str, Any], language: str
    ) -> list[Callable[[], Awaitable[Any]]]:
        reply = from_json(payload)
        tr = translator(language)
        parts = split_text(text_of(reply, tr))
        markup = markup_of(reply, tr)
        sends: list[Callable[[], Awaitable[Any]]] = []
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            sends.append(partial(_send_text, self.bot, chat_id, part, markup if last else None))
        if reply.document is not None:
            doc = reply.document
            sends.append(lambda: send_document(self.bot, chat_id, doc, self.files))
        return sends

    # -- one message -----------------------------------------------------------------------

    async def _send_step(self, job: Job) -> None:
        send = job.sends[0]
        try:
            await send()
            job.sends = job.sends[1:]
        except RetryAfter as exc:
            self.stats.retry_after += 1
            RETRY_AFTER.inc()
            self.pacer.pause(seconds(exc))
            return
        except Forbidden:
            self.stats.blocked += 1
            self._dequeue(job)
            await self._finish_unreachable(job.row_id, job.applicant_id, "blocked_bot")
            return
        except BadRequest as exc:
            self.stats.gave_up += 1
            self._dequeue(job)
            if "chat not found" in str(exc).lower():
                await self._finish_unreachable(job.row_id, job.applicant_id, "chat_not_found")
            else:
                await self._give_back(job, f"refused: {exc}", retry=False)
            return
        except (TimedOut, NetworkError) as exc:
            # PTB raises NetworkError for 5xx answers as well as for broken connections.
            self.stats.server_errors += 1
            SERVER_ERRORS.inc()
            self._dequeue(job)
            self.pacer.pause(min(self.backoff_base, 5.0))
            await self._give_back(job, f"{type(exc).__name__}: {exc}", retry=True)
            return
        finally:
            # Pause (above) and answer are noted before the slot and the chat are free.
            self.pacer.answered(job.chat_id, time.monotonic())
            job.busy = False
            self._slots.release()
            self._wake.set()
        self.stats.messages += 1
        PUSHES.inc()
        job.done += 1
        if not job.sends:
            self._dequeue(job)
            self._mark_sent(job.row_id)

    def _dequeue(self, job: Job) -> None:
        queue = self._queues.get(job.chat_id)
        if queue and job in queue:
            queue.remove(job)
        if queue is not None and not queue:
            del self._queues[job.chat_id]

    def _mark_sent(self, row_id: int) -> None:
        # Group commit: marks gathered while one transaction runs go in the next one.
        self._to_mark.append(row_id)
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._mark_loop())

    async def _mark_loop(self) -> None:
        while self._to_mark:
            batch, self._to_mark = self._to_mark, []
            while True:
                try:
                    await self.db.run(mark_sent_many, batch)
                    break
                except Exception:
                    # Never resend because a mark failed: keep trying the mark itself.
                    log.exception("marking %d notifications sent failed; retrying", len(batch))
                    await asyncio.sleep(1.0)
            self.stats.sent_rows += len(batch)
            self._held.difference_update(batch)

    async def _give_back(self, job: Job, error: str, *, retry: bool) -> None:
        delay = min(self.backoff_max, self.backoff_base * 2 ** max(0, job.attempts - 1))
        retry_at = utcnow() + timedelta(seconds=delay) if retry else None
        if job.done:
            # Part of a long message went out: the retry resends it (at-least-once window).
            error += f" (after {job.done} of its messages were sent)"
        # The chat's later messages must not overtake this one: they go back to the outbox
        # too, where the claim holds them until this one is out.
        later = []
        if retry:
            queue = self._queues.get(job.chat_id) or deque()
            later = [j for j in queue if j is not job and not j.busy and not j.done]
            for other in later:
                self._dequeue(other)
        await self.db.run(
            give_back, job.row_id, error, retry_at, [j.row_id for j in later], utcnow()
        )
        self._held.discard(job.row_id)
        self._held.difference_update(j.row_id for j in later)

    async def _finish_unreachable(self, row_id: int, applicant_id: int, reason: str) -> None:
        await self.db.run(hand_to_clerk, applicant_id, row_id, reason)
        self._held.discard(row_id)
        # Everything else queued for this chat goes to the same clerk's task.
        for chat, queue in list(self._queues.items()):
            for other in [j for j in queue if j.applicant_id == applicant_id and j.sends]:
                queue.remove(other)
                await self.db.run(hand_to_clerk, applicant_id, other.row_id, reason)
                self._held.discard(other.row_id)
            if not queue:
                del self._queues[chat]

    # -- plumbing --------------------------------------------------------------------------

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _idle(self) -> None:
        await self._sleep(self.idle_poll)  # woken early by a finished send or a refill

    async def _sleep(self, seconds_: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds_)

    async def _drain(self) -> None:
        if self._refilling is not None:
            with contextlib.suppress(Exception):
                await self._refilling
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        while self._marking is not None and not self._marking.done():
            await self._marking
        # Rows still held but unsent go back to the outbox for the next start.
        unsent = [j for q in self._queues.values() for j in q]
        for job in unsent:
            await self.db.run(
                repo.mark_notification_failed,
                job.row_id,
                "sender stopped",
                retry_at=utcnow(),
            )
            self._held.discard(job.row_id)
        self._queues.clear()
