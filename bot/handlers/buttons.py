"""Inline button presses. The conversation decides whether the press is stale (its question
is no longer the current one) and answers politely; data from an older callback format is
handed over as a stale choice too, so the wording lives in one place."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import TelegramError
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
            outcome = await deps.channel.answer(update, context.bot, choice)
        if outcome is not None and not outcome.duplicate and query.message is not None:
            # Take the buttons away once used, so an old keyboard is not pressed twice;
            # messages older than 48 hours cannot be edited any more, which is harmless.
            with contextlib.suppress(TelegramError):
                await query.edit_message_reply_markup(None)

    return [CallbackQueryHandler(on_press)]
