"""The push sender against the loopback Bot API server: every notification delivered exactly
once, never faster than the limits, under injected 429s, 5xx and 403."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import Bot

from bot.push_sender import PushLimits, PushSender
from cases import repositories as repo
from cases.db import Database
from cases.models import NotificationOutbox, StaffTask
from locales.replies import Msg, Reply, to_json
from tests.cases.databases import postgres_database, sqlite_database
from tests.fake_bot_api import Call, FakeBotApi, Limits

# Quick limits for tests. The server enforces them with no allowance for arrival jitter, and
# every check below is a lower bound on the server's own clock, which a loaded machine can
# only widen (the sender paces against answers, and no request arrives after its answer).
FAST = PushLimits(per_second=200, per_chat_per_second=5)
IN_FLIGHT = 8  # the sender's max_in_flight
FIRST_CHAT = 700_000


@pytest.fixture(params=["sqlite", "postgresql"])
async def both_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """Claims lock rows differently on each database: the same test on both."""
    if request.param == "sqlite":
        async with sqlite_database(tmp_path) as database:
            yield database
    else:
        async with postgres_database() as database:
            yield database


def enqueue(session: Session, chats: int, per_chat: int, language: str = "zh_CN") -> list[int]:
    """`per_chat` notifications for each of `chats` Telegram applicants; returns chat ids."""
    chat_ids = []
    for n in range(chats):
        chat_id = FIRST_CHAT + n
        applicant = repo.get_or_create_applicant(session, "telegram", str(chat_id))
        applicant.language = language
        for k in range(per_chat):
            # "pages_received" renders its parameters: each message text is unique.
            reply = Reply(Msg("dialogs.pages_received", {"name": f"{chat_id}", "count": k}))
            repo.enqueue_notification(session, applicant.id, to_json(reply), f"n-{chat_id}-{k}")
        chat_ids.append(chat_id)
    return chat_ids


def statuses(session: Session) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for status in session.scalars(select(NotificationOutbox.status)):
        counts[status] += 1
    return dict(counts)


def tasks(session: Session) -> list[tuple[str, int | None, dict]]:
    return [(t.kind, t.applicant_id, t.detail) for t in session.scalars(select(StaffTask))]


def bot_for(api: FakeBotApi) -> Bot:
    return Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url)


def max_in_any_second(calls: list[Call]) -> int:
    times = sorted(c.at for c in calls)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def min_gap_per_chat(calls: list[Call]) -> float:
    by_chat: dict[int, list[float]] = defaultdict(list)
    for call in calls:
        by_chat[call.chat_id or 0].append(call.at)
    gaps = [b - a for times in by_chat.values() for a, b in itertools.pairwise(times)]
    return min(gaps)


def number_of(call: Call) -> int:
    """Which of its chat's notifications a message is ("已收到<chat>，共<k>页。")."""
    assert call.text is not None
    return int(call.text.rsplit("共", 1)[1].removesuffix("页。"))


