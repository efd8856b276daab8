"""The application form a worker gets in their own chat (issue 15): always in Chinese, with
their own full ID number and phone, the stamp box on page 1 beside the employer, and nothing
running off the page. Made through the real Paperwork and file store, read back with pdfium."""

from __future__ import annotations

import io
from typing import Any

import pypdfium2 as pdfium

from aftercare.paperwork import Paperwork
from cases import repositories as repo
from dialogs.paperwork import DocumentRequest
from tests.aftercare.conftest import World
from tests.platform.conftest import ID_NUMBER

PHONE = "13912345678"
LONG_EMPLOYER = "内蒙古伊金霍洛旗某某煤炭开采与洗选综合服务有限责任公司第二分公司"


def _pages(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(io.BytesIO(data))
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def _inside_the_page(data: bytes) -> bool:
    """Every character's box lies within the printable page (10 mm margins)."""
    pdf = pdfium.PdfDocument(io.BytesIO(data))
    margin = 10 / 25.4 * 72 - 1
    for i in range(len(pdf)):
        page = pdf[i]
        width = page.get_width()
        text = page.get_textpage()
        for c in range(text.count_chars()):
            left, _, right, _ = text.get_charbox(c)
            if right > width - margin + 0.5 or left < margin - 0.5:
                return False
    return True


async def test_the_form_in_the_chat_is_chinese_with_the_workers_own_numbers(world: World):
    number = await world.submitted(has_employer=True, employer_name=LONG_EMPLOYER)

    def make(session: Any) -> bytes:
        applicant = repo.find_applicant(session, "test", "u1")
        assert applicant is not None
        repo.set_phone(session, applicant, PHONE)
        paperwork = Paperwork(world.deps.files, world.deps.config)
        # The worker chats in English: the form is still the Chinese office document.
        document = paperwork.document(session, DocumentRequest("form", applicant.id, "en", {}))
        assert document is not None
        return world.deps.files.read(document.address)

    pages = _pages(await world.db.run(make))
    first = pages[0].replace("\r", "").replace("\n", "")
    assert "企业职工退休“一件事一次办”申请表" in first and "Application" not in "".join(pages)
    assert ID_NUMBER in first and PHONE in first and "*" not in first
    assert number in first
    assert "加盖参保单位公章" in first, "the stamp box is on page 1"
    assert LONG_EMPLOYER in first.replace(" ", "")
    assert first.index("参保单位") < first.index("加盖参保单位公章") < first.index("特殊情形")
    assert _inside_the_page(await world.db.run(make))
