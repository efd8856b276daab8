"""Checks on an uploaded page, shared by every channel (Telegram, console).

The real type is sniffed from the bytes, never trusted from the file name or the sender's
declared MIME type: applicants rename files and phones mislabel them. Each problem is a stable
code (see `dialogs.events.StoredFile.problem`) that the conversation turns into a specific
request ("please retake the photo in better light", ...).

A usable page is also *cleaned*, and only the cleaned bytes (`FileCheck.cleaned`) are stored
and passed on to the offices:
* images are decoded and encoded again (JPEG stays JPEG, PNG stays PNG) with the camera's
  orientation applied: EXIF (GPS position, phone model, time), comments, and anything hidden
  after the image (a ZIP appended, megabytes of junk) are gone;
* PDFs are kept as sent (re-writing them could break a bank's signature) but refused when
  they carry anything active: JavaScript, actions run on opening or on events, launching a
  program, embedded files, rich media or XFA forms (`pdf_active`). Their true page count is
  read, so a two-page PDF counts as two pages.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"
HEIC = "image/heic"
UNKNOWN = "application/octet-stream"

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # the Bot API's own download limit
DEFAULT_MIN_SHORT_SIDE = 600  # below this, the small print of an ID card is unreadable
DEFAULT_MAX_PIXELS = 50_000_000  # far above any phone camera; a larger header is a bomb
# Variance of the Laplacian of the page scaled to BLUR_SIDE px, calibrated on generated pages
# of text: sharp ≈ 1,600-4,400, Gaussian blur radius 2 ≈ 80-300, radius 3 ≈ 10-60, radius 4
# < 30. Camera noise only raises the figure, so a low threshold refuses only hopeless pages.
DEFAULT_BLUR_THRESHOLD = 50.0
BLUR_SIDE = 800
JPEG_QUALITY = 90  # re-encoding a phone photo: the small print stays sharp
# A PDF with more objects than any statement or scan has is not walked (a cheap bomb).
MAX_PDF_OBJECTS = 200_000

# What makes a PDF active. Keys whose mere presence is refused ...
PDF_ACTIVE_KEYS = frozenset(
    {"/JavaScript", "/JS", "/AA", "/Launch", "/EmbeddedFiles", "/EF", "/RichMedia", "/XFA"}
)
# ... and the action types (/S), annotation subtypes and object types that are refused.
PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/GoToE",
        "/GoToR",
        "/ImportData",
        "/SubmitForm",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/FileAttachment",
        "/EmbeddedFile",
        "/RichMedia",
        "/Screen",
    }
)

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


@dataclass(frozen=True)
class FileCheck:
    """What the bytes really are; `problem` is None when the page is usable."""

    mime_type: str
    size: int
    width: int | None = None
    height: int | None = None
    page_count: int | None = None
    problem: str | None = None
    cleaned: bytes | None = field(default=None, repr=False)  # what to store when usable

    @property
    def ok(self) -> bool:
        return self.problem is None


def sniff(data: bytes) -> str:
    """The MIME type from magic bytes: JPEG, PNG, PDF, HEIC, or unknown."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    # The PDF header may follow a little junk (the spec allows it within the first 1 KiB).
    if b"%PDF-" in data[:1024]:
        return PDF
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return HEIC
    return UNKNOWN


