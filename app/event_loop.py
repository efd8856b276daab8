"""The event loop of the long-running commands (`main.py run`, `main.py web`): uvloop where
it is installed (Linux, macOS), asyncio's own loop otherwise (Windows; a checkout without it).

uvloop runs the same asyncio programs on libuv. A conversation event on PostgreSQL is four
round trips, each a socket write, a poll and a wake-up of the waiting task: on uvloop the
event's client CPU is about a fifth lower (benchmarks/event_path.py, which runs on this loop
too, so its figures are what production gets). python-telegram-bot, aiohttp, httpx and
asyncpg run on it unchanged; the end-to-end tests drive `main.py run` on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
LoopFactory = Callable[[], asyncio.AbstractEventLoop]

_FACTORY: LoopFactory
try:
    import uvloop

    _FACTORY = uvloop.new_event_loop
except ImportError:  # not built for Windows; a checkout installed without it
    _FACTORY = asyncio.new_event_loop


def loop_factory() -> LoopFactory:
    """uvloop's `new_event_loop` when uvloop could be imported, else asyncio's."""
    return _FACTORY


def run(main: Coroutine[Any, Any, T], factory: LoopFactory | None = None) -> T:
    """`asyncio.run(main)` on a loop from `factory` (by default `loop_factory()`)."""
    with asyncio.Runner(loop_factory=factory or _FACTORY) as runner:
        return runner.run(main)
