"""Answering a button press (the spinner on the button stops) in as few Bot API calls as
Telegram permits, and without waiting for the conversation.

Webhook: Telegram lets the HTTP response to an update carry one Bot API method, whose result
never comes back (an answer to a callback query has none worth reading). The answer rides
there: one call fewer per press. Our webhook responds once the update is handled, so the
spinner stops when the replies are out, as it did when the answer was a call made last.
Webhook workers on PostgreSQL respond once the update is recorded (bot/shared_intake.py):
the press is handled after, its answer a call of its own.

Polling (or a second answer for the same update): the answer is its own call, started at once
beside the conversation in a task the handler owns and awaits before it returns, so the
spinner stops without waiting for the database and the task is never left behind."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Update
from telegram.error import TelegramError

log = logging.getLogger(__name__)


@dataclass
class ResponseSlot:
    """The one Bot API method the webhook's HTTP response may carry (None: a plain 200)."""

    method: dict[str, Any] | None = None


class CallbackAnswers:
    def __init__(self) -> None:
        self._slots: dict[int, ResponseSlot] = {}

    @contextlib.contextmanager
    def response_for(self, update_id: int) -> Iterator[ResponseSlot]:
        """While the webhook handles `update_id`, an answer goes into the slot it yields."""
        slot = ResponseSlot()
        # Telegram may deliver the same update again while the first is still in hand: the
        # second gets a slot of its own that no handler fills (its answer becomes a call).
        owner = update_id not in self._slots
        if owner:
            self._slots[update_id] = slot
        try:
            yield slot
        finally:
            if owner:
                del self._slots[update_id]

    @contextlib.asynccontextmanager
    async def answering(self, update: Update) -> AsyncIterator[None]:
        """Answer the update's button press while the body runs; done before this returns."""
        task = self._start(update)
        try:
            yield
        finally:
            if task is not None:
                await task

    async def answer(self, update: Update) -> None:
        """Answer the update's button press, if it is one, with nothing else to wait for."""
        async with self.answering(update):
            pass

    def _start(self, update: Update) -> asyncio.Task[None] | None:
        query = update.callback_query
        if query is None:
            return None
        slot = self._slots.get(update.update_id)
        if slot is not None and slot.method is None:
            slot.method = {"method": "answerCallbackQuery", "callback_query_id": query.id}
            return None
        return asyncio.create_task(_answer(query), name=f"answer-{update.update_id}")


async def _answer(query: CallbackQuery) -> None:
    try:
        await query.answer()
    except TelegramError as exc:
        # Telegram drops answers after ~15 s and stops the spinner itself: nothing the
        # applicant misses, so neither this nor a network error may fail the update.
        log.info("callback query not answered: %s", type(exc).__name__)
