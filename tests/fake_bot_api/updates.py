"""Factories for Telegram updates as the Bot API sends them (plain JSON dicts).

Private chats only: in a private chat the chat id equals the user's id, as on Telegram.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class User:
    id: int
    first_name: str = "Applicant"
    language_code: str | None = "zh-hans"
    last_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


_message_ids = itertools.count(100_000)


def message(user: User, **content: Any) -> dict[str, Any]:
    """A message from the user; `content` holds text, photo, document, sticker..."""
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": user.chat(),
        "from": user.to_dict(),
        **content,
    }


def text(user: User, body: str) -> dict[str, Any]:
    msg: dict[str, Any] = {"text": body}
    if body.startswith("/"):
        command = body.split()[0]
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": message(user, **msg)}


def callback(
    user: User, data: str, message_id: int = 1, bot_id: int = 1, query_id: str | None = None
) -> dict[str, Any]:
    """A press on an inline button of message `message_id` the bot sent earlier."""
    shown = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": user.chat(),
        "from": {"id": bot_id, "is_bot": True, "first_name": "Bot", "username": "fake_bot"},
        "text": "…",
    }
    return {
        "callback_query": {
            "id": query_id or f"cq{next(_message_ids)}",
            "from": user.to_dict(),
            "chat_instance": str(user.id),
            "message": shown,
            "data": data,
        }
    }


def contact(user: User, phone: str, own: bool = True) -> dict[str, Any]:
    shared: dict[str, Any] = {"phone_number": phone, "first_name": user.first_name}
    if own:
        shared["user_id"] = user.id
    return {"message": message(user, contact=shared)}


def photo(
    user: User,
    sizes: list[dict[str, Any]],
    media_group_id: str | None = None,
    caption: str | None = None,
) -> dict[str, Any]:
    """`sizes` are PhotoSize dicts (from FakeBotApi.add_photo), smallest first as on Telegram."""
    content: dict[str, Any] = {"photo": sizes}
    if media_group_id:
        content["media_group_id"] = media_group_id
    if caption:
        content["caption"] = caption
    return {"message": message(user, **content)}


def document(user: User, doc: dict[str, Any], media_group_id: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"document": doc}
    if media_group_id:
        content["media_group_id"] = media_group_id
    return {"message": message(user, **content)}


def sticker(user: User) -> dict[str, Any]:
    return {
        "message": message(
            user,
            sticker={
                "file_id": "sticker-1",
                "file_unique_id": "st1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            },
        )
    }


def voice(user: User) -> dict[str, Any]:
    return {
        "message": message(
            user,
            voice={"file_id": "voice-1", "file_unique_id": "vc1", "duration": 3},
        )
    }


def in_group(
    update: dict[str, Any], group_id: int = -100_123, title: str = "家庭群"
) -> dict[str, Any]:
    """The same update, but in a group chat (its id is negative, as on Telegram)."""
    body = dict(update)
    for key in ("message", "edited_message"):
        if key in body:
            body[key] = {**body[key], "chat": {"id": group_id, "type": "group", "title": title}}
    if "callback_query" in body:
        query = dict(body["callback_query"])
        query["message"] = {
            **query["message"],
            "chat": {"id": group_id, "type": "group", "title": title},
        }
        body["callback_query"] = query
    return body


def forwarded(update: dict[str, Any], from_name: str = "李四") -> dict[str, Any]:
    """The same message, forwarded from someone else (a hidden user, as privacy often makes it)."""
    origin = {"type": "hidden_user", "sender_user_name": from_name, "date": int(time.time())}
    return {"message": {**update["message"], "forward_origin": origin}}


def edited(update: dict[str, Any], new_text: str) -> dict[str, Any]:
    """The user edited an earlier message: Telegram sends it again as `edited_message`."""
    msg = {**update["message"], "text": new_text, "edit_date": int(time.time())}
    return {"edited_message": msg}
