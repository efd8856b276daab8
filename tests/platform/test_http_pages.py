"""The pages travel with the case (issue 15): over real HTTP on 127.0.0.1, a submission names
each page by a signed, expiring URL of our callback endpoint; the platform side fetches every
page, checks its SHA-256 and keeps it in its own store, under its own key, where its staff
console finds it. A tampered, expired or other case's URL is refused."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from app.settings import WebSettings
from cases.crypto import Vault
from cases.db import Database
from cases.files import FileStore, open_file_store
from cases.models import AuditLog
from cases.models.case import Case
from cases.models.platform import EmbCase
from cases.platform.calls import claim_due_calls
from cases.platform.outbox import enqueue_submit
from cases.platform.port import (
    PageRef,
    PlatformRejected,
    PlatformUnavailable,
    SubmitRequest,
    SupplementRequest,
)
from cases.repositories.applicants import get_or_create_applicant
from cases.repositories.case_records import current_or_new_draft, submit_case
from cases.repositories.pages import add_page
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.embedded.sinks import queue_for_callback
from integrations.platform.http_client import HttpPlatformClient
from integrations.platform.http_server import Security, build_app
from integrations.platform.page_fetch import PageFetcher
from integrations.platform.page_route import AccessLog
from integrations.platform.page_urls import page_url
from staffweb import accounts
from staffweb.app import make_app
from staffweb.core import Console
from staffweb.materials import stored_address
from tests.platform.conftest import FORM
from tests.ports import free_port
from tests.staffweb.conftest import PASSWORD, login

SECRET = b"pages-travel-with-the-case-secret"
AT = datetime(2026, 4, 30, 1, 0, tzinfo=UTC)
# Real file contents: a JPEG header and a PDF header, different for each case.
SCANS = {
    "id_card": [b"\xff\xd8\xff\xe0front" + bytes(range(256)), b"\xff\xd8\xff\xe0back" * 50],
    "application_form": [b"%PDF-1.4 form " + b"x" * 3000],
}


@dataclass(frozen=True)
class Blob:
    sha256: str
    size: int
    mime_type: str


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log_class=AccessLog)  # as `platform serve` runs it
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def submitted(session, files: FileStore, user: str, salt: bytes) -> str:
    """A case whose pages are real files in our store, submitted and queued."""
    applicant = get_or_create_applicant(session, "console", user)
    applicant.full_name = FORM["name"]
    case = current_or_new_draft(session, applicant.id)
    case.form = dict(FORM)
    for code, scans in SCANS.items():
        for scan in scans:
            stored = files.put(scan + salt)
            mime = "application/pdf" if scan.startswith(b"%PDF") else "image/jpeg"
            add_page(session, case, code, Blob(stored.address, stored.size, mime))
    submit_case(session, case, at=AT, actor=f"applicant:{applicant.id}")
    enqueue_submit(session, case, at=AT)
    assert case.number is not None
    return case.number


def supplemented(session, files: FileStore, number: str, scan: bytes) -> str:
    """A new id_card page sent after submission; its address."""
    case = session.scalar(select(Case).where(Case.number == number))
    stored = files.put(b"\xff\xd8\xff\xe0" + scan)
    add_page(
        session, case, "id_card", Blob(stored.address, stored.size, "image/jpeg"), supplement=True
    )
    return stored.address


async def _requests(db: Database) -> dict[str, SubmitRequest]:
    """The submissions the outbox sends now, built as the worker builds them."""
    calls = await db.run(claim_due_calls, AT, 10)
    out = {c.case_number: c.request for c in calls}
    assert all(isinstance(r, SubmitRequest) for r in out.values())
    return out  # type: ignore[return-value]


@pytest.fixture
async def sides(tmp_path: Path) -> AsyncIterator[tuple[Database, FileStore, Database, FileStore]]:
    ours = Database(f"sqlite:///{tmp_path / 'ours.db'}", vault=Vault(b"o" * 32))
    theirs = Database(f"sqlite:///{tmp_path / 'theirs.db'}", vault=Vault(b"t" * 32))
    for db in (ours, theirs):
        await db.create_all()
    our_files = open_file_store(tmp_path / "ours", 10_000_000, ours.require_vault())
    their_files = open_file_store(tmp_path / "theirs", 10_000_000, theirs.require_vault())
    yield ours, our_files, theirs, their_files
    for db in (ours, theirs):
        await db.close()


async def test_pages_reach_the_platform_byte_identical(sides) -> None:
    ours, our_files, theirs, their_files = sides
    number = await ours.run(submitted, our_files, "8101", b"a")
    other = await ours.run(submitted, our_files, "8105", b"e")
    security = Security(SECRET)
    async with (
        aiohttp.ClientSession() as http,
        serving(build_app(callback_db=ours, files=our_files, security=security)) as our_base,
    ):
        platform = build_app(
            platform=EmbeddedPlatform(theirs, sink=queue_for_callback),
            fetcher=PageFetcher(http, their_files, our_base),
            security=security,
        )
        async with serving(platform) as their_base:
            client = HttpPlatformClient(http, their_base, SECRET, pages_url=our_base)
            requests = await _requests(ours)
            receipt = await client.submit(requests[number])
            assert receipt.case_number == number
            # A supplement's new page travels the same way and replaces the old ones.
            again = await ours.run(supplemented, our_files, number, b"again")
            await client.supplement(
                SupplementRequest(number, "id_card", (PageRef(again, "image/jpeg"),), "sup:1")
            )
            # Named elsewhere than the bot's page endpoint, a page is not fetched at all.
            elsewhere = HttpPlatformClient(http, their_base, SECRET, pages_url=their_base)
            with pytest.raises(PlatformRejected, match="invalid"):
                await elsewhere.submit(requests[other])

    assert await theirs.run(lambda s: s.get(EmbCase, other)) is None
    case = await theirs.run(lambda s: s.get(EmbCase, number))
    assert set(case.materials) == set(SCANS)
    entry = case.materials["id_card"]
    assert entry["sha256"] == [again]
    assert their_files.read(stored_address(entry, again)) == b"\xff\xd8\xff\xe0again"
    for code, scans in SCANS.items():
        if code == "id_card":
            continue
        entry = case.materials[code]
        assert len(entry["sha256"]) == len(scans)
        for wired, scan in zip(entry["sha256"], scans, strict=True):
            local = stored_address(entry, wired)  # what the platform's console reads
            assert local != wired  # its own store, its own key
            fetched = their_files.read(local)
            assert hashlib.sha256(fetched).digest() == hashlib.sha256(scan + b"a").digest()
    # The platform's own staff console shows the page, from its own store.
    console = Console(theirs, their_files, EmbeddedPlatform(theirs), WebSettings(), lambda: AT)
    await theirs.run(accounts.add_account, "clerk1", "clerk", PASSWORD, "test", at=AT)
    async with TestClient(TestServer(make_app(console), host="127.0.0.1")) as browser:
        assert (await login(browser, "clerk1", PASSWORD)).status == 303
        shown = await browser.get(f"/cases/{number}/materials/application_form/1")
        assert shown.status == 200
        assert await shown.read() == SCANS["application_form"][0] + b"a"
    fetches = await ours.run(
        lambda s: s.scalars(select(AuditLog).where(AuditLog.action == "page_fetched")).all()
    )
    assert len(fetches) == 4  # every page served is on the case's audit trail


async def test_a_page_url_works_only_as_signed_for_its_case(sides) -> None:
    ours, our_files, *_ = sides
    first = await ours.run(submitted, our_files, "8102", b"b")
    second = await ours.run(submitted, our_files, "8103", b"c")
    request = (await _requests(ours))[first]
    address = request.materials[0].sha256[0]
    now = time.time()
    async with (
        aiohttp.ClientSession() as http,
        serving(build_app(callback_db=ours, files=our_files, security=Security(SECRET))) as base,
    ):

        async def get(url: str) -> tuple[int, bytes, aiohttp.typedefs.LooseHeaders]:
            async with http.get(url) as response:
                return response.status, await response.read(), response.headers

        good = page_url(SECRET, base, first, address, now)
        status, body, headers = await get(good)
        assert status == 200 and our_files.read(address) == body
        assert headers["Cache-Control"] == "no-store"
        refused = {
            "tampered": good[:-1] + ("0" if good[-1] != "0" else "1"),
            "expired": page_url(SECRET, base, first, address, now - 2 * 86400),
            "another case": page_url(SECRET, base, second, address, now),
            "another secret": page_url(b"guess", base, first, address, now),
            "case swapped": good.replace(first, second),
            "not ASCII": good.split("&sig=")[0] + "&sig=%C3%A9",
            "no signature": good.split("&sig=")[0],
            "not a page address": good.replace(address, "..%2F..%2Fsecret.key"),
        }
        for why, url in refused.items():
            status, body, _ = await get(url)
            assert status == 403, why
            assert our_files.read(address) not in body, why


async def test_a_page_that_cannot_be_fetched_records_nothing(sides) -> None:
    ours, our_files, theirs, their_files = sides
    number = await ours.run(submitted, our_files, "8104", b"d")
    dead = f"http://127.0.0.1:{free_port()}"  # our page endpoint is down
    async with (
        aiohttp.ClientSession() as http,
        serving(
            build_app(
                platform=EmbeddedPlatform(theirs, sink=queue_for_callback),
                fetcher=PageFetcher(http, their_files, dead),
                security=Security(SECRET),
            )
        ) as their_base,
    ):
        client = HttpPlatformClient(http, their_base, SECRET, pages_url=dead, retries=0)
        with pytest.raises(PlatformUnavailable):  # 503: the outbox sends it again later
            await client.submit((await _requests(ours))[number])
    assert await theirs.run(lambda s: s.get(EmbCase, number)) is None
