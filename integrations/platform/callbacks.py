"""The platform side of the callback: push queued events to our callback URL, signed, in
order, until each is acknowledged. A redelivery is harmless: our side keeps an inbox of the
event ids it has applied."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utc_now
from cases.db import Database
from cases.models.platform import EmbEvent
from cases.platform.delivery import backoff
from integrations.platform.http_server import CALLBACK_PATH
from integrations.platform.signing import signed_headers


def _due(session: Session, at: datetime, limit: int) -> list[tuple[int, dict]]:
    rows = session.scalars(
        select(EmbEvent).where(EmbEvent.delivered_at.is_(None)).order_by(EmbEvent.id).limit(limit)
    )
    out = []
    for row in rows:
        if row.next_attempt_at > at:
            break  # keep the order: a later event never overtakes one that waits
        out.append((row.id, row.payload))
    return out


def _mark(session: Session, event_row: int, at: datetime, error: str | None) -> None:
    row = session.get(EmbEvent, event_row)
    assert row is not None
    row.attempts += 1
    if error is None:
        row.delivered_at = at
        row.last_error = None
    else:
        row.last_error = error[:500]
        row.next_attempt_at = at + backoff(row.attempts)


async def deliver_callbacks(
    db: Database,
    http: aiohttp.ClientSession,
    base_url: str,
    secret: bytes,
    *,
    now: Callable[[], datetime] | None = None,
    clock: Callable[[], float] = time.time,
    timeout_seconds: float = 10.0,
    limit: int = 100,
) -> int:
    """POST due events to `base_url` + /v1/callbacks/events; returns how many were acknowledged.
    Stops at the first failure so that events of a case arrive in the order they happened."""
    current = now or utc_now
    path = urlsplit(base_url.rstrip("/")).path + CALLBACK_PATH
    url = base_url.rstrip("/") + CALLBACK_PATH
    delivered = 0
    for row_id, payload in await db.run(_due, current(), limit):
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = signed_headers(secret, "POST", path, body, clock())
        headers["Content-Type"] = "application/json"
        error: str | None = None
        try:
            async with http.post(
                url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout_seconds),
            ) as resp:
                if resp.status >= 300:
                    error = f"HTTP {resp.status}: {(await resp.text())[:200]}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        await db.run(_mark, row_id, current(), error)
        if error is not None:
            break
        delivered += 1
    return delivered
