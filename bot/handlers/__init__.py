"""Handlers, one module per feature, each exposing `handlers(deps) -> list[BaseHandler]`.
`register_handlers` adds them in a fixed order, the fallback last: PTB uses the first handler
of a group that accepts an update."""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import Application

from bot.callback_answers import CallbackAnswers
from bot.channel import TelegramChannel
from bot.handlers import (
    buttons,
    commands,
    contact,
    edited,
    fallback,
    private_only,
    text,
    uploads,
)
from bot.intake import Intake
from bot.uploads import UploadFetcher


@dataclass(frozen=True)
class Deps:
    channel: TelegramChannel
    intake: Intake
    fetcher: UploadFetcher
    answers: CallbackAnswers


def register_handlers(application: Application, deps: Deps) -> None:
    for handler in private_only.handlers(deps):
        application.add_handler(handler, group=private_only.GROUP)
    for feature in (commands, buttons, contact, edited, uploads, text, fallback):
        for handler in feature.handlers(deps):
            application.add_handler(handler)
