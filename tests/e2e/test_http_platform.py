"""`main.py run` with a remote approval platform (PLATFORM__MODE=http): the case goes out
through the signed HTTP contract from the relay of the running bot, and what the platform
does comes back through its callbacks to the worker's chat. Three processes and two
databases, as two organisations would run them: the platform (`platform serve`, its own
database, its clerk at `main.py staff`), and the bot side (`run`, plus `platform serve
--callback-only` receiving the platform's events)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from tests.e2e.journey import Applicant, answer_questions, submit, upload_everything
from tests.e2e.processes import CLERK, Deployment, wait_until
from tests.e2e.test_case_life import queue_numbers, texts
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u
from tests.ports import free_port

SECRET = "platform-secret-shared-by-both-sides-0123"


async def test_a_case_reaches_a_remote_platform_and_its_answers_come_back(
    api: FakeBotApi, tmp_path: Path
):
    (tmp_path / "bot").mkdir()
    (tmp_path / "platform").mkdir()
    ours = Deployment(tmp_path / "bot", f"sqlite:///{tmp_path / 'bot' / 'app.db'}", api)
    theirs = Deployment(
        tmp_path / "platform", f"sqlite:///{tmp_path / 'platform' / 'app.db'}", api
    )
    platform_port, callback_port = free_port(), free_port()
    shared = {"PLATFORM__SECRET": SECRET}
    who = Applicant(api, u.User(9601, "孙八"))
    # The platform's deployment says where its events go: its staff commands follow it too.
    theirs_env = {**shared, "PLATFORM__CALLBACK_URL": f"http://127.0.0.1:{callback_port}"}
    await theirs.add_staff(**theirs_env)  # the platform's clerk is an account there
    await ours.add_staff()  # and ours, who looks at our own (empty) desk at the end
    with (
        theirs.process(
            "platform", "platform", "serve", "--port", str(platform_port), **theirs_env
        ) as platform,
        ours.process(
            "callbacks", "platform", "serve", "--callback-only", "--port", str(callback_port),
            **shared,
        ) as callbacks,
        ours.bot(
            PLATFORM__MODE="http", PLATFORM__URL=f"http://127.0.0.1:{platform_port}",
            # The pages travel too: the platform fetches each by its signed URL from our
            # callback endpoint, and takes the case only once every page arrived.
            PLATFORM__PAGES_URL=f"http://127.0.0.1:{callback_port}", **shared,
        ) as bot,
    ):  # fmt: skip
        procs = (platform, callbacks, bot)
        await wait_until(lambda: api.calls_of("getUpdates"), "the bot polling", procs=procs)
        await answer_questions(who)
        await upload_everything(who)
        final = await submit(who)
        found = re.search(r"YJ-\d{8}-\d{4}", texts(final))
        assert found, texts(final)
        number = found.group()

        # The platform's clerk sees it in the platform's own queue, and accepts it there.
        await wait_until(lambda: number in queue_numbers(theirs), "the remote queue", procs=procs)
        accepted = theirs.command("staff", "accept", number, "--as", CLERK, **theirs_env)
        assert accepted.returncode == 0, accepted.stderr

        # The acceptance travels back (signed callback) and reaches the worker's chat.
        await wait_until(
            lambda: "已受理" in texts(api.sent_to(who.user.id)), "the push", procs=procs
        )
    assert number not in queue_numbers(ours)  # our database holds no platform desk of its own
    # Every page the applicant sent is in the platform's own store, fetched by its URL.
    with sqlite3.connect(tmp_path / "platform" / "app.db") as con:
        (raw,) = con.execute(
            "SELECT materials FROM platform_emb_cases WHERE case_number = ?", (number,)
        ).fetchone()
    materials = json.loads(raw)
    sent = [h for m in materials.values() for h in m.get("sha256") or []]
    assert sent and all(
        h in (m.get("local") or {}) for m in materials.values() for h in m["sha256"]
    )
