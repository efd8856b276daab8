"""The status server of `main.py run` (RUNTIME__STATUS_PORT; off when 0), and the same
routes on the staff console's own port (`main.py web`, `add_routes`):

* `/healthz`  200 while the process's event loop answers (liveness);
* `/readyz`   200 when the database answers, its schema is at head, some process of the
              deployment leads (`run` only: the console leads nothing), and neither outbox
              lags more than RUNTIME__READY_LAG_SECONDS; 503 otherwise, with what is wrong as
              JSON (readiness);
* `/metrics`  Prometheus text: the process's counters (app/metrics.py) and, read at each
              scrape, outbox depth and oldest due age, overdue items per office.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.metrics import LEADING, OUTBOX_AGE, OUTBOX_DEPTH, OVERDUE, REGISTRY
from cases.migrate import needs_upgrade
from cases.models import NotificationOutbox, OutboxStatus, PlatformOutbox
from cases.models.platform import EmbItem
from runtime.services import Services
from runtime.supervisor import Supervisor

log = logging.getLogger(__name__)


def outbox_figures(session: Session, now: datetime) -> dict[str, tuple[int, float]]:
    """Per outbox: rows pending, and the age in seconds of the oldest one that is due."""

    figures: dict[str, tuple[int, float]] = {}
    for name, model in (("notification", NotificationOutbox), ("platform", PlatformOutbox)):
        pending = model.status == OutboxStatus.pending.value
        depth = session.scalar(select(func.count()).where(pending)) or 0
        oldest = session.scalar(
            select(func.min(model.next_attempt_at)).where(pending, model.next_attempt_at <= now)
        )
        age = 0.0
        if oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            age = max(0.0, (now - oldest).total_seconds())
        figures[name] = (int(depth), age)
    return figures


def overdue_by_office(session: Session, now: datetime) -> dict[str, int]:

    rows = session.execute(
        select(EmbItem.office, func.count())
        .where(EmbItem.status == "pending", EmbItem.due_at < now)
        .group_by(EmbItem.office)
    )
    return {str(office): int(count) for office, count in rows}


def schema_at_head(session: Session) -> bool:

    return not needs_upgrade(session.connection())


STATUS_PATHS = ("/healthz", "/readyz", "/metrics")


class StatusServer:
    def __init__(self, services: Services, supervisor: Supervisor | None = None) -> None:
        """`supervisor`: the process's workers and leadership; None for the staff console."""
        self.services, self.supervisor = services, supervisor
        self.settings = services.settings.runtime
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        return self.add_routes(web.Application())

    def add_routes(self, app: web.Application) -> web.Application:
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)
        return app

    async def run(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.status_host, self.settings.status_port)
        await site.start()
        log.info("status server on %s:%d", self.settings.status_host, self.settings.status_port)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, request: web.Request) -> web.Response:
        problems: dict[str, Any] = {}
        db = self.services.db
        try:
            await asyncio.wait_for(db.run(lambda s: s.execute(text("SELECT 1"))), 5)
            if not await db.run(schema_at_head):
                problems["schema"] = "not at head: run `python main.py db upgrade`"
            figures = await db.run(outbox_figures, self.services.clock())
            for name, (_, age) in figures.items():
                if age > self.settings.ready_lag_seconds:
                    problems[f"{name}_outbox"] = f"oldest due row waits {age:.0f} s"
        except Exception as exc:  # unreachable, timed out, refused: not ready
            problems["database"] = type(exc).__name__
        leading = self.supervisor is not None and self.supervisor.leading
        if self.supervisor is not None and not await self.supervisor.leadership_held():
            problems["leader"] = "no process leads: pushes, relay and aftercare are stopped"
        body = {"ready": not problems, "leading": leading, **problems}
        return web.json_response(body, status=200 if not problems else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        now = self.services.clock()
        try:
            figures = await self.services.db.run(outbox_figures, now)
            overdue = await self.services.db.run(overdue_by_office, now)
        except Exception:
            log.warning("metrics: the database did not answer; serving counters only")
            figures, overdue = {}, {}
        for name, (depth, age) in figures.items():
            OUTBOX_DEPTH.labels(name).set(depth)
            OUTBOX_AGE.labels(name).set(age)
        for office, count in overdue.items():
            OVERDUE.labels(office).set(count)
        LEADING.set(1 if self.supervisor is not None and self.supervisor.leading else 0)
        return web.Response(
            body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )
