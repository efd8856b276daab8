"""The one place where a Telegram update meets the conversation: the event goes to the
conversation service (which drops duplicate update ids and serialises each applicant in the
database), and the replies come back rendered in the applicant's language."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Protocol

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from app.metrics import REPLIES, REPLIES_KEPT, UPDATE_SECONDS, UPDATES
from bot.config import CHANNEL
from bot.render import DocumentReader, PartialDelivery, send_replies
from cases.errors import StoreUnavailable
from dialogs.events import Event
from locales import Translator, translator
from locales.replies import Msg, Reply

log = logging.getLogger(__name__)
# How long an update is held while the database is away before it counts as failed.
STORE_PATIENCE = 600.0
STORE_FIRST_PAUSE = 1.0  # then doubling, up to 30 s


class Outcome(Protocol):
    @property
    def language(self) -> str: ...
    @property
    def replies(self) -> Sequence[Reply]: ...
    @property
    def duplicate(self) -> bool: ...


class ConversationPort(Protocol):
    """What the channel needs of `dialogs.service.ConversationService`."""

    async def handle(
        self, channel: str, user_id: str, event: Event, update_id: str | None = None
    ) -> Outcome: ...

    async def keep_replies(
        self, channel: str, user_id: str, replies: Sequence[Reply], key: str
    ) -> None: ...

    async def kept_replies_waiting(self, channel: str, user_id: str) -> bool: ...


def language_hint(update: Update) -> str:
    """Telegram's idea of the user's language, for the rare message sent without the
    conversation (an internal error): the conversation's own language wins everywhere else."""
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    return "en" if code.lower().startswith("en") else "zh_CN"


class TelegramChannel:
    def __init__(self, service: ConversationPort, files: DocumentReader | None = None) -> None:
        self.service = service
        self.files = files  # documents (notices, forms) are read from the file store
        # Chats whose replies went to the outbox (Telegram was unreachable): until those are
        # out, later replies queue behind them so the chat reads in order.
        self._behind: set[int] = set()

    async def answer(
        self, update: Update, bot: Bot, event: Event, *, update_id: str | None = None
    ) -> Outcome | None:
        """Hand one event to the conversation and send its replies. None when it failed and
        the applicant got an apology instead."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return None
        try:
            with UPDATE_SECONDS.time():
                outcome = await self._handle(update, bot, event, update_id)
            UPDATES.inc()
        except Exception:
            log.exception("the conversation failed on update %s", update.update_id)
            await self._apologise(bot, chat.id, translator(language_hint(update)))
            return None
        if outcome.duplicate:
            return outcome  # already answered when it first came
        tr = translator(outcome.language)
        if chat.id in self._behind and await self._still_behind(user.id, chat.id):
            # Earlier replies are still waiting in the outbox: these queue up behind them.
            key = f"reply:{update_id or update.update_id}"
            await self.service.keep_replies(CHANNEL, str(user.id), outcome.replies, key)
            return outcome
        try:
            await send_replies(bot, chat.id, outcome.replies, tr, self.files)
            REPLIES.inc(len(outcome.replies))
        except Forbidden:
            log.info("applicant blocked the bot; replies to update %s dropped", update.update_id)
        except PartialDelivery as exc:
            # Telegram is unreachable for now: keep what did not go out in the outbox, which
            # the push sender retries, and only then let the update be confirmed.
            rest = list(outcome.replies)[exc.sent :]
            REPLIES.inc(exc.sent)
            REPLIES_KEPT.inc(len(rest))
            log.warning(
                "replies to update %s kept for later (%d of %d): %s",
                update.update_id,
                len(rest),
                len(outcome.replies),
                type(exc.cause).__name__,
            )
            await self.service.keep_replies(
                CHANNEL, str(user.id), rest, f"reply:{update_id or update.update_id}"
            )
            self._behind.add(chat.id)
        return outcome

    async def _still_behind(self, user_id: int, chat_id: int) -> bool:
        if await self.service.kept_replies_waiting(CHANNEL, str(user_id)):
            return True
        self._behind.discard(chat_id)
        return False

    async def _handle(
        self, update: Update, bot: Bot, event: Event, update_id: str | None
    ) -> Outcome:
        """The conversation's answer. While the database is away the update is held, not
        confirmed (Telegram keeps it) and retried with backoff; the applicant is told once
        that the message arrived. After STORE_PATIENCE seconds it counts as failed."""
        user, chat = update.effective_user, update.effective_chat
        assert user is not None and chat is not None
        waited, pause = 0.0, STORE_FIRST_PAUSE
        while True:
            try:
                return await self.service.handle(
                    CHANNEL, str(user.id), event, update_id=update_id or str(update.update_id)
                )
            except StoreUnavailable:
                if waited >= STORE_PATIENCE:
                    raise
                if waited == 0:
                    log.warning("database unavailable; holding update %s", update.update_id)
                    with contextlib.suppress(TelegramError, PartialDelivery):
                        tr = translator(language_hint(update))
                        await send_replies(bot, chat.id, [Reply(Msg("bot.busy"))], tr)
                await asyncio.sleep(pause)
                waited += pause
                pause = min(pause * 2, 30.0)

    async def _apologise(self, bot: Bot, chat_id: int, tr: Translator) -> None:
        with contextlib.suppress(BadRequest, Forbidden):
            await send_replies(bot, chat_id, [Reply(Msg("bot.error"))], tr)
