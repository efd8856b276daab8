"""CPU-heavy work inside a unit of work, kept off the event loop.

On PostgreSQL `Database.run` runs the unit's synchronous function on the event loop's
thread (`AsyncSession.run_sync`, in a greenlet). A document drawn there (a form: 0.3-0.5 s
of CPU) stopped the whole worker: every other applicant's update waited, and their units,
holding pooled connections half done, kept the pool's other callers waiting past its
timeout (benchmarks/webhook_workers.py). `off_the_loop` runs such work in a thread and
suspends the unit meanwhile (the transaction stays open; the loop serves other updates).
Elsewhere (SQLite's writer thread, a command, a test calling the function directly) there
is no loop to keep free: the work runs right here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

T = TypeVar("T")


def off_the_loop(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`, in a thread when called from a unit on the event loop."""
    if not in_greenlet():
        return fn(*args, **kwargs)
    return await_only(asyncio.to_thread(fn, *args, **kwargs))
