"""Typed text (answers, numbers of choices, questions for the FAQ)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from dialogs.events import Text

if TYPE_CHECKING:
    from bot.handlers import Deps


def handlers(deps: Deps) -> list[BaseHandler]:
    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        await deps.channel.answer(update, context.bot, Text(message.text))

    # Unknown /commands are text too: the conversation's NLU or hint answers them.
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, on_text)]
