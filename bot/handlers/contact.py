"""A shared contact: the applicant's own phone number from the share-my-number keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from dialogs.events import Contact, Unsupported

if TYPE_CHECKING:
    from bot.handlers import Deps


def handlers(deps: Deps) -> list[BaseHandler]:
    async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.contact is not None
        shared = message.contact
        own = update.effective_user is not None and shared.user_id == update.effective_user.id
        # Someone else's card (forwarded from the address book) is not the applicant's number.
        event = Contact(shared.phone_number) if own else Unsupported("contact_of_someone_else")
        await deps.channel.answer(update, context.bot, event)

    return [MessageHandler(filters.UpdateType.MESSAGE & filters.CONTACT, on_contact)]