def check_file(
    data: bytes,
    filename: str | None = None,
    declared_mime: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    min_short_side: int = DEFAULT_MIN_SHORT_SIDE,
    blur_threshold: float = DEFAULT_BLUR_THRESHOLD,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> FileCheck:
    """Sniff and check one uploaded file. Never raises for bad input: returns a problem code."""
    size = len(data)
    mime = sniff(data)
    if mime == UNKNOWN and _looks_like_heic(filename, declared_mime):
        mime = HEIC
    if size > max_bytes:
        return FileCheck(mime, size, problem="too_large")
    if mime == HEIC:
        # Pillow 13 cannot decode HEIF without a plug-in we do not ship; ask for JPEG instead.
        return FileCheck(mime, size, problem="heic")
    if mime in (JPEG, PNG):
        return _check_image(data, mime, min_short_side, blur_threshold, max_pixels)
    if mime == PDF:
        return _check_pdf(data)
    return FileCheck(mime, size, problem="unsupported_type")


def _looks_like_heic(filename: str | None, declared_mime: str | None) -> bool:
    name = (filename or "").lower()
    return name.endswith((".heic", ".heif")) or (declared_mime or "").lower() in (
        "image/heic",
        "image/heif",
    )


def _check_image(
    data: bytes, mime: str, min_short_side: int, blur_threshold: float, max_pixels: int
) -> FileCheck:

    size = len(data)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; we refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > max_pixels:
                    return FileCheck(mime, size, width, height, problem="decompression_bomb")
                img.load()  # decodes every byte: a truncated file fails here
                if min(width, height) < min_short_side:
                    return FileCheck(mime, size, width, height, problem="too_small")
                sharpness = laplacian_variance(img)
                if sharpness >= blur_threshold:
                    cleaned, (width, height) = reencode(img, mime)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return FileCheck(mime, size, problem="decompression_bomb")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return FileCheck(mime, size, problem="not_decodable")
    if sharpness < blur_threshold:
        return FileCheck(mime, size, width, height, problem="blurred")
    return FileCheck(mime, size, width, height, cleaned=cleaned)


def reencode(img: object, mime: str) -> tuple[bytes, tuple[int, int]]:
    """The image encoded afresh, upright (the EXIF orientation applied), with no metadata:
    no EXIF (GPS), XMP, comments or text chunks, nothing after the image data. Only the
    colour profile is kept (without it colours shift). Returns the bytes and the new size."""

    assert isinstance(img, Image.Image)
    upright = ImageOps.exif_transpose(img) or img
    icc = img.info.get("icc_profile")
    out = io.BytesIO()
    if mime == JPEG:
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        fresh = Image.new(upright.mode, upright.size)
        fresh.paste(upright)
        options: dict[str, object] = {"quality": JPEG_QUALITY, "optimize": True}
        if icc:
            options["icc_profile"] = icc
        fresh.save(out, "JPEG", **options)
    else:
        fresh = upright.copy()
        fresh.info = {}  # no tEXt/iTXt/zTXt or eXIf chunks carried over
        if icc:
            fresh.save(out, "PNG", icc_profile=icc)
        else:
            fresh.save(out, "PNG")
    return out.getvalue(), fresh.size


def laplacian_variance(img: object) -> float:
    """Variance of a Laplacian over the greyscale page scaled to BLUR_SIDE on its long side.

    Scaling first makes the figure independent of the camera's resolution; the kernel's offset
    keeps negative responses (Pillow clips to 0..255), so the variance sees both edge sides.
    """

    assert isinstance(img, Image.Image)
    grey = img.convert("L")
    scale = BLUR_SIDE / max(grey.size)
    if scale < 1:
        new_size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(new_size, Image.Resampling.BILINEAR)
    kernel = ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128)
    edges = grey.filter(kernel)
    # Pillow leaves the outermost pixels unfiltered (raw grey, not a response): drop them.
    if edges.width > 2 and edges.height > 2:
        edges = edges.crop((1, 1, edges.width - 1, edges.height - 1))
    return float(ImageStat.Stat(edges).var[0])


def _check_pdf(data: bytes) -> FileCheck:

    size = len(data)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # Banks often "encrypt" with an empty user password: that one still opens.
        if reader.is_encrypted and not reader.decrypt(""):
            return FileCheck(PDF, size, problem="bad_pdf")
        pages = len(reader.pages)
        active = pdf_active(reader)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return FileCheck(PDF, size, problem="bad_pdf")
    if pages == 0:
        return FileCheck(PDF, size, page_count=0, problem="bad_pdf")
    if active is not None:
        return FileCheck(PDF, size, page_count=pages, problem="active_pdf")
    return FileCheck(PDF, size, page_count=pages, cleaned=data)


def pdf_active(reader: object) -> str | None:
    """The first active element of the PDF (a name such as "/JavaScript"), or None.

    Every object reachable from the trailer is looked at, through indirect references and
    object streams (pypdf decodes names written with #xx escapes, so `/J#61vaScript` is
    `/JavaScript`). An /OpenAction that is a destination ("open at page 1, fit the width") is
    a view, not an action, and is allowed; one that is an action dictionary is refused.
    Raises ValueError for a PDF too large to walk."""

    assert isinstance(reader, PdfReader)
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many objects in the PDF")
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in PDF_ACTIVE_KEYS:
                    return str(key)
                named = key in ("/S", "/Subtype", "/Type") and isinstance(value, NameObject)
                if named and value in PDF_ACTIVE_NAMES:
                    return str(value)
                if key == "/OpenAction":
                    target = value.get_object() if isinstance(value, IndirectObject) else value
                    if isinstance(target, DictionaryObject):
                        return "/OpenAction"
                if key not in ("/Parent", "/P"):  # back links: reached another way
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None
