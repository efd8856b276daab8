"""Inline button presses. The conversation decides whether the press is stale (its question
is no longer the current one) and answers politely; data from an older callback format is
handed over as a stale choice too, so the wording lives in one place.

The pressed keyboard stays on its message. Taking it away cost an editMessageReplyMarkup per
press, about a fifth of the channel's CPU per update on the journey's mix (benchmarks/
telegram_channel.py), to spare the rare second press that the conversation answers anyway
("that button belongs to an earlier question", then the current one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import callback_data
from dialogs.events import Choice

if TYPE_CHECKING:
    from bot.handlers import Deps

STALE_FORMAT = Choice(id="", question="<stale>")


def handlers(deps: Deps) -> list[BaseHandler]:
    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        choice = callback_data.decode(query.data) or STALE_FORMAT
        # The spinner on the button stops beside the conversation, not after it.
        async with deps.answers.answering(update):
            await deps.channel.answer(update, context.bot, choice)

    return [CallbackQueryHandler(on_press)]
