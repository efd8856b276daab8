"""Three `main.py run` webhook workers on one PostgreSQL database behind a round-robin front
(tests/e2e/front.py). The loopback Bot API delivers as Telegram does (docs/telegram-delivery.md):
one chat's messages one at a time, the next after a 2xx, and one user's button presses on a
queue of their own beside them, so an album's parts land one after another on all three
workers, the "done" pressed with them on any, and a press and the text typed after it reach
two workers at once, in either order.
The bursts are built blind (each press names its question), so every applicant ends where
one-at-a-time handling ends, with the same replies, only if the workers keep the update id
order; each album must be answered once. Then a worker is killed while an album is being
gathered, and the album is still answered once, with all its pages. The workers keep files
as separate machines do (a folder each, FILES__BACKEND=postgresql): every page a worker
stored is read back by another process, and no folder holds one."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import select

from cases.blobs.postgres import PostgresBlobs
from cases.crypto import Vault
from cases.files import FileStore
from cases.models import MaterialPage
from tests.e2e.bursts import album_pages, journey_bursts, replies_to, settled, states
from tests.e2e.front import RoundRobinFront
from tests.e2e.journey import Applicant
from tests.e2e.processes import KEY, Deployment, wait_until
from tests.e2e.webhook_workers import webhook_env
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u
from tests.ports import free_port

# 30 in CI; the 300 by hand (`BURST_APPLICANTS=300`: docs/telegram-delivery.md).
APPLICANTS = int(os.environ.get("BURST_APPLICANTS", "30"))
ALBUM_WAIT = "1.5"  # long enough to kill a worker inside an album's quiet window


def worker_env(front: RoundRobinFront, port: int, files: Path) -> dict[str, str]:
    return webhook_env(front, port) | {
        "FILES__BACKEND": "postgresql",
        "FILES__DIR": str(files),  # staging only: each worker's own, as on its own machine
        "TELEGRAM__ALBUM_WAIT_SECONDS": ALBUM_WAIT,
    }


async def one_at_a_time(api: FakeBotApi, db, bursts: list[list[dict]]) -> None:
    """As Telegram sends one chat's messages: the next once the last is confirmed (an album
    part is confirmed when stored, before its album is handled)."""
    for burst in bursts:
        for update in burst:
            api.add_update(update)
            await wait_until(lambda: not api.pending_update_ids(), "one update confirmed")
        await wait_until(lambda: settled(db, api), "the burst handled")


async def test_bursts_on_three_workers_end_as_one_at_a_time_and_albums_answer_once(
    deployment: Deployment, api: FakeBotApi, tmp_path: Path
):
    api.per_chat_order = True
    ports = [free_port() for _ in range(3)]
    front = RoundRobinFront([f"http://127.0.0.1:{p}" for p in ports])
    await front.start()
    db = deployment.database()
    blobs = PostgresBlobs(deployment.url)  # another process's view of the shared files
    try:
        with ExitStack() as stack:
            workers = [
                stack.enter_context(
                    deployment.bot(name, **worker_env(front, port, tmp_path / f"files-{name}"))
                )
                for name, port in zip("abc", ports, strict=True)
            ]
            for name in "abc":
                await wait_until(
                    lambda n=name: "serving in webhook mode" in deployment.log_of(n),
                    f"worker {name} serving",
                    procs=tuple(workers),
                )
            await run_bursts_and_kill_mid_album(deployment, api, db, front, workers)
        pages = await db.run(page_addresses)
        assert len(pages) >= 2 * (APPLICANTS + 1)  # every applicant's album, both pages
        shared = FileStore(tmp_path / "reader", 1 << 25, vault=Vault(KEY), backend=blobs)
        assert all(shared.read(p).startswith(b"\xff\xd8") for p in set(pages))  # JPEGs
        assert not any(tmp_path.glob("files-*/??/??/*")), "a page left in a worker's folder"
    finally:
        blobs.close()
        await db.close()
        await front.stop()


async def run_bursts_and_kill_mid_album(deployment, api, db, front, workers) -> None:
    # The reference: one applicant, one update at a time.
    reference = u.User(9400, "张三")
    pages = album_pages(api, 2, seed=700)
    material = await reference_material(api, db, reference)
    await one_at_a_time(api, db, journey_bursts(reference, material, pages)[-1:])
    expected_state = (await db.run(states))[str(reference.id)]
    expected = replies_to(api, reference.id)
    assert sum(1 for m, _ in expected if m == "sendMessage") >= 20  # answered throughout

    # Everyone else: each burst queued for all applicants at once.
    people = [u.User(9500 + n, "张三") for n in range(APPLICANTS)]
    plans = [journey_bursts(p, material, pages) for p in people]
    for step in range(len(plans[0])):
        for plan in plans:
            for update in plan[step]:
                api.add_update(update)
        await wait_until(lambda: settled(db, api), f"burst {step + 1} handled", timeout=600)
    assert len(set(front.served)) == 3  # every worker took a share
    ended = await db.run(states)
    wrong = {p.id: ended.get(str(p.id)) for p in people if ended.get(str(p.id)) != expected_state}
    assert not wrong, f"{len(wrong)} of {APPLICANTS} not at {expected_state}: {wrong}"
    for p in people:
        assert replies_to(api, p.id) == expected, p.id  # nothing lost, doubled or reordered

    # A second album of three pages, its parts on the three workers; worker a is killed
    # inside the album's quiet window (its part is already stored and confirmed).
    more = album_pages(api, 3, seed=800)
    before = len(api.sent_to(reference.id))
    await one_at_a_time(api, db, [[u.photo(reference, s, media_group_id="ref-2") for s in more]])
    answer = replies_to(api, reference.id)[before:]
    assert answer, "the second album was not answered"
    victim = people[0]
    before = len(api.sent_to(victim.id))
    for sizes in more:
        api.add_update(u.photo(victim, sizes, media_group_id="victim-2"))
    await wait_until(lambda: not api.pending_update_ids(), "the parts confirmed")
    workers[0].kill()  # SIGKILL, before the quiet window of ALBUM_WAIT seconds closes
    workers[0].wait()
    await wait_until(lambda: settled(db, api), "the album handled", procs=tuple(workers[1:]))
    assert replies_to(api, victim.id)[before:] == answer  # one answer, all three pages


def page_addresses(session) -> list[str]:
    return list(session.scalars(select(MaterialPage.sha256)))


async def reference_material(api: FakeBotApi, db, reference: u.User) -> str:
    """Run the reference's bursts up to the uploads one update at a time; the material it
    is asked for first."""
    await one_at_a_time(api, db, journey_bursts(reference, "x", [])[:-1])
    who = Applicant(api, reference, seen=list(api.sent_to(reference.id)))
    question = who.question()
    assert question.startswith("ask_upload_"), question
    return question.removeprefix("ask_upload_")
