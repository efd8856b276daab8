"""Pacing pushes under Telegram's limits.

At most `per_second` messages overall and `per_chat_per_second` per chat (Telegram: 30/s and
1/s). Sends are spaced, not bursted, with a small safety margin, so our own pacing never causes
a 429. Telegram counts a request when it arrives, somewhere between our start and its answer; a
busy machine or network can delay one request's arrival and not the next. So the limits are
kept against the answers, which no arrival can follow: a chat's next message starts a chat gap
after the answer to its previous one, and a message starts only while fewer than `per_second`
requests are in flight or were answered within the last second.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PushLimits:
    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    # Spacing is stretched by this fraction overall, and per chat also by `cushion` seconds:
    # Telegram sees our requests with network jitter, and must never see them too close.
    margin: float = 0.03
    cushion: float = 0.01


LATE = 0.003  # seconds of scheduling lateness the global spacing may make up


class Pacer:
    """When the next message may go: global spacing, per-chat spacing, flood-wait pauses, and
    a one-second window of requests that cannot be exceeded however late any of them arrive."""

    def __init__(self, limits: PushLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.gap = (1.0 + limits.margin) / limits.per_second
        self.chat_gap = (1.0 + limits.margin) / limits.per_chat_per_second + limits.cushion
        self.window_size = max(1, int(limits.per_second))
        self._next_any = 0.0
        self._next_chat: dict[int, float] = {}
        self._paused_until = 0.0
        self._in_flight = 0
        self._answered: deque[float] = deque()  # answer times within the last second, in order

    def ready_at(self, chat_id: int) -> float:
        return max(self.any_ready_at(), self.chat_ready_at(chat_id))

    def any_ready_at(self) -> float:
        """When any chat may next have a message (one clock read for a scan of all chats)."""
        return max(self._next_any, self._paused_until, self._window_free_at())

    def chat_ready_at(self, chat_id: int) -> float:
        return self._next_chat.get(chat_id, 0.0)

    def take(self, chat_id: int, at: float) -> None:
        # Keep to the schedule rather than to the moment the loop woke (a few ms late each
        # time, which alone cost 7% of the rate); never more than `LATE` ahead of it, so an
        # idle spell does not turn into a burst.
        self._next_any = max(self._next_any, at - min(LATE, self.gap / 4)) + self.gap
        self._next_chat[chat_id] = at + self.chat_gap
        self._in_flight += 1
        # Forget chats whose spacing has passed, or the table grows with every applicant.
        if len(self._next_chat) > 10_000:
            self._next_chat = {c: t for c, t in self._next_chat.items() if t > at}

    def answered(self, chat_id: int, at: float) -> None:
        """The request started by `take` was answered (whatever the answer) at `at`: it
        arrived before then, so spacing counted from here holds at Telegram's end too."""
        self._in_flight -= 1
        self._answered.append(at)
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), at + self.chat_gap)

    def _window_free_at(self) -> float:
        """When one more request may start without `window_size` others having arrived
        within the second before it: every request in flight or answered within the last
        second may have arrived in it."""
        now = self.clock()
        while self._answered and self._answered[0] + 1.0 <= now:
            self._answered.popleft()
        excess = self._in_flight + len(self._answered) - self.window_size
        if excess < 0:
            return 0.0
        if excess < len(self._answered):
            return self._answered[excess] + 1.0
        return math.inf  # the window is all in flight: the next answer frees a place

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.clock() + seconds)
