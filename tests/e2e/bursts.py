"""Applicants' journeys as bursts of updates queued all at once, for several webhook workers
behind a round-robin front (tests/e2e/test_worker_bursts.py, benchmarks/webhook_workers.py).

Each applicant's updates are built blind (the presses carry the question they answer), so a
burst can be queued before any of it is answered: the bot must handle each applicant's
updates in the order of their ids to end in the state a one-at-a-time run ends in."""

from __future__ import annotations

from typing import Any

from bot.callback_data import encode
from tests.bot import images
from tests.e2e.journey import EMPLOYER, ID_NUMBER, PHONE, PRESSES
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u

Burst = list[dict[str, Any]]


def press(user: u.User, question: str, choice: str) -> dict[str, Any]:
    return u.callback(user, encode(question, choice))


def journey_bursts(user: u.User, material: str, album: list[list[dict]]) -> list[Burst]:
    """From /start to the first material's pages: what a quick person sends without waiting
    for the answers: a press only on a button already shown, then what they type next, and
    an album with a press on "done" straight after. `album` holds each page's photo sizes
    (`FakeBotApi.photo_sizes`); `material` is the one asked for first (the last burst)."""
    group = f"album-{user.id}-{material}"
    pages = [u.photo(user, sizes, media_group_id=group) for sizes in album]
    return [
        [u.text(user, "/start")],
        [press(user, "ask_language", "zh_CN")],
        [press(user, "ask_consent", "agree"), u.text(user, "张三"), u.text(user, ID_NUMBER)],
        [u.contact(user, PHONE)],
        *[[press(user, q, c)] for q, c in PRESSES[:3]],
        [press(user, *PRESSES[3]), u.text(user, EMPLOYER)],  # ask_has_employer: yes
        *[[press(user, q, c)] for q, c in PRESSES[4:]],
        [*pages, press(user, f"ask_upload_{material}", "done")],
    ]


def blind_bursts(user: u.User) -> list[Burst]:
    """The answers to the questions before the uploads in bursts of five, presses included
    before their buttons are shown: only handling in the order of the update ids ends right.
    Telegram cannot send these (docs/telegram-delivery.md); the fake's all-at-once delivery
    can: for the benchmark's stress figure."""
    updates = [
        u.text(user, "/start"),
        press(user, "ask_language", "zh_CN"),
        press(user, "ask_consent", "agree"),
        u.text(user, "张三"),
        u.text(user, ID_NUMBER),
        u.contact(user, PHONE),
        *[press(user, q, c) for q, c in PRESSES[:4]],
        u.text(user, EMPLOYER),
        *[press(user, q, c) for q, c in PRESSES[4:]],
    ]
    return [updates[n : n + 5] for n in range(0, len(updates), 5)]


def album_pages(api: FakeBotApi, count: int, *, seed: int) -> list[list[dict]]:
    """`count` distinct sharp pages, stored once in the fake Bot API (shared by applicants)."""
    return [api.photo_sizes(images.sharp_jpeg(seed=seed + n)) for n in range(count)]


def replies_to(api: FakeBotApi, chat_id: int) -> list[tuple[str, str]]:
    return [(c.method, c.text or "") for c in api.sent_to(chat_id)]


async def settled(db: Any, api: FakeBotApi) -> bool:
    """Every queued update confirmed and nothing left in the shared intake (an album part is
    confirmed once stored, and handled after its quiet window)."""
    return not api.pending_update_ids() and await db.run(_intake_empty)


def _intake_empty(session: Any) -> bool:
    from sqlalchemy import func, select

    from cases.models import AlbumPart, InboundUpdate

    waiting = session.scalar(select(func.count()).select_from(InboundUpdate))
    parts = session.scalar(select(func.count()).select_from(AlbumPart))
    return waiting == 0 and parts == 0


def states(session: Any) -> dict[str, str]:
    """Each Telegram applicant's conversation state."""
    from sqlalchemy import select

    from cases.models import Applicant, Conversation

    query = select(Applicant.external_user_id, Conversation.state).join(
        Conversation, Conversation.applicant_id == Applicant.id
    )
    return dict(session.execute(query).all())
