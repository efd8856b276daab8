"""The CJK font every document is set in.

Noto Sans CJK (SIL Open Font License 1.1), the OpenType Collection NotoSansCJK-Regular.ttc of
release 2.004, from Debian's `fonts-noto-cjk` (kept by the distribution: `apt-get install
fonts-noto-cjk`, the Dockerfile does). Elsewhere, the same file from the PyPI package
`noto-cjk-sans-otc` (`pip install '.[pip-font]'`: one release, no homepage, so a fallback
only). Both are byte for byte the file whose hash is FONT_SHA256 (`main.py doctor` checks it).
Face 2 is Simplified Chinese (its Latin glyphs serve the English texts too). fpdf2 embeds only
the glyphs a document uses (a one-page notice is about 20–40 KB), Pillow draws the flowchart
with the same face.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from PIL import ImageFont

# Index of "Noto Sans CJK SC" inside NotoSansCJK-Regular.ttc (JP, KR, SC, TC, HK, Mono ...).
SC_FACE_INDEX = 2
PDF_FAMILY = "NotoSansSC"


FONT_FILE = "NotoSansCJK-Regular.ttc"
SYSTEM_FONT = Path("/usr/share/fonts/opentype/noto") / FONT_FILE  # Debian's fonts-noto-cjk
FONT_SHA256 = "b76b0433203017ca80401b2ee0dd69350349871c4b19d504c34dbdd80541690a"


class FontMissing(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            f"no CJK font: apt-get install fonts-noto-cjk (or pip install '.[pip-font]'); "
            f"looked for {SYSTEM_FONT} and the noto-cjk-sans-otc package"
        )


@cache
def font_path() -> Path:
    """Debian's collection, else the PyPI package's copy; FontMissing when neither is there."""
    for candidate in (SYSTEM_FONT, _wheel_font()):
        if candidate is not None and candidate.is_file():
            return candidate
    raise FontMissing


def _wheel_font() -> Path | None:
    spec = importlib.util.find_spec("noto_cjk_sans_otc")  # located, not imported
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).with_name(FONT_FILE)


def font_is_the_known_release(path: Path) -> bool:
    """Whether `path` is byte for byte the release the documents were laid out with."""
    digest = hashlib.sha256()
    with path.open("rb") as font:
        while chunk := font.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == FONT_SHA256


def add_pdf_font(pdf: FPDF) -> str:
    """Register the CJK face on an fpdf2 document; returns the family name to select.

    fpdf2's `add_font` reads the widths of the face's 65,000 glyphs each time: a third of a
    form's CPU (0.2 s), on the event loop of a worker that meanwhile answers nobody. They
    are read once per process (`_pdf_font`); each document gets its own copy of what it
    changes (the glyphs it uses, the descriptor, the face the subsetter cuts down), so its
    bytes are those `add_font` gives (tests/documents/test_fonts.py compares them)."""
    shared = _pdf_font()
    font = copy.copy(shared)
    font.i = len(pdf.fonts) + 1
    font.ttfont = _open_face()
    font.cw = shared.cw.copy()
    font.desc = copy.copy(shared.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font
    pdf._set_min_pdf_version("1.6")  # as add_font does for a CID-keyed CFF face
    return PDF_FAMILY


@cache
def _pdf_font() -> TTFFont:
    scratch = FPDF()
    scratch.add_font(PDF_FAMILY, "", str(font_path()), collection_font_number=SC_FACE_INDEX)
    font = scratch.fonts[PDF_FAMILY.lower()]
    assert isinstance(font, TTFFont) and font.is_cff and font.is_cid_keyed
    return font


def _open_face() -> TTFont:
    """The face as `TTFFont` opens it (lazily: a table is read when used)."""
    return TTFont(str(font_path()), recalcTimestamp=False, fontNumber=SC_FACE_INDEX, lazy=True)


@cache
def pil_font(size: int) -> ImageFont.FreeTypeFont:
    """The same face for Pillow drawings, cached per size (loading it takes ~10 ms)."""
    return ImageFont.truetype(str(font_path()), size=size, index=SC_FACE_INDEX)
