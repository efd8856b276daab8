"""Every page of a material as a picture a person can look at: photos as they were stored,
PDFs rendered page by page to JPEG.

Library: pypdfium2 (Apache-2.0/BSD), the Python binding of PDFium, Chrome's own PDF engine: a
wheel with the engine inside (no system poppler to install, unlike pdf2image), maintained,
and fuzzed as part of Chrome against hostile files, which is what an applicant's upload is.
PyMuPDF renders as well but is AGPL. pypdf, which checks uploads, cannot render.

PDFium is not thread-safe, so every PDF call (and the decryption that feeds it, to keep the
event loop free) runs on one worker thread of this renderer. Files are content-addressed,
so what is learnt about one (a PDF's page count) never changes and is kept in a small cache;
rendered pictures are not kept (they are personal data in clear).
"""

from __future__ import annotations

import asyncio
import io
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pypdfium2 as pdfium

from cases.files import FileStore

PDF_MAGIC = b"%PDF-"
MAX_SIDE = 1800  # px on the longer side of a rendered page: an A4 scan at about 150 dpi
MAX_SCALE = 4.0  # a tiny page (a receipt) is not blown up past this
MAX_PDF_PAGES = 200  # pages shown of one PDF; an upload is 20 MB at most anyway
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
)


class NoSuchPage(LookupError):
    """A page number past the end of the PDF, or a file that is not a PDF."""


@dataclass(frozen=True)
class FileKind:
    """What one stored file is: a PDF of `pages` pages (0 when PDFium cannot open it), or a
    picture (`pages` None) of the MIME type found in its bytes (None: not recognised)."""

    pdf: bool
    pages: int | None
    mime: str | None = None


def sniff(data: bytes) -> FileKind:
    """The kind of a file by its first bytes, never by the name or type it was sent with."""
    if data.startswith(PDF_MAGIC):
        return FileKind(True, _page_count(data))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return FileKind(False, None, "image/webp")
    mime = next((m for magic, m in _IMAGE_MAGIC if data.startswith(magic)), None)
    return FileKind(False, None, mime)


def _page_count(data: bytes) -> int:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return 0
    try:
        return min(len(pdf), MAX_PDF_PAGES)
    finally:
        pdf.close()


def render_page(data: bytes, page: int, *, max_side: int = MAX_SIDE) -> bytes:
    """Page `page` (from 1) of a PDF as a JPEG whose longer side is at most `max_side` px."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise NoSuchPage("not a readable PDF") from exc
    try:
        if not 1 <= page <= min(len(pdf), MAX_PDF_PAGES):
            raise NoSuchPage(f"page {page} of {len(pdf)}")
        sheet = pdf[page - 1]
        try:
            width, height = sheet.get_size()
            scale = min(max_side / max(width, height, 1.0), MAX_SCALE)
            image = sheet.render(scale=scale).to_pil().convert("RGB")
        finally:
            sheet.close()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class PageRenderer:
    """The console's renderer over its file store: one worker thread, a cache of file kinds."""

    def __init__(self, files: FileStore, *, cache_entries: int = 4096) -> None:
        self.files = files
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-render")
        self._kinds: OrderedDict[str, FileKind] = OrderedDict()
        self._cache_entries = cache_entries

    async def kind(self, address: str) -> FileKind:
        """What the file at `address` is (read and decrypted once per process)."""
        known = self._kinds.get(address)
        if known is not None:
            self._kinds.move_to_end(address)
            return known
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(self._pool, self._sniff_file, address)
        self._kinds[address] = found
        if len(self._kinds) > self._cache_entries:
            self._kinds.popitem(last=False)
        return found

    def _sniff_file(self, address: str) -> FileKind:
        return sniff(self.files.read(address))

    async def page(self, address: str, page: int) -> bytes:
        """Page `page` (from 1) of the PDF at `address`, as a JPEG."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._render_file, address, page)

    def _render_file(self, address: str, page: int) -> bytes:
        return render_page(self.files.read(address), page)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
