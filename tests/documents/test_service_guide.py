"""The service guide is generated from the items and materials data and stays current."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from documents import service_guide
from locales import Translator
from policy.items import load_items
from tests.documents.conftest import pdf_text

ZH = Translator("zh_CN")
FIXTURE = Path(__file__).resolve().parent.parent / "policy" / "fixtures" / "items_seven.toml"


def _text(sections: list[service_guide.Section]) -> str:
    return "\n".join(line for s in sections for line in (s.heading, *s.lines))


def test_the_guide_names_every_item_office_limit_and_material() -> None:
    text = _text(service_guide.guide(ZH, ["窗口：一楼"]))
    for expected in (
        "企业职工基本养老保险待遇申领——旗就业和社会保险事业中心，收到办件后2小时内反馈",
        "在“企业职工基本养老保险待遇申领”核定后5个工作日内反馈",
        "正常退休提取住房公积金——公积金伊旗管理部，由申请人在网上自行办理",
        "身份证（必交）",
        "退伍证：申请人为退役军人的提供",
        "丢失的，不影响办理",
        "不收费",
        "窗口：一楼",
    ):
        assert expected in text, expected


def test_a_seventh_item_appears_without_code_changes() -> None:
    if not FIXTURE.exists():  # the policy tests' fixture; the rule holds without it too
        return
    items = load_items(FIXTURE)
    text = _text(service_guide.guide(ZH, items=items))
    assert f"{len(items)}." in text and f"{len(items)}个事项" in text


def test_committed_markdown_is_current() -> None:
    from aftercare.region import region_texts

    contacts = region_texts(ZH).contacts
    expected = service_guide.render_markdown(service_guide.guide(ZH, contacts), ZH)
    assert service_guide.DOC.read_text("utf-8") == expected, "run: python main.py docs guide"


def test_the_pdf_guide_reads_the_same() -> None:
    data = service_guide.render_pdf(service_guide.guide(ZH), ZH, date(2026, 11, 26))
    assert "企业职工退休“一件事一次办”服务指南" in pdf_text(data)
