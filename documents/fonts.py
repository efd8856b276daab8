"""The CJK font every document is set in.

Noto Sans CJK (SIL Open Font License 1.1) comes from the PyPI package `noto-cjk-sans-otc`, so a
fresh machine has it after `pip install -e .`: no system font, no download at run time. The
package ships the OpenType Collection; face 2 is Simplified Chinese (its Latin glyphs serve
the English texts too). fpdf2 embeds only the glyphs a document uses (a one-page notice is
about 20–40 KB), Pillow draws the flowchart with the same face.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import noto_cjk_sans_otc
from PIL import ImageFont

if TYPE_CHECKING:
    from fpdf import FPDF

# Index of "Noto Sans CJK SC" inside NotoSansCJK-Regular.ttc (JP, KR, SC, TC, HK, Mono ...).
SC_FACE_INDEX = 2
PDF_FAMILY = "NotoSansSC"


@cache
def font_path() -> Path:
    """Path of the bundled collection (a dependency in pyproject.toml)."""
    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def add_pdf_font(pdf: FPDF) -> str:
    """Register the CJK face on an fpdf2 document; returns the family name to select."""
    pdf.add_font(PDF_FAMILY, "", str(font_path()), collection_font_number=SC_FACE_INDEX)
    return PDF_FAMILY


@cache
def pil_font(size: int) -> ImageFont.FreeTypeFont:
    """The same face for Pillow drawings, cached per size (loading it takes ~10 ms)."""
    return ImageFont.truetype(str(font_path()), size=size, index=SC_FACE_INDEX)
