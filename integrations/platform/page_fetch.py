"""The platform side of the signed page URLs: fetch each page a submission or supplement names,
check its bytes against the SHA-256 the serving side computed, and keep it in this side's own
file store, so the platform's staff console shows the scans.

Pages are fetched only after the request's own signature was checked, and only from the
bot's page endpoint (the origin of PLATFORM__CALLBACK_URL): a URL elsewhere is 422. A page
that cannot be fetched, or whose bytes do not match, fails the whole call with 503: the bot's
outbox sends it again later, with fresh URLs, and nothing was recorded.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable

import aiohttp

from cases.files import FileStore
from cases.platform.port import SubmitRequest, SupplementRequest
from integrations.platform.limits import WireError
from integrations.platform.page_route import CONTENT_SHA256
from integrations.platform.page_urls import PAGES_PATH


class PageNotFetched(Exception):
    """A page could not be fetched or did not match its hash: try the call again later."""


class PageFetcher:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        files: FileStore,
        bot_url: str,
        timeout_seconds: float = 30.0,
    ) -> None:
        self.http, self.files = http, files
        # Only the bot's own page endpoint (where this side's callbacks go): a signed request
        # still cannot send this side to fetch from anywhere else.
        self.prefix = bot_url.rstrip("/") + PAGES_PATH
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def fetch(self, url: str) -> str:
        """The address of the page at `url` in this side's store (fetched, checked, stored)."""
        if not url.startswith(self.prefix):
            raise WireError(f"a page url must start with {self.prefix}")
        try:
            async with self.http.get(url, timeout=self.timeout) as response:
                body = await response.read()
                status, declared = response.status, response.headers.get(CONTENT_SHA256, "")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PageNotFetched(type(exc).__name__) from exc
        if status != 200:
            raise PageNotFetched(f"HTTP {status}")
        if hashlib.sha256(body).hexdigest() != declared.lower():
            raise PageNotFetched("sha256 mismatch")
        stored = await asyncio.to_thread(self.files.put, body)  # encrypting: off the loop
        return stored.address

    async def fetch_all(self, pages: Iterable[tuple[str, str | None]]) -> dict[str, str]:
        """{wire address: local address} of every (address, url) that has a URL."""
        return {address: await self.fetch(url) for address, url in pages if url}

    async def of_submission(self, request: SubmitRequest) -> dict[str, str]:
        return await self.fetch_all(
            (address, url)
            for m in request.materials
            for address, url in zip(m.sha256, m.urls or (None,) * len(m.sha256), strict=True)
        )

    async def of_supplement(self, request: SupplementRequest) -> dict[str, str]:
        return await self.fetch_all((p.sha256, p.url) for p in request.pages)
