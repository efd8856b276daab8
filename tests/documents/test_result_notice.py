"""The result notice: what the applicant reads and signs, and how its version is identified."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from documents.result_notice import (
    TEXT_LIMIT,
    NoticeData,
    Signature,
    notice_sha256,
    render_result_notice,
)
from locales import Translator
from tests.documents.conftest import outside_the_margins, pdf_text

ZH = Translator("zh_CN")


def test_the_notice_shows_applicant_case_and_every_items_outcome(notice: NoticeData) -> None:
    text = pdf_text(render_result_notice(notice, ZH))
    for expected in (
        "结果告知单",
        "张三",
        "1506**********123X",
        "YJ-20261126-0001",
        "核定月养老金：3,210.50元",  # pension entitlement decision
        "档案出生日期：1965年3月2日",  # archive certificate
        "参加工作时间：1983年7月1日",
        "退役军人信息查询旗退役军人事务局不涉及",  # veteran check: not applicable
        "登记地：乌兰木伦镇",  # community registration town
        "医保累计缴费：23年4个月",
        "需补缴医保费：4,560.00元",  # back payment ...
        "在“蒙速办”APP缴纳医保费",  # ... and how and where to pay it
        "住房公积金：网上提取",
        "在手机上办理退休提取",
        "旗医疗保障局：政务服务中心医保窗口",  # office contacts
        "申请人签字确认",
    ):
        assert expected in text, expected


def test_the_full_id_number_never_appears(notice: NoticeData) -> None:
    assert "150627" not in pdf_text(render_result_notice(notice, ZH))


def test_no_back_payment_means_no_payment_instructions(notice: NoticeData) -> None:
    items = tuple(
        dataclasses.replace(i, data={"contribution_months": 300, "back_payment_due": "0"})
        if i.code == "medical_insurance"
        else i
        for i in notice.items
    )
    text = pdf_text(render_result_notice(dataclasses.replace(notice, items=items), ZH))
    assert "医保费无需补缴" in text
    assert "怎么缴、在哪缴" not in text


def test_same_input_gives_the_same_bytes_and_a_changed_result_a_new_version(
    notice: NoticeData,
) -> None:
    assert render_result_notice(notice, ZH) == render_result_notice(notice, ZH)
    changed_items = tuple(
        dataclasses.replace(i, data={"monthly_pension": "3300.00"})
        if i.code == "pension_claim"
        else i
        for i in notice.items
    )
    changed = dataclasses.replace(notice, items=changed_items)
    assert notice_sha256(changed, ZH) != notice_sha256(notice, ZH)


def test_the_signed_copy_carries_the_name_time_and_the_signed_version(
    notice: NoticeData,
) -> None:
    sha = notice_sha256(notice, ZH)
    signed = render_result_notice(
        notice, ZH, Signature("张三", datetime(2026, 11, 26, 2, 30, tzinfo=UTC), sha)
    )
    text = pdf_text(signed)
    assert "申请人签字：张三" in text
    assert "2026年11月26日10:30" in text  # Beijing time
    # The version as a short check code, the whole value left to the case record.
    assert f"告知单校验码：{sha[:8]}" in text and sha not in text
    assert "申请人签字：___" in pdf_text(render_result_notice(notice, ZH))


def test_the_chinese_font_is_embedded_as_a_small_subset(notice: NoticeData) -> None:
    data = render_result_notice(notice, ZH)
    reader = PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [str(f.get_object()["/BaseFont"]) for f in fonts.values()]
    assert any("NotoSansCJKSC" in n for n in names), names
    assert all("+" in n for n in names)  # a subset tag: only the glyphs used are embedded
    assert len(data) < 120_000
    assert len(reader.pages) == 1


def test_english_notice(notice: NoticeData) -> None:
    text = pdf_text(render_result_notice(notice, Translator("en")))
    assert "resultnotice" in text and "Monthlypension:3,210.50yuan" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) absent")
def test_a_rendered_page_has_ink_where_the_text_is(notice: NoticeData, tmp_path: Path) -> None:
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(render_result_notice(notice, ZH))
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    page = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    width, height = page.size
    dark = sum(1 for v in page.get_flattened_data() if v < 128)
    # Glyphs and table rules, not a blank page and not a black one.
    assert 0.01 < dark / (width * height) < 0.3
    # The title sits in the top band: it has ink.
    top = page.crop((0, 0, width, height // 10))
    assert any(v < 128 for v in top.get_flattened_data())


# -- any lawful input renders: long texts wrap over pages, nothing runs off the page ----------


def _refused(notice: NoticeData, reason: str, **data: str) -> NoticeData:
    items = tuple(
        dataclasses.replace(i, status="refused", reason=reason, data={**i.data, **data})
        if i.code == "pension_claim"
        else i
        for i in notice.items
    )
    return dataclasses.replace(notice, items=items)


def _pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def _reading(data: bytes, notice: NoticeData) -> str:
    """The text as a reader follows it across pages: without the footer at the foot of each
    page and the table heading repeated at the top of the next."""
    text = re.sub(rf"办件编号{re.escape(notice.case_number)}\d+/\d+", "", pdf_text(data))
    heading = "".join(ZH(f"documents.notice.col_{c}") for c in ("no", "item", "office", "result"))
    return text.replace(heading, "")


def test_a_6000_character_refusal_reason_wraps_over_several_pages(notice: NoticeData) -> None:
    reason = "".join(f"第{n}条：缴费记录与档案记载不一致，需核实。" for n in range(400))[:6000]
    long = _refused(notice, reason)
    data = render_result_notice(long, ZH)
    text = _reading(data, long)
    # All of it, in order, none cut, and the item's figures and the next item after it.
    assert f"原因：{reason}核定月养老金：3,210.50元2依据档案记载" in text
    assert "需补缴医保费：4,560.00元" in text  # the items after it are still there
    assert "申请人签字：___" in text
    assert _pages(data) > 1
    assert outside_the_margins(data) == []
    assert data == render_result_notice(long, ZH)  # still one version per input


def test_a_run_of_6000_characters_without_a_space_and_a_long_url_wrap(
    notice: NoticeData,
) -> None:
    run = "X" * 6000
    url = "https://zwfw.nmg.gov.cn/" + "/".join(f"segment{n}" for n in range(60)) + "?q=1"
    long = _refused(notice, f"{run} 详见 {url}")
    data = render_result_notice(long, ZH)
    text = _reading(data, long)
    assert run in text and url in text
    assert outside_the_margins(data) == []


def test_a_100000_character_reason_never_fails_and_says_where_it_was_cut(
    notice: NoticeData,
) -> None:
    reason = "材料不全" * 25_000
    long = _refused(notice, reason)
    data = render_result_notice(long, ZH)
    text = _reading(data, long)
    assert reason[:TEXT_LIMIT] in text
    assert reason[: TEXT_LIMIT + 4] not in text
    assert "全文共100,000字，请向办理单位索取全文" in text
    assert "申请人签字确认" in text
    assert outside_the_margins(data) == []


def test_a_reason_just_under_the_limit_is_shown_whole(notice: NoticeData) -> None:
    reason = "核" * TEXT_LIMIT
    long = _refused(notice, reason)
    text = _reading(render_result_notice(long, ZH), long)
    assert reason in text and "索取全文" not in text


def test_a_200_character_name_and_long_numbers_and_employer_fit_on_the_page(
    notice: NoticeData,
) -> None:
    name = ("阿卜杜热合曼·" * 30)[:200]
    employer = "内蒙古伊金霍洛旗" + "某某煤炭集团有限责任公司第三分公司" * 12
    long = dataclasses.replace(
        _refused(notice, "档案缺失", employer_name=employer, contribution_months="9" * 400),
        applicant_name=name,
        case_number="YJ-20261126-" + "0" * 60 + "1",
    )
    data = render_result_notice(long, ZH)
    text = _reading(data, long)
    assert name in text and employer in text and "9" * 400 in text
    assert outside_the_margins(data) == []
    assert data == render_result_notice(long, ZH)


def test_an_ordinary_notice_keeps_its_layout_on_one_page(notice: NoticeData) -> None:
    data = render_result_notice(notice, ZH)
    assert outside_the_margins(data) == [] and _pages(data) == 1


def test_a_name_longer_than_its_box_can_hold_is_cut_with_an_ellipsis(notice: NoticeData) -> None:
    long = dataclasses.replace(notice, applicant_name="名" * 2000)
    data = render_result_notice(long, ZH)
    text = pdf_text(data)
    assert "名" * 400 + "…" in text and "名" * 1000 not in text
    assert outside_the_margins(data) == []


def test_an_amount_that_is_no_number_is_shown_as_sent_not_a_failure(notice: NoticeData) -> None:
    items = tuple(
        dataclasses.replace(i, data={"back_payment_due": "NaN", "monthly_pension": "Infinity"})
        if i.code in ("medical_insurance", "pension_claim")
        else i
        for i in notice.items
    )
    text = pdf_text(render_result_notice(dataclasses.replace(notice, items=items), ZH))
    assert "需补缴医保费：NaN元" in text and "核定月养老金：Infinity元" in text


@pytest.mark.parametrize(
    ("answered", "shown"),
    [
        ("2026-06", "养老金从2026年6月起按月发放"),
        ("2027-01", "养老金从2027年1月起按月发放"),
        ("2026年6月", "养老金从2026年6月起按月发放"),  # an office's own wording, as it came
    ],
)
def test_the_notice_says_from_which_month_the_pension_is_paid(
    notice: NoticeData, answered: str, shown: str
) -> None:
    pension = dataclasses.replace(
        notice.items[0], data={"monthly_pension": "3210.5", "first_pension_month": answered}
    )
    with_month = dataclasses.replace(notice, items=(pension, *notice.items[1:]))
    text = pdf_text(render_result_notice(with_month, ZH))
    assert shown in text and "核定月养老金：3,210.50元" in text
    assert "起按月发放" not in pdf_text(render_result_notice(notice, ZH))  # not answered: silent
