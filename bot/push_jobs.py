"""What the push sender holds in memory: one job per outbox row, the messages it renders to,
and the jobs kept in one queue per chat, so that a chat's messages go out in order."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from telegram import Bot

from bot.render import DocumentReader, _send_text, markup_of, send_document, split_text, text_of
from locales import translator
from locales.replies import from_json

Send = Callable[[], Awaitable[Any]]


@dataclass
class Job:
    """One outbox row being delivered: its messages go one at a time, paced like any other."""

    row_id: int
    applicant_id: int
    chat_id: int
    sends: list[Send]
    attempts: int
    done: int = 0
    busy: bool = False  # a message of it is in flight: the chat waits (keeps the order)


@dataclass
class PushStats:
    sent_rows: int = 0
    messages: int = 0
    retry_after: int = 0  # 429s received
    server_errors: int = 0
    blocked: int = 0
    gave_up: int = 0
    started: float = field(default_factory=time.monotonic)


def message_sends(
    bot: Bot, files: DocumentReader | None, chat_id: int, payload: dict[str, Any], language: str
) -> list[Send]:
    """A stored reply as the Bot API calls that deliver it: its text (cut to Telegram's
    length, the buttons on the last part), then its document, if any."""
    reply = from_json(payload)
    tr = translator(language)
    parts = split_text(text_of(reply, tr))
    markup = markup_of(reply, tr)
    sends: list[Send] = []
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        sends.append(partial(_send_text, bot, chat_id, part, markup if last else None))
    if reply.document is not None:
        doc = reply.document
        sends.append(lambda: send_document(bot, chat_id, doc, files))
    return sends


class ChatQueues:
    """The jobs held by this sender, one FIFO per chat."""

    def __init__(self) -> None:
        self._by_chat: dict[int, deque[Job]] = {}

    def add(self, job: Job) -> None:
        self._by_chat.setdefault(job.chat_id, deque()).append(job)

    def __len__(self) -> int:
        return sum(len(q) for q in self._by_chat.values())

    def __iter__(self) -> Iterator[Job]:
        return (job for queue in self._by_chat.values() for job in queue)

    def head(self, chat_id: int) -> Job | None:
        queue = self._by_chat.get(chat_id)
        return queue[0] if queue else None

    def remove(self, job: Job) -> None:
        queue = self._by_chat.get(job.chat_id)
        if queue and job in queue:
            queue.remove(job)
        if queue is not None and not queue:
            del self._by_chat[job.chat_id]

    def ready_within(self, chat_ready: Callable[[int], float], soon: float) -> int:
        """Chats with a job whose own spacing lets a message go by `soon`."""
        return sum(1 for c, q in self._by_chat.items() if q and chat_ready(c) <= soon)

    def next_chat(self, any_ready: float, chat_ready: Callable[[int], float]) -> int | None:
        """The chat whose next message may go first, among those with one waiting."""
        ready = [
            (max(any_ready, chat_ready(c)), c)
            for c, q in self._by_chat.items()
            if q and q[0].sends and not q[0].busy
        ]
        return min(ready)[1] if ready else None

    def waiting_behind(self, job: Job) -> list[Job]:
        """The chat's later jobs that have not started: they must not overtake `job`."""
        queue = self._by_chat.get(job.chat_id) or deque()
        return [j for j in queue if j is not job and not j.busy and not j.done]

    def take_applicant(self, applicant_id: int) -> list[Job]:
        """Remove and return the applicant's jobs with messages still to send."""
        taken = [j for j in self if j.applicant_id == applicant_id and j.sends]
        for job in taken:
            self.remove(job)
        return taken

    def clear(self) -> None:
        self._by_chat.clear()
