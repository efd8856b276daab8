"""The materials of a case as staff see them: every page of every material numbered from 1
within its material (a PDF of three pages is pages 1 to 3, a photo after it page 4), each a
picture, and the two addresses that serve them:

    /cases/<number>/materials/<code>/<file>           the stored file as it is (a photo, or
                                                      the PDF as a download)
    /cases/<number>/materials/<code>/<file>/<page>    page <page> of that PDF, as a JPEG

Both go to the clerk and to an office whose item may see the material (`EmbeddedPlatform.show`
decides, the same least privilege as everywhere else); any other account gets 403. No hash
ever reaches a page: files are named by their place in the material."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.views import CaseView
from staffweb.core import Refused, console_of, need, refusal_for
from staffweb.renderer import NoSuchPage, PageUnavailable, unavailable_picture

CLERK_OR_OFFICE = ("clerk", "office")
_PICTURES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


@dataclass(frozen=True)
class Sheet:
    """One page of a material: its number in the material, and where its picture is."""

    number: int
    file: int  # the file's place in the material, from 1
    pdf_page: int | None  # the page inside that PDF, or None for a photo
    url: str
    original: str  # the stored file (a PDF: its download)


@dataclass(frozen=True)
class MaterialView:
    code: str
    sheets: list[Sheet] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)  # files that show no page
    lost: bool = False
    returned: str | None = None
    returned_pages: list[int] = field(default_factory=list)


def stored_address(entry: Mapping[str, Any], wired: str) -> str:
    """Where a page is in this side's store: a remote bot's page, fetched by its signed URL,
    is kept under this side's own address (`local`); a page of our own bot under its own."""
    return str((entry.get("local") or {}).get(wired, wired))


async def material_views(request: web.Request, view: CaseView) -> list[MaterialView]:
    """Each material of the view with its pages laid out (PDFs opened to count them)."""
    console = console_of(request)
    out = []
    for code, entry in view.materials.items():
        base = f"/cases/{view.case_number}/materials/{code}"
        sheets: list[Sheet] = []
        unreadable: list[int] = []
        for index, wired in enumerate(entry.get("sha256") or [], start=1):
            address = stored_address(entry, wired)
            original = f"{base}/{index}"
            exists = console.files.exists(address)
            kind = await console.renderer.kind(address) if exists else None
            if kind is None or (kind.pdf and not kind.pages):
                unreadable.append(index)
            elif kind.pdf:
                for p in range(1, (kind.pages or 0) + 1):
                    sheets.append(Sheet(len(sheets) + 1, index, p, f"{original}/{p}", original))
            else:
                sheets.append(Sheet(len(sheets) + 1, index, None, original, original))
        files = entry.get("sha256") or []
        again = set(entry.get("returned_files") or ())
        marked = [s.number for s in sheets if files[s.file - 1] in again]
        out.append(
            MaterialView(
                code, sheets, unreadable, bool(entry.get("lost")), entry.get("returned"), marked
            )
        )
    return out


async def _file_of(request: web.Request) -> tuple[CaseView, str, Mapping[str, Any], str]:
    """The case view, material code, material and file address a page address names, after
    the role check; 403 or 404 as plain Chinese pages."""
    who = need(request, *CLERK_OR_OFFICE)
    console = console_of(request)
    number = request.match_info["number"]
    code = request.match_info["code"]
    index = int(request.match_info["file"])
    try:
        view = await console.db.run(console.platform.show, number, who.actor, who.office)
    except StaffError as exc:
        raise refusal_for(exc, office=who.office is not None, tr=console.tr) from exc
    material = view.materials.get(code)
    if material is None:
        if who.office is not None:
            raise Refused(403, console.tr("web.error.not_yours"))
        raise Refused(404, console.tr("web.error.no_page"))
    addresses = material.get("sha256") or []
    if not 1 <= index <= len(addresses):
        raise Refused(404, console.tr("web.error.no_page"))
    address = stored_address(material, addresses[index - 1])
    if not console.files.exists(address):
        raise Refused(404, console.tr("web.error.page_missing"))
    return view, code, material, address


async def original_file(request: web.Request) -> web.StreamResponse:
    """A stored file as it is: a photo to look at, or a PDF to download. Its type comes from
    its bytes (a material may mix photos and PDFs); `Cache-Control: no-store` is set for every
    response of the console."""
    view, code, material, address = await _file_of(request)
    console = console_of(request)
    kind = await console.renderer.kind(address)
    declared = str(material.get("mime") or "image/jpeg")
    mime = kind.mime or (declared if declared in _PICTURES and not kind.pdf else None)
    headers = {"Content-Type": mime or "application/octet-stream"}
    if kind.pdf or mime is None:
        ext = "pdf" if kind.pdf else "bin"
        if kind.pdf:
            headers["Content-Type"] = "application/pdf"
        index = request.match_info["file"]
        headers["Content-Disposition"] = (
            f'attachment; filename="{view.case_number}-{code}-{index}.{ext}"'
        )
    body = await asyncio.to_thread(console.files.read, address)  # decrypting: off the loop
    return web.Response(body=body, headers=headers)


async def pdf_page(request: web.Request) -> web.StreamResponse:
    """One page of a PDF material, rendered to JPEG; a page that cannot be rendered in time
    is a picture saying so (the <img> shows it in the page's place), with the download."""
    _, _, _, address = await _file_of(request)
    console = console_of(request)
    try:
        picture = await console.renderer.page(address, int(request.match_info["page"]))
    except NoSuchPage as exc:
        raise Refused(404, console.tr("web.error.no_page")) from exc
    except PageUnavailable:
        body = unavailable_picture(console.tr("web.error.page_unavailable"))
        return web.Response(body=body, headers={"Content-Type": "image/svg+xml"})
    return web.Response(body=picture, headers={"Content-Type": "image/jpeg"})
