"""`python main.py run` as a real process: killed while an album is being gathered, restarted,
and the applicant's journey goes on with no page lost and none stored twice."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

from cases.db import Database
from tests.bot import images
from tests.e2e.journey import Applicant, answer_questions, submit, upload_everything
from tests.e2e.processes import Deployment
from tests.e2e.test_journey import pages_by_material, submitted_cases
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u


def bot_process(api: FakeBotApi, tmp_path: Path) -> Any:
    """`main.py run` on its own SQLite file; album parts gathered for 3 s, long enough to
    kill the process in the middle."""
    deployment = Deployment(tmp_path, f"sqlite:///{tmp_path / 'app.db'}", api)
    return deployment.bot(TELEGRAM__ALBUM_WAIT_SECONDS="3", LOG_LEVEL="WARNING")


async def wait_serving(api: FakeBotApi, proc: subprocess.Popen[bytes], polls_before: int) -> None:
    """Serving once it polls: it has started, set its menu and asked for updates."""
    for _ in range(1200):
        if proc.poll() is not None:
            raise AssertionError(f"bot exited with {proc.returncode}")
        if len(api.calls_of("getUpdates")) > polls_before:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("bot did not start polling")


async def test_killed_mid_album_and_restarted_the_journey_continues(
    api: FakeBotApi, tmp_path: Path
):
    who = Applicant(api, u.User(8008, "王五"))
    with bot_process(api, tmp_path) as first:
        await wait_serving(api, first, 0)
        await answer_questions(who)
        # Upload until the ID card, whose two sides go as an album.
        for _ in range(20):
            question = who.question()
            if question == "ask_upload_id_card":
                break
            material = question.removeprefix("ask_upload_")
            await who.send_photos(material, [images.sharp_jpeg(seed=40)])
            await who.press("done", question)
        album = who.photo_updates("id_card", [images.sharp_jpeg(seed=41), images.sharp_jpeg(42)])
        ids = {api.add_update(part) for part in album}
        await api.wait_for(lambda: ids <= api.handed_out, what="the bot to fetch the album")
        first.kill()  # SIGKILL: no clean shutdown, mid-way through gathering the album
        first.wait()
    assert ids <= set(api.pending_update_ids())  # never confirmed, so Telegram keeps them
    db = Database(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        assert "id_card" not in await db.run(pages_by_material)
        polls = len(api.calls_of("getUpdates"))
        with bot_process(api, tmp_path) as second:
            await wait_serving(api, second, polls)
            await api.wait_for(
                lambda: not ids & set(api.pending_update_ids()), 30, "the album after restart"
            )
            who.seen.extend(api.sent_to(who.user.id)[len(who.seen) :])
            await who.press("done", "ask_upload_id_card")
            await upload_everything(who, seed=50)
            await submit(who)
        ((number, status),) = await db.run(submitted_cases)
        assert number and status == "submitted"
        stored = await db.run(pages_by_material)
        assert len(stored["id_card"]) == 2  # both sides, once each
        assert len(set(stored["id_card"])) == 2
    finally:
        await db.close()
