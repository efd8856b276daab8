"""Telegram answering 5xx to every send for a while: the worker's updates are still handled
and confirmed (nothing piles up), and every reply arrives, once, when the Bot API recovers."""

from __future__ import annotations

from tests.e2e.processes import Deployment, wait_until
from tests.e2e.test_case_life import deployment  # noqa: F401 - the same fixture
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u

SAID = ["/start", "/status", "/help"]


async def test_every_reply_arrives_once_after_the_bot_api_recovers(
    deployment: Deployment,  # noqa: F811
    api: FakeBotApi,
):
    user = u.User(9201, "赵六")
    with deployment.bot() as bot:
        await wait_until(lambda: api.calls_of("getUpdates"), "the bot polling", procs=(bot,))
        api.inject("sendMessage", 502, times=-1, description="Bad Gateway")
        for text in SAID:
            # `deliver` returns once the bot confirmed the update: it was handled, and its
            # replies are kept, although none could be sent.
            await api.deliver(u.text(user, text), timeout=120)
        assert api.sent_to(user.id) == []
        refused = len(api.calls_of("sendMessage"))
        assert refused >= len(SAID)  # it did try, and Telegram said 502 each time

        api.faults.clear()  # Telegram is back
        db = deployment.database()
        try:
            kept = await db.run(_kept_replies)
            assert len(kept) >= len(SAID)  # at least one reply per update went to the outbox

            async def all_sent() -> bool:
                return all(status == "sent" for _, status in await db.run(_kept_replies))

            await wait_until(all_sent, "the kept replies sent", procs=(bot,))
        finally:
            await db.close()
    # Every reply once, in the order the worker's messages were answered.
    texts = [c.text or "" for c in api.sent_to(user.id)]
    assert texts == [text for text, _ in kept]
    assert "您好" in texts[0] and "请选择语言" in texts[1]  # the answer to /start first


def _kept_replies(session) -> list[tuple[str, str]]:
    """The kept replies as the worker reads them, in the order they were queued."""
    from sqlalchemy import select

    from bot.render import text_of
    from cases.models import NotificationOutbox
    from locales import translator
    from locales.replies import from_json

    rows = session.scalars(
        select(NotificationOutbox)
        .where(NotificationOutbox.dedupe_key.like("reply:%"))
        .order_by(NotificationOutbox.id)
    )
    tr = translator("zh_CN")
    return [(text_of(from_json(r.payload), tr), r.status) for r in rows]
