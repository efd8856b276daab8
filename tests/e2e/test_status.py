"""`main.py run`'s status server: alive, ready (database, schema, leader, outbox lag) and
Prometheus metrics, as an operator's probes and scraper read them."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import aiohttp

from cases import repositories as repo
from cases.models import utcnow
from tests.e2e.processes import Deployment, sqlite_deployment, wait_until
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api import updates as u
from tests.ports import free_port


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


async def test_the_console_answers_the_same_probes_and_logs_json(api: FakeBotApi, tmp_path: Path):
    """`main.py web`: /healthz, /readyz and /metrics on its own port without a session (the
    console leads nothing, so no leader is needed), and LOG_FORMAT=json lines on stderr."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with sqlite_deployment(api, tmp_path) as deployment:
        args = ("web", "--port", str(port))
        with deployment.process("web", *args, LOG_FORMAT="json") as web:

            async def alive() -> bool:
                try:
                    return (await get(f"{base}/healthz")) == (200, "ok\n")
                except aiohttp.ClientError:
                    return False

            await wait_until(alive, "the console up", procs=(web,))
            status, body = await get(f"{base}/readyz")
            assert status == 200, body
            assert json.loads(body) == {"ready": True, "leading": False}
            await get(f"{base}/queue")  # no session: sent to the log-in page
            status, metrics = await get(f"{base}/metrics")
            assert status == 200
            assert 'outbox_pending{outbox="notification"} 0.0' in metrics
            assert "# TYPE items_overdue gauge" in metrics
            assert 'web_requests_total{method="GET",status="2xx"}' in metrics

            with sqlite3.connect(tmp_path / "app.db") as behind:  # as if an older schema
                behind.execute("UPDATE alembic_version SET version_num = '0008_page_count'")
            status, body = await get(f"{base}/readyz")
            assert status == 503 and "db upgrade" in json.loads(body)["schema"]
        log = deployment.log_of("web").splitlines()
        logged = [line for line in log if not line.startswith("工作人员网页：")]
        assert logged, log
        assert all(json.loads(line)["level"] for line in logged), logged
