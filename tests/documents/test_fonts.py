"""The documents' font comes from a source that lasts (Debian's fonts-noto-cjk, or the PyPI
copy as a fallback), and is the release the documents were laid out with."""

from __future__ import annotations

from datetime import UTC, datetime

from fpdf import FPDF
from PIL import ImageFont

from documents.fonts import (
    PDF_FAMILY,
    SC_FACE_INDEX,
    add_pdf_font,
    font_is_the_known_release,
    font_path,
)


def test_the_font_is_the_known_noto_cjk_release_with_the_chinese_face() -> None:
    path = font_path()
    assert font_is_the_known_release(path), path
    face = ImageFont.truetype(str(path), size=12, index=SC_FACE_INDEX)
    assert face.getname() == ("Noto Sans CJK SC", "Regular")


def _form(add_font) -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(datetime(2026, 1, 2, tzinfo=UTC))  # not now: the same bytes
    add_font(pdf)
    pdf.add_page()
    pdf.set_font(PDF_FAMILY, size=10.5)
    pdf.multi_cell(0, 5, "申请表 李𠮷四 身份证号码 1502…  Employer Ltd. 退休一件事")
    pdf.set_font(PDF_FAMILY, size=7.5)
    pdf.cell(0, 5, "第 1/1 页")
    return bytes(pdf.output())


def test_a_document_set_with_the_face_read_once_is_byte_for_byte_as_with_add_font() -> None:
    def plain(pdf: FPDF) -> None:
        pdf.add_font(PDF_FAMILY, "", str(font_path()), collection_font_number=SC_FACE_INDEX)

    expected = _form(plain)
    assert _form(add_pdf_font) == expected
    assert _form(add_pdf_font) == expected  # the second document: nothing left from the first
    other = FPDF()
    add_pdf_font(other)
    other.add_page()
    other.set_font(PDF_FAMILY, size=10.5)
    other.cell(0, 5, "完全不同的字")
    assert _form(add_pdf_font) == expected  # nor from one set with other characters
