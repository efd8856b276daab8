"""The bot serves people one to one. In a group, supergroup or channel it never speaks about
anyone: it says once (per group, per process) that it works in a private chat, when someone
addresses it with a command, and otherwise ignores messages, commands and buttons there.
Registered first, in a group of its own that stops every later handler."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from telegram import Chat, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler, ContextTypes, TypeHandler

from bot.channel import language_hint
from bot.render import PartialDelivery, send_replies
from locales import translator
from locales.replies import Msg, Reply

if TYPE_CHECKING:
    from bot.handlers import Deps

log = logging.getLogger(__name__)
GROUP = -1  # before every other handler


def handlers(deps: Deps) -> list[BaseHandler]:
    told: set[int] = set()

    async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None or chat.type == Chat.PRIVATE:
            return  # the other handlers take it
        message = update.message
        command = message is not None and (message.text or "").startswith("/")
        if command and chat.id not in told:
            told.add(chat.id)
            with contextlib.suppress(TelegramError, PartialDelivery):
                tr = translator(language_hint(update))
                await send_replies(context.bot, chat.id, [Reply(Msg("bot.private_only"))], tr)
        await deps.answers.answer(update)  # a button in a group: nothing happens
        log.info("update %s from a %s chat ignored", update.update_id, chat.type)
        raise ApplicationHandlerStop

    return [TypeHandler(Update, guard)]
