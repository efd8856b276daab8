"""Two webhook workers' shared intakes on one database (bot/shared_intake.py): an update is
answered once recorded and handled once every older update id has reached some worker, so a
text typed after a button press is handled after the press whichever worker has it first."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from telegram import Bot, Update

from bot.config import CHANNEL
from bot.shared_intake import SharedIntake
from cases.repositories import inbound
from tests.cases.databases import postgres_database
from tests.fake_bot_api import updates as u

BOT = Bot("123:TEST")
APPLICANT = u.User(7)


def update(update_id: int, body: dict) -> Update:
    return Update.de_json({"update_id": update_id, **body}, BOT)


async def test_a_text_that_overtook_the_press_before_it_is_handled_after_it() -> None:
    handled: list[int] = []

    async def handle(parts: Sequence[Update]) -> None:
        handled.extend(p.update_id for p in parts)

    async with postgres_database() as db:
        a, b = (SharedIntake(db, BOT, handle, album_wait=0.2, order_wait=30.0) for _ in "ab")
        await db.run(inbound.raise_floor, CHANNEL, 9)  # a deployment that has run before
        try:
            # The text reaches worker a first and is answered (recorded) at once ...
            await a.feed(update(11, u.text(APPLICANT, "张三")), APPLICANT.id, None)
            await asyncio.sleep(0.5)
            assert handled == []  # ... but waits for id 10, on its way
            await b.feed(update(10, u.callback(APPLICANT, "agree")), APPLICANT.id, None)
            async with asyncio.timeout(20):
                while len(handled) < 2:
                    await asyncio.sleep(0.05)
            assert handled == [10, 11]
        finally:
            await a.close()
            await b.close()
