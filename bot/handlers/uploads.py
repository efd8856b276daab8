"""Photos and documents, alone or as an album: one Files event, pages in the order sent."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot.uploads import attachment_of
from dialogs.events import Files

if TYPE_CHECKING:
    from bot.handlers import Deps


def handlers(deps: Deps) -> list[BaseHandler]:
    async def on_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        parts = deps.intake.album_parts(update)
        found = (attachment_of(p.effective_message) for p in parts if p.effective_message)
        attachments = [a for a in found if a is not None]
        pages = await asyncio.gather(*(deps.fetcher.fetch(context.bot, a) for a in attachments))
        # One event for the album, dropped as a duplicate by the id of its first part.
        await deps.channel.answer(
            update, context.bot, Files(tuple(pages)), update_id=str(parts[0].update_id)
        )

    upload = filters.PHOTO | filters.Document.ALL
    return [MessageHandler(filters.UpdateType.MESSAGE & upload, on_upload)]
