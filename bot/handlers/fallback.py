"""Everything else a person can send (stickers, voice notes, videos, locations...): the
conversation says what it can use instead. Registered last."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Message, Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from dialogs.events import Unsupported

if TYPE_CHECKING:
    from bot.handlers import Deps

_KINDS = ("sticker", "voice", "video", "video_note", "audio", "animation", "location",
          "venue", "poll", "dice", "game", "story")  # fmt: skip


def kind_of(message: Message) -> str:
    return next((kind for kind in _KINDS if getattr(message, kind, None)), "unknown")


def handlers(deps: Deps) -> list[BaseHandler]:
    async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        await deps.channel.answer(update, context.bot, Unsupported(kind_of(message)))

    return [MessageHandler(filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, on_other)]
