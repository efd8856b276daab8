"""A unit of work's heavy part (a document drawn) leaves the event loop free for other
updates meanwhile (cases/off_loop.py), on both databases."""

from __future__ import annotations

import asyncio
import threading

from cases.db import Database
from cases.off_loop import off_the_loop


async def test_the_loop_serves_others_while_a_unit_draws(db: Database) -> None:
    drawing, done = threading.Event(), threading.Event()

    def draw() -> str:
        drawing.set()
        assert done.wait(60), "the loop never came to release the drawing: it was blocked"
        return "drawn"

    unit = asyncio.create_task(db.run(lambda session: off_the_loop(draw)))
    # Both lines need the loop while `draw` runs: were it run on the loop, it would wait
    # for `done` forever and this test would fail on the assertion above.
    assert await asyncio.to_thread(drawing.wait, 60)
    done.set()
    assert await unit == "drawn"


def test_outside_a_unit_the_work_runs_right_here() -> None:
    assert off_the_loop(threading.current_thread) is threading.current_thread()
