"""An edited message: Telegram sends the new text, but the answer was already taken. The
worker is told how to change an answer instead (nothing is changed behind their back)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from dialogs.events import Unsupported

if TYPE_CHECKING:
    from bot.handlers import Deps


def handlers(deps: Deps) -> list[BaseHandler]:
    async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await deps.channel.answer(update, context.bot, Unsupported("edited_message"))

    return [MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit)]
