"""The adapter for a remote approval platform over the signed JSON contract
(docs/platform-openapi.yaml).

The client is handed its `aiohttp.ClientSession` (the composition root owns and closes it).
Every request is signed (see `signing`); each attempt gets a fresh nonce and timestamp. Only
idempotent calls are retried here, briefly, with exponential backoff: reads, and writes that
carry an Idempotency-Key (submit, supplement). Withdraw is not retried in-call; the outbox
retries every call later anyway, with the same key.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp

from cases.platform.port import (
    PlatformRejected,
    PlatformStatus,
    PlatformUnavailable,
    SubmitReceipt,
    SubmitRequest,
    SupplementReceipt,
    SupplementRequest,
    UnknownCase,
)
from integrations.platform import wire
from integrations.platform.page_urls import page_url
from integrations.platform.signing import IDEMPOTENCY_KEY, signed_headers

RETRYABLE_STATUS = frozenset({502, 503, 504, 500, 429})


def encode(body: dict[str, Any] | None) -> bytes:
    """The exact bytes that are signed and sent."""
    if body is None:
        return b""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class HttpPlatformClient:
    """`PlatformAdapter` over HTTP. `clock` (Unix seconds) and `sleep` are injectable."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        secret: bytes,
        *,
        timeout_seconds: float = 10.0,
        retries: int = 2,
        backoff_seconds: float = 0.2,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        pages_url: str | None = None,
    ) -> None:
        if not secret:
            raise ValueError("the platform secret is empty: set PLATFORM__SECRET")
        self._session = session
        self._base = base_url.rstrip("/")
        # The signature covers the path as the server sees it, mount prefix included.
        self._prefix = urlsplit(self._base).path
        self._secret = secret
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._retries = retries
        self._backoff = backoff_seconds
        self._clock = clock
        self._sleep = sleep
        self._pages_url = pages_url or None  # our page endpoint: pages then carry a URL each

    def _url(self, case_number: str, address: str) -> str | None:
        if self._pages_url is None:
            return None
        return page_url(self._secret, self._pages_url, case_number, address, self._clock())

    def _with_urls(self, request: SubmitRequest) -> SubmitRequest:
        if self._pages_url is None:
            return request
        materials = tuple(
            replace(m, urls=tuple(self._url(request.case_number, h) or "" for h in m.sha256))
            for m in request.materials
        )
        return replace(request, materials=materials)

    async def submit(self, request: SubmitRequest) -> SubmitReceipt:
        data = await self._call(
            "POST",
            "/v1/cases",
            wire.submit_to_json(self._with_urls(request)),
            idempotency_key=request.idempotency_key,
        )
        return wire.receipt_from_json(data)

    async def withdraw(self, case_number: str, reason: str) -> None:
        await self._call("POST", f"/v1/cases/{_seg(case_number)}/withdraw", {"reason": reason})

    async def supplement(self, request: SupplementRequest) -> SupplementReceipt:
        data = await self._call(
            "POST",
            f"/v1/cases/{_seg(request.case_number)}/supplements",
            wire.supplement_to_json(
                replace(
                    request,
                    pages=tuple(
                        replace(p, url=self._url(request.case_number, p.sha256))
                        for p in request.pages
                    ),
                )
            ),
            idempotency_key=request.idempotency_key,
        )
        return wire.supplement_receipt_from_json(data)

    async def status(self, case_number: str) -> PlatformStatus:
        data = await self._call("GET", f"/v1/cases/{_seg(case_number)}", None)
        return wire.status_from_json(data)

    async def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        payload = encode(body)
        retryable = method == "GET" or idempotency_key is not None
        attempts = 1 + (self._retries if retryable else 0)
        last: PlatformUnavailable | None = None
        for attempt in range(attempts):
            if attempt:
                await self._sleep(self._backoff * 2 ** (attempt - 1))
            headers = signed_headers(
                self._secret, method, self._prefix + path, payload, self._clock()
            )
            headers["Content-Type"] = "application/json"
            if idempotency_key is not None:
                headers[IDEMPOTENCY_KEY] = idempotency_key
            try:
                async with self._session.request(
                    method,
                    self._base + path,
                    data=payload or None,
                    headers=headers,
                    timeout=self._timeout,
                ) as response:
                    text = await response.text()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                last = PlatformUnavailable(f"{type(exc).__name__}: {exc}")
                continue
            data = _json(text)
            if status < 300:
                return data
            if status in RETRYABLE_STATUS:
                last = PlatformUnavailable(f"HTTP {status}")
                continue
            error = data.get("error", {}) if isinstance(data, dict) else {}
            code = str(error.get("code", f"http_{status}"))
            if status == 404 and code == "unknown_case":
                raise UnknownCase(path.split("/")[3] if path.count("/") >= 3 else path)
            raise PlatformRejected(code, str(error.get("message", "")))
        assert last is not None
        raise last


def _seg(value: str) -> str:
    return quote(value, safe="")


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
