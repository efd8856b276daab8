"""The command menu (setMyCommands): Chinese by default and for Chinese clients, English for
English ones."""

from __future__ import annotations

from telegram import Bot, BotCommand

from locales import translator

MENU = ("start", "status", "back", "restart", "cancel", "language", "mydata", "help")
# language_code given to Telegram -> our catalogue. None is the default for everyone else.
MENU_LANGUAGES: tuple[tuple[str | None, str], ...] = (
    (None, "zh_CN"),
    ("zh", "zh_CN"),
    ("en", "en"),
)


def commands_in(language: str) -> list[BotCommand]:
    tr = translator(language)
    return [BotCommand(name, tr(f"bot.command.{name}")) for name in MENU]


async def set_menu(bot: Bot) -> None:
    for code, language in MENU_LANGUAGES:
        await bot.set_my_commands(commands_in(language), language_code=code)
