"""What a stored file is, and a PDF page as a JPEG: the work that reads untrusted bytes with
PDFium. It runs in the renderer's worker process (`staffweb.renderer`), so this module
imports nothing of the service: only the PDF engine and Pillow.

Library: pypdfium2 (Apache-2.0/BSD), the Python binding of PDFium, Chrome's own PDF engine: a
wheel with the engine inside (no system poppler to install, unlike pdf2image), maintained,
and fuzzed as part of Chrome against hostile files, which is what an applicant's upload is.
PyMuPDF renders as well but is AGPL. pypdf, which checks uploads, cannot render.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2 as pdfium

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
    """Page `page` (from 1, at most MAX_PDF_PAGES) of a PDF as a JPEG whose longer side is at
    most `max_side` px (so at most max_side² pixels, whatever size the page claims)."""
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
