"""Two `main.py run` webhook workers on one PostgreSQL database behind a round-robin front:
both take in updates, one leads (pushes, platform relay, aftercare). The leader is killed
with SIGKILL mid-way through a case; the other takes over, and the case goes on to closed
with nothing lost and nothing sent twice."""

from __future__ import annotations

from collections import Counter

from tests.bot import images
from tests.e2e.bursts import settled
from tests.e2e.front import RoundRobinFront
from tests.e2e.journey import Applicant, answer_questions, submit
from tests.e2e.processes import (
    CLERK,
    Deployment,
    office_staff,
    wait_until,
)
from tests.e2e.test_case_life import OFFICE_ANSWERS, queue_numbers
from tests.e2e.webhook_workers import webhook_env
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u
from tests.ports import free_port

LEADS = "leader: this process now runs"


async def upload_page_by_page(who: Applicant, *, seed: int) -> None:
    """Every material, one photo per update (an album split across two workers is issue
    16's: gathering album parts in the shared store)."""
    for _ in range(20):
        question = who.question()
        if not question.startswith("ask_upload_"):
            return
        material = question.removeprefix("ask_upload_")
        for n in range(2 if material == "id_card" else 1):
            update = u.photo(who.user, who.api.photo_sizes(images.sharp_jpeg(seed=seed + n)))
            who._keep(await who.api.deliver(update))
        seed += 2
        await who.press("done", question)
    raise AssertionError("the uploads never ended")


async def test_the_leader_killed_mid_case_is_replaced_and_nothing_is_lost_or_doubled(
    deployment: Deployment, api: FakeBotApi
):
    ports = [free_port(), free_port()]
    front = RoundRobinFront([f"http://127.0.0.1:{p}" for p in ports])
    await front.start()
    who = Applicant(api, u.User(9301, "张三"))
    await deployment.add_staff()  # the staff commands run as accounts
    probe = deployment.database()
    # The workers confirm an update once recorded: the applicant reads the answer once handled.
    api.handled = lambda: wait_until(lambda: settled(probe, api), "the update handled")
    try:
        with deployment.bot("a", **webhook_env(front, ports[0])) as a:
            await wait_until(lambda: LEADS in deployment.log_of("a"), "A leads", procs=(a,))
            with deployment.bot("b", **webhook_env(front, ports[1])) as b:
                await wait_until(
                    lambda: "serving in webhook mode" in deployment.log_of("b"),
                    "B serving",
                    procs=(a, b),
                )
                assert LEADS not in deployment.log_of("b")  # one leader

                await answer_questions(who)
                await upload_page_by_page(who, seed=300)
                await submit(who)
                assert len(set(front.served)) == 2  # both workers took the worker's updates
                number = next(iter(queue_numbers(deployment)))
                assert deployment.staff("accept", number, "--as", CLERK).returncode == 0
                for item, data in OFFICE_ANSWERS[:2]:
                    done = deployment.staff(
                        "answer", number, "--item", item, "--result", "done", "--data", *data,
                        "--as", office_staff(item),
                    )  # fmt: skip
                    assert done.returncode == 0, done.stderr
                db = deployment.database()
                try:
                    await wait_until(
                        lambda: _pending(db), "the pushes so far delivered", procs=(a, b)
                    )
                    a.kill()  # SIGKILL: no clean shutdown, the lock goes with the process
                    a.wait()
                    for item, data in OFFICE_ANSWERS[2:]:
                        done = deployment.staff(
                            "answer", number, "--item", item, "--result", "done",
                            "--data", *data, "--as", office_staff(item),
                        )  # fmt: skip
                        assert done.returncode == 0, done.stderr
                    await wait_until(
                        lambda: LEADS in deployment.log_of("b"), "B takes over", procs=(b,)
                    )
                    await wait_until(
                        lambda: [
                            c for c in api.sent_to(who.user.id) if c.method == "sendDocument"
                        ],
                        "the notice from the new leader",
                        procs=(b,),
                    )
                    await wait_until(lambda: _pending(db), "every push out", procs=(b,))
                    who.seen.extend(api.sent_to(who.user.id)[len(who.seen) :])
                    await who.say("张三")
                    await who.press("confirm", "ask_signature_confirm")
                    await who.press("very_satisfied", "ask_rating")
                    rows = await db.run(_pushes)
                    status = await db.run(_status_of, number)
                finally:
                    await db.close()
    finally:
        await probe.close()
        await front.stop()
    assert status == "closed"
    assert all(state == "sent" for _, _, state in rows)  # nothing lost
    received = Counter(c.text or "" for c in api.sent_to(who.user.id) if c.method == "sendMessage")
    queued = Counter(text for text, _, _ in rows)
    for text, count in queued.items():
        assert received[text] == count, text  # each push exactly once
    documents = documents_to(api, who)
    assert sum(1 for _, doc, _ in rows if doc) == 1  # the notice, pushed once
    assert len(documents) == 2  # the notice, then the signed copy as the answer to "confirm"


def documents_to(api: FakeBotApi, who: Applicant) -> list:
    """The notice and its signed copy: the pre-filled form, sent at its upload step, aside."""
    sent = [c for c in api.sent_to(who.user.id) if c.method == "sendDocument"]
    return [c for c in sent if c.files.get("document", ("",))[0] != "申请表.pdf"]


async def _pending(db) -> bool:
    return await db.run(_no_pending)


def _no_pending(session) -> bool:
    from sqlalchemy import func, select

    from cases.models import NotificationOutbox

    query = select(func.count()).where(NotificationOutbox.status == "pending")
    return (session.scalar(query) or 0) == 0


def _pushes(session) -> list[tuple[str, bool, str]]:
    from sqlalchemy import select

    from bot.render import text_of
    from cases.models import NotificationOutbox
    from locales import translator
    from locales.replies import from_json

    tr = translator("zh_CN")
    rows = session.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id))
    out = []
    for row in rows:
        reply = from_json(row.payload)
        out.append((text_of(reply, tr), reply.document is not None, row.status))
    return out


def _status_of(session, number: str) -> str | None:
    from sqlalchemy import select

    from cases.models import Case

    return session.scalar(select(Case.status).where(Case.number == number))
