"""Fixtures of the console tests: the platform tests' databases (SQLite and PostgreSQL) and
clock, a file store, the console over HTTP (aiohttp's test server on 127.0.0.1) and accounts."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app.settings import WebSettings
from cases.db import Database
from cases.files import FileStore
from cases.platform.delivery import drain_platform_outbox
from integrations.platform.embedded.platform import EmbeddedPlatform
from staffweb import accounts
from staffweb.app import make_app
from staffweb.core import Console
from tests.platform.conftest import MATERIALS, FakeClock, clock, db, submitted_case

__all__ = ["clock", "db"]
PASSWORD = "a long password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Desk:
    """The console under test and what the test needs to drive it."""

    db: Database
    clock: FakeClock
    files: FileStore
    platform: EmbeddedPlatform
    console: Console
    server: TestServer

    async def client(self, username: str | None = None) -> TestClient[Any, Any]:
        """A browser; logged in as `username` when given."""
        client: TestClient[Any, Any] = TestClient(self.server)
        await client.start_server()
        if username is not None:
            response = await login(client, username, PASSWORD)
            assert response.status == 303, await response.text()
        return client

    async def account(self, username: str, role: str) -> None:
        await self.db.run(accounts.add_account, username, role, PASSWORD, "test", at=self.clock())

    async def case(
        self,
        user: str = "u1",
        form: dict[str, Any] | None = None,
        contents: dict[tuple[str, int], bytes] | None = None,
    ) -> str:
        """A case submitted through the chat and delivered to the platform, its pages in the
        file store (each page's bytes are its label, or `contents[(material, n)]`)."""
        _, number = await self.db.run(submitted_case, user, self.clock(), form)
        # The store names a file by a keyed hash of its bytes: the pages take those names.
        renamed: dict[str, str] = {}
        for code in MATERIALS:
            for n in range(2 if code == "id_card" else 1):
                label = f"{user}:{code}:{n}".encode()
                data = (contents or {}).get((code, n), label)
                renamed[hashlib.sha256(label).hexdigest()] = self.files.put(data).sha256
        await self.db.run(_rename_pages, renamed)
        await drain_platform_outbox(self.db, self.platform, now=self.clock)
        return number


@pytest.fixture
async def desk(db: Database, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Desk]:
    files = FileStore(tmp_path / "files", 1024 * 1024, vault=db.require_vault())
    platform = EmbeddedPlatform(db, now=clock)
    console = Console(db, files, platform, WebSettings(), clock)
    server = TestServer(make_app(console), host="127.0.0.1")
    await server.start_server()
    try:
        yield Desk(db, clock, files, platform, console, server)
    finally:
        await server.close()


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def login(client: TestClient[Any, Any], username: str, password: str) -> Any:
    page = await client.get("/login")
    token = csrf_of(await page.text())
    return await client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        allow_redirects=False,
    )


async def post_form(
    client: TestClient[Any, Any], page_path: str, action: str, data: dict[str, Any] | list[Any]
) -> Any:
    """Open a page, then post one of its forms with the page's CSRF token (as a browser)."""
    page = await client.get(page_path)
    token = csrf_of(await page.text())
    fields = list(data.items()) if isinstance(data, dict) else list(data)
    return await client.post(action, data=[*fields, ("csrf_token", token)], allow_redirects=False)


def _rename_pages(session: Any, renamed: dict[str, str]) -> None:
    from sqlalchemy import select

    from cases.models import MaterialPage

    for page in session.scalars(select(MaterialPage)):
        page.sha256 = renamed.get(page.sha256, page.sha256)
