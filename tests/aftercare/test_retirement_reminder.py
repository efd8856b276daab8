"""The reminder a worker asked for at the pre-check reaches them when it falls due, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aftercare.worker import tick
from cases import repositories as repo
from tests.aftercare.conftest import World, text_of


async def test_a_due_retirement_reminder_is_pushed_once(world: World) -> None:
    today = world.clock().date()
    due = today + timedelta(days=2)

    def ask(session: Any) -> None:
        applicant = repo.get_or_create_applicant(session, "telegram", "4242")
        repo.add_reminder(session, applicant.id, "statutory_month", due)

    await world.db.run(ask)
    assert (await tick(world.db, world.deps, now=world.clock())).reminders_sent == 0
    world.clock.advance(days=2)
    first = await tick(world.db, world.deps, now=world.clock())
    again = await tick(world.db, world.deps, now=world.clock())
    assert (first.reminders_sent, again.reminders_sent, first.failed) == (1, 0, [])
    pushes = await world.pushes(prefix="aftercare.reminder")
    assert len(pushes) == 1
    assert "快到法定退休时间" in text_of(pushes) and "/start" in text_of(pushes)