async def test_a_burst_of_2000_pushes_under_429s_arrives_exactly_once_within_the_limits(
    db: Database,
):
    limits = Limits(FAST.per_second, FAST.per_chat_per_second)
    async with FakeBotApi(limits=limits) as api, bot_for(api) as bot:
        chats = await db.run(enqueue, chats=400, per_chat=5)
        api.inject("sendMessage", 429, retry_after=1)  # the whole bot waits, early on...
        api.inject("sendMessage", 429, chat_id=FIRST_CHAT + 123, times=2, retry_after=1)
        sender = PushSender(bot, db, FAST, max_in_flight=IN_FLIGHT)
        stats = await sender.run(until_empty=True)
        # Every notification exactly once, none dropped, as the server received them.
        delivered = Counter((call.chat_id, number_of(call)) for call in api.sent)
        assert delivered == Counter({(chat, k): 1 for chat in chats for k in range(5)})
        assert await db.run(statuses) == {"sent": 2000} and stats.sent_rows == 2000
        # ...and in each chat in the order they were queued in.
        by_chat: dict[int | None, list[int]] = defaultdict(list)
        for call in api.sent:
            by_chat[call.chat_id].append(number_of(call))
        assert all(numbers == [0, 1, 2, 3, 4] for numbers in by_chat.values())
        # All three injected 429s were given; the sender saw every 429 the server gave.
        assert [fault.times for fault in api.faults] == [0, 0]
        assert [w.cause for w in api.flood_waits] == ["injected"] * 3, api.violation_kinds
        refused = [c for c in api.calls_of("sendMessage") if c.status == 429]
        assert stats.retry_after == len(refused)
        # Each flood wait honoured: nothing to its chat before retry_after had passed; of a
        # bot-wide one, only requests already on their way when it was answered arrived
        # inside it (and were refused), never one started after.
        for wait in api.flood_waits:
            inside = api.flood_refused(wait)
            assert [c for c in inside if c.chat_id == wait.request_chat] == []
            assert len(inside) < IN_FLIGHT if wait.chat_id is None else inside == []
        # Never faster than the limits, refused requests included, by the server's clock.
        assert api.limit_violations == 0
        attempts = api.calls_of("sendMessage")
        assert max_in_any_second(attempts) <= FAST.per_second
        assert min_gap_per_chat(attempts) >= 1 / FAST.per_chat_per_second


async def test_a_blocked_bot_marks_the_applicant_unreachable_and_asks_a_clerk_to_phone(
    both_db: Database,
):
    async with FakeBotApi() as api, bot_for(api) as bot:
        blocked, fine = await both_db.run(enqueue, chats=2, per_chat=2)
        api.inject("sendMessage", 403, chat_id=blocked, times=-1)
        await PushSender(bot, both_db, FAST).run(until_empty=True)
        assert len(api.sent_to(fine)) == 2 and api.sent_to(blocked) == []
        assert await both_db.run(statuses) == {"sent": 2, "failed": 2}
        ((kind, applicant_id, detail),) = await both_db.run(tasks)
        assert kind == "phone_applicant" and detail["reason"] == "blocked_bot"
        assert len(detail["notifications"]) == 2  # both messages are the clerk's to tell
        applicant = await both_db.run(repo.get_applicant, applicant_id)
        assert applicant is not None and applicant.reachable is False
        assert applicant.external_user_id == str(blocked)


async def test_server_errors_are_retried_with_backoff_and_delivered_once(both_db: Database):
    async with FakeBotApi() as api, bot_for(api) as bot:
        (chat,) = await both_db.run(enqueue, chats=1, per_chat=1)
        api.inject("sendMessage", 502, times=1)
        api.inject("sendMessage", 500, times=1)
        sender = PushSender(bot, both_db, FAST, backoff_base=0.05, idle_poll=0.05)
        stats = await sender.run(until_empty=True)
        assert len(api.sent_to(chat)) == 1
        assert stats.server_errors == 2
        rows = await both_db.run(lambda s: list(s.scalars(select(NotificationOutbox))))
        assert [(r.status, r.attempts) for r in rows] == [("sent", 3)]


async def test_a_sender_stopped_mid_burst_leaves_the_rest_to_the_next_one(both_db: Database):
    async with FakeBotApi() as api, bot_for(api) as bot:
        await both_db.run(enqueue, chats=50, per_chat=2)
        first = PushSender(bot, both_db, PushLimits(per_second=100, per_chat_per_second=20))
        running = asyncio.create_task(first.run())
        await api.wait_for(lambda: len(api.sent) >= 30, what="some pushes")
        first.stop()
        await running
        await PushSender(bot, both_db, FAST).run(until_empty=True)
        texts = [c.text for c in api.sent]
        assert len(texts) == 100 and len(set(texts)) == 100
        assert await both_db.run(statuses) == {"sent": 100}
