"""Typed text (answers, numbers of choices, questions for the FAQ)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from dialogs.events import Text, Unsupported

if TYPE_CHECKING:
    from bot.handlers import Deps


def handlers(deps: Deps) -> list[BaseHandler]:
    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        # Forwarded words are someone else's (a relative's chat, a group): never an answer.
        # Forwarded photos and files are fine as uploads (children often take the photos).
        forwarded = message.forward_origin is not None
        event = Unsupported("forwarded_text") if forwarded else Text(message.text)
        await deps.channel.answer(update, context.bot, event)

    # Unknown /commands are text too: the conversation's NLU or hint answers them.
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, on_text)]
