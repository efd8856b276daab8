"""Rendering reply intents for Telegram: escaped HTML text, inline keyboards with versioned
callback data, a reply keyboard to share the phone number, documents as files."""

from __future__ import annotations

import asyncio
import html
import warnings
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Protocol, TypeVar

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import callback_data
from locales import Translator
from locales.replies import Document, Reply, render

T = TypeVar("T")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


class DocumentReader(Protocol):
    """Where a document's bytes come from: the encrypted file store (`cases.files`)."""

    def read(self, address: str) -> bytes: ...


def text_of(reply: Reply, tr: Translator) -> str:
    """The message as HTML: everything escaped, so a name like `<b>` or `&` shows as typed."""
    text = render(reply.message, tr)
    if reply.expects == "contact" and reply.choices:
        # The contact keyboard takes the message's only keyboard slot: list the choices, the
        # conversation accepts their numbers or labels typed back.
        lines = [f"{n}. {render(o.label, tr)}" for n, o in enumerate(reply.choices, 1)]
        text = "\n".join([text, "", *lines])
    return html.escape(text, quote=False)


def markup_of(reply: Reply, tr: Translator) -> Markup:
    if reply.expects == "contact":
        share = KeyboardButton(tr("bot.share_phone"), request_contact=True)
        return ReplyKeyboardMarkup([[share]], resize_keyboard=True, one_time_keyboard=True)
    if reply.choices:
        rows = [
            [
                InlineKeyboardButton(
                    render(option.label, tr),
                    callback_data=callback_data.encode(reply.question, option.id, reply.shown),
                )
            ]
            for option in reply.choices
        ]
        return InlineKeyboardMarkup(rows)
    return None


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Telegram refuses messages over 4,096 characters: cut at line ends where possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


class PartialDelivery(Exception):
    """Telegram could not be reached for a while: `sent` replies went out, the rest did not."""

    def __init__(self, sent: int, cause: BaseException) -> None:
        super().__init__(f"{sent} replies sent before {type(cause).__name__}: {cause}")
        self.sent, self.cause = sent, cause


async def send_replies(
    bot: Bot,
    chat_id: int,
    replies: Sequence[Reply],
    tr: Translator,
    files: DocumentReader | None = None,
) -> None:
    """Send each reply in order. Unless the batch asks for the phone number, the first reply
    without buttons also takes away a share-phone keyboard an earlier turn may have left
    (harmless when there is none; the channel keeps no screen state of its own).

    Raises PartialDelivery when Telegram stays unreachable (429 or network errors after the
    retries), saying how many replies did go out: the caller keeps the rest."""
    remove = not any(r.expects == "contact" for r in replies)
    for n, reply in enumerate(replies):
        removing = remove and markup_of(reply, tr) is None
        try:
            await send_reply(bot, chat_id, reply, tr, files, remove_keyboard=removing)
        except (RetryAfter, TimedOut, NetworkError) as exc:
            if isinstance(exc, (BadRequest, Forbidden)):
                raise  # refused for good: sending again later would not help
            raise PartialDelivery(n, exc) from exc
        remove = remove and not removing


async def send_reply(
    bot: Bot,
    chat_id: int,
    reply: Reply,
    tr: Translator,
    files: DocumentReader | None = None,
    *,
    remove_keyboard: bool = False,
) -> None:
    markup = markup_of(reply, tr)
    if markup is None and remove_keyboard:
        markup = ReplyKeyboardRemove()
    parts = split_text(text_of(reply, tr))
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        await with_retries(partial(_send_text, bot, chat_id, part, markup if last else None))
    if reply.document is not None:
        await send_document(bot, chat_id, reply.document, files)


async def _send_text(bot: Bot, chat_id: int, text: str, markup: Markup) -> object:
    return await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def send_document(
    bot: Bot, chat_id: int, document: Document, files: DocumentReader | None
) -> None:
    """Decrypt the stored document (off the event loop) and send it under its file name."""
    if files is None:
        raise RuntimeError("a reply carries a document but this sender has no file store")
    data = await asyncio.to_thread(files.read, document.address)
    upload = InputFile(data, filename=document.filename)
    await with_retries(lambda: bot.send_document(chat_id, upload))


async def with_retries(call: Callable[[], Awaitable[T]], attempts: int = 4) -> T:
    """A direct answer, retried on 429 (after retry_after) and on network errors: the
    applicant is waiting for it. Pushes have their own paced sender (bot.push_sender)."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == attempts:
                raise
            await asyncio.sleep(seconds(exc))
        except BadRequest:
            raise  # a NetworkError to PTB, but Telegram refused this message: no retry helps
        except (TimedOut, NetworkError):
            if attempt == attempts:
                raise
            await asyncio.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


def seconds(error: RetryAfter) -> float:
    """How long Telegram asks us to wait. PTB 22 gives an int (deprecated, with a warning)
    or a timedelta (opt-in, the future): accept both, without the warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
