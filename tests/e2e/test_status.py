"""`main.py run`'s status server: alive, ready (database, schema, leader, outbox lag) and
Prometheus metrics, as an operator's probes and scraper read them."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import aiohttp

from cases import repositories as repo
from cases.models import utcnow
from tests.e2e.processes import Deployment, sqlite_deployment, wait_until
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        return answer.status, await answer.text()


async def test_alive_ready_and_measured_and_not_ready_when_an_outbox_lags(
    api: FakeBotApi, tmp_path: Path
):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with sqlite_deployment(api, tmp_path) as deployment:
        env = {"RUNTIME__STATUS_PORT": str(port), "RUNTIME__READY_LAG_SECONDS": "600"}
        with deployment.bot(**env) as bot:

            async def ready() -> bool:
                try:
                    return (await get(f"{base}/readyz"))[0] == 200
                except aiohttp.ClientError:
                    return False

            await wait_until(ready, "ready", procs=(bot,))
            assert await get(f"{base}/healthz") == (200, "ok\n")
            await api.deliver(u.text(u.User(9501, "钱七"), "/start"))
            status, metrics = await get(f"{base}/metrics")
            assert status == 200
            assert "bot_updates_total 1.0" in metrics
            assert 'outbox_pending{outbox="notification"}' in metrics
            assert "runtime_leading 1.0" in metrics

            await stuck_push(deployment)  # a row due an hour ago that nobody sends
            status, body = await get(f"{base}/readyz")
            assert status == 503 and "notification_outbox" in body


async def stuck_push(deployment: Deployment) -> None:
    db = deployment.database()

    def work(session) -> None:
        applicant = repo.get_or_create_applicant(session, "console", "c-1")
        repo.enqueue_notification(
            session,
            applicant.id,
            {"intents": []},
            "stuck:1",
            not_before=utcnow() - timedelta(hours=1),
        )

    try:
        await db.run(work)
    finally:
        await db.close()
