"""GET /v1/pages/{sha256}: our side serves a page of a case to the platform, by the signed,
expiring URL the submission carried (`integrations/platform/page_urls.py`).

403 for a bad or expired signature, a page that is not this case's, or a purged one, with
nothing about which; every page served is audited on the case (actor `platform`)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.db import Database
from cases.files import FileStore
from cases.models.case import Case, MaterialPage
from cases.repositories.audit import audit
from integrations.platform.page_urls import PAGES_PATH, PageUrlError, check_page_url
from integrations.platform.request_checks import SHA256

log = logging.getLogger(__name__)
CONTENT_SHA256 = "X-Content-SHA256"


def _page_of(session: Session, case_number: str, address: str) -> tuple[int, str] | None:
    """(case id, mime) of a live page `address` of case `case_number`, audited; else None."""
    row = session.execute(
        select(Case.id, MaterialPage.mime_type, MaterialPage.material_code)
        .join(MaterialPage, MaterialPage.case_id == Case.id)
        .where(
            Case.number == case_number,
            MaterialPage.sha256 == address,
            MaterialPage.purged_at.is_(None),
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    audit(
        session,
        "platform",
        "page_fetched",
        case_id=row[0],
        detail={"material": row[2]},
    )
    return row[0], row[1] or "application/octet-stream"


def add_page_route(
    app: web.Application,
    db: Database,
    files: FileStore,
    secret: bytes,
    clock: Callable[[], float] = time.time,
) -> None:
    async def page(request: web.Request) -> web.Response:
        address = request.match_info["sha256"]
        query = request.query
        case_number = query.get("case", "")
        try:
            if not SHA256.fullmatch(address):
                raise PageUrlError("bad_signature")
            check_page_url(
                secret, case_number, address, query.get("expires", ""), query.get("sig", ""),
                clock(),
            )  # fmt: skip
        except PageUrlError as exc:
            log.warning("refused a page URL: %s", exc.code)
            return _forbidden(exc.code)
        found = await db.run(_page_of, case_number, address)
        if found is None or not files.exists(address):
            log.warning("refused a page URL: not_this_case")
            return _forbidden("not_this_case")
        body = await asyncio.to_thread(files.read, address)  # decrypting: off the loop
        return web.Response(
            body=body,
            headers={
                "Content-Type": found[1],
                "Cache-Control": "no-store",
                CONTENT_SHA256: hashlib.sha256(body).hexdigest(),
            },
        )

    app.router.add_get(PAGES_PATH + "{sha256}", page)


class AccessLog(AbstractAccessLogger):
    """The access log of `platform serve`, without page URLs: a page's signed URL is a bearer
    token for 24 hours and its address a hash of an applicant's scan (each fetch is an audit
    row instead). Other routes are logged by path, which carries no query."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        path = PAGES_PATH + "…" if request.path.startswith(PAGES_PATH) else request.path
        self.logger.info("%s %s %s %.3fs", request.method, path, response.status, time)


def _forbidden(code: str) -> web.Response:
    # One answer for every refusal: a prober learns nothing about which pages exist.
    return web.json_response(
        {"error": {"code": "forbidden", "message": ""}},
        status=403,
        headers={"Cache-Control": "no-store"},
    )
