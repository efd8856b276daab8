"""Sample inputs for the documents, as the case store would hand them over."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from documents.result_notice import NoticeData, NoticeItem


def pdf_text(data: bytes) -> str:
    """All text of a PDF, without the spaces and line breaks a layout puts between glyphs.

    pypdf reads fpdf2's embedded CID CMap for CFF fonts one byte at a time and yields a NUL
    before each character (poppler's pdftotext reads it correctly): drop those too.
    """
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\s\x00]+", "", text)


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
