"""The push sender: drains the notification outbox to Telegram within its limits.

* Pacing (bot/push_pacing.py): within Telegram's 30/s overall and 1/s per chat, spaced and
  counted against the answers, so our own pacing never causes a 429.
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
import time
from collections.abc import Awaitable
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from app.metrics import PUSHES, RETRY_AFTER, SERVER_ERRORS
from bot.push_claims import (
    claim_telegram_notifications,
    count_waiting,
    give_back,
    hand_to_clerk,
    mark_sent_many,
)
from bot.push_jobs import ChatQueues, Job, PushStats, message_sends
from bot.push_pacing import Pacer, PushLimits
from bot.render import (
    DocumentReader,
    seconds,
)
from cases import repositories as repo
from cases.db import Database
from cases.models import utcnow

log = logging.getLogger(__name__)


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
        self._queues = ChatQueues()
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
                job = self._queues.head(chat)
                if self.pacer.ready_at(chat) > now or job is None:
                    self._slots.release()  # a 429 paused us while waiting for a slot
                    continue
                job.busy = True  # before the task starts: the next turn must not pick it
                self.pacer.take(chat, now)
                self._spawn(self._send_step(job))
        finally:
            await self._drain()
        return self.stats

    def _needs_more(self) -> bool:
        """Claim more when too few chats can take a message within the next second: jobs
        waiting for their own chat's spacing do not keep the overall budget busy."""
        if len(self._queues) >= 10 * self._refill_level():
            return False
        soon = time.monotonic() + 1.0
        if self.pacer.any_ready_at() > soon:
            return True  # paused (as before this was split): no chat counts as ready
        ready = self._queues.ready_within(self.pacer.chat_ready_at, soon)
        return ready < self._refill_level()

    def _refill_level(self) -> int:
        return max(4, int(self.limits.per_second))

    def _next_chat(self) -> int | None:
        return self._queues.next_chat(self.pacer.any_ready_at(), self.pacer.chat_ready_at)

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
            chat_id = int(applicant.external_user_id)
            sends = message_sends(self.bot, self.files, chat_id, row.payload, applicant.language)
            self._queues.add(Job(row.id, applicant.id, chat_id, sends, row.attempts))
        self._wake.set()

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
        self._queues.remove(job)

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
        later = self._queues.waiting_behind(job) if retry else []
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
        for other in self._queues.take_applicant(applicant_id):
            await self.db.run(hand_to_clerk, applicant_id, other.row_id, reason)
            self._held.discard(other.row_id)

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
        unsent = list(self._queues)
        for job in unsent:
            await self.db.run(
                repo.mark_notification_failed,
                job.row_id,
                "sender stopped",
                retry_at=utcnow(),
            )
            self._held.discard(job.row_id)
        self._queues.clear()
