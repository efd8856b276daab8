"""Slash commands, including the deep link `/start <case number>` (t.me/bot?start=...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, filters

from dialogs.events import Command, CommandName

if TYPE_CHECKING:
    from bot.handlers import Deps

COMMANDS: tuple[str, ...] = get_args(CommandName)


def handlers(deps: Deps) -> list[BaseHandler]:
    async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        name = message.text.split()[0].lstrip("/").split("@")[0].lower()
        argument = " ".join(context.args or []).strip()
        await deps.channel.answer(update, context.bot, Command(name, argument))  # type: ignore[arg-type]

    return [CommandHandler(list(COMMANDS), on_command, filters=filters.UpdateType.MESSAGE)]
