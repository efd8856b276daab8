"""Sample inputs for the documents, as the case store would hand them over."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, FloatObject, NumberObject

from documents.result_notice import NoticeData, NoticeItem


def pdf_text(data: bytes) -> str:
    """All text of a PDF, without the spaces and line breaks a layout puts between glyphs.

    Decoded through each font's ToUnicode map, two bytes per glyph: pypdf's own
    `extract_text` reads the custom encoding CMap that fpdf2 writes for CFF-based CJK fonts
    one byte at a time, and garbles every glyph past the 255th of a document (poppler's
    pdftotext, like every viewer, reads it correctly).
    """
    reader = PdfReader(io.BytesIO(data))
    out: list[str] = []
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        maps = {str(name): _to_unicode(font.get_object()) for name, font in fonts.items()}
        table: dict[int, str] = {}
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                table = maps.get(str(operands[0]), {})
            elif operator == b"Tj":
                out.append(_decode(operands[0], table))
            elif operator == b"TJ":
                out.extend(_decode(x, table) for x in operands[0] if not _is_number(x))
    return re.sub(r"\s+", "", "".join(out))


def text_runs(data: bytes) -> list[tuple[int, float, float, str]]:
    """Each piece of text drawn: (page number, x in mm, font size in pt, text)."""
    reader = PdfReader(io.BytesIO(data))
    runs: list[tuple[int, float, float, str]] = []
    for number, page in enumerate(reader.pages, start=1):
        fonts = page["/Resources"]["/Font"]
        maps = {str(name): _to_unicode(font.get_object()) for name, font in fonts.items()}
        table: dict[int, str] = {}
        size, x = 0.0, 0.0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                table, size = maps.get(str(operands[0]), {}), float(operands[1])
            elif operator == b"Td":
                x = float(operands[0]) * 25.4 / 72  # fpdf2 starts each line with BT x y Td
            elif operator == b"Tj":
                runs.append((number, x, size, _decode(operands[0], table)))
            elif operator == b"TJ":
                text = "".join(_decode(v, table) for v in operands[0] if not _is_number(v))
                runs.append((number, x, size, text))
    return runs


def outside_the_margins(data: bytes, margin_mm: float = 16) -> list[str]:
    """The texts that run past the left or right margin of an A4 page (none, when every
    value wraps), measured in the document's own font."""
    from documents.pdfkit import Page

    ruler = Page(title="", dated=date(2026, 1, 1))
    right = 210 - margin_mm + 0.5
    out: list[str] = []
    for _page, x, size, text in text_runs(data):
        ruler.set_font(ruler.family, size=size)
        if x < margin_mm - 0.5 or x + ruler.get_string_width(text) > right:
            out.append(text)
    return out


def _to_unicode(font: Any) -> dict[int, str]:
    if "/ToUnicode" not in font:
        return {}
    text = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    pairs = re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", text)
    return {int(code, 16): bytes.fromhex(uni).decode("utf-16-be") for code, uni in pairs}


def _decode(value: Any, table: dict[int, str]) -> str:
    raw = value.get_original_bytes() if hasattr(value, "get_original_bytes") else bytes(value)
    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
    return "".join(table.get(code, "") for code in codes)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | NumberObject | FloatObject)


@pytest.fixture
def notice() -> NoticeData:
    return NoticeData(
        case_number="YJ-20261126-0001",
        applicant_name="张三",
        id_number_masked="1506**********123X",
        issued_on=date(2026, 11, 26),
        items=(
            NoticeItem(
                "pension_claim",
                "企业职工基本养老保险待遇申领",
                "旗就业和社会保险事业中心",
                "done",
                {"monthly_pension": "3210.5"},
            ),
            NoticeItem(
                "archive_certificate",
                "依据档案记载出具相关证明",
                "旗人力资源综合服务中心",
                "done",
                {"archive_birth_date": "1965-03-02", "first_employment_date": "1983-07-01"},
            ),
            NoticeItem("veteran_check", "退役军人信息查询", "旗退役军人事务局", "not_applicable"),
            NoticeItem(
                "community_registration",
                "社会化管理服务登记",
                "各镇人民政府（镇党群服务中心）",
                "done",
                {"town": "乌兰木伦镇"},
            ),
            NoticeItem(
                "medical_insurance",
                "职工医保人员退休",
                "旗医疗保障局",
                "done",
                {"contribution_months": 280, "back_payment_due": "4560.00"},
            ),
            NoticeItem("housing_fund", "正常退休提取住房公积金", "公积金伊旗管理部", "online"),
        ),
        medical_payment_howto="在“蒙速办”APP缴纳医保费",
        housing_fund_howto="在手机上办理退休提取",
        contacts=("旗医疗保障局：政务服务中心医保窗口",),
    )
