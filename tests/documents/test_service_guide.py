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


CONTACTS = Path(__file__).resolve().parent.parent / "policy" / "fixtures" / "contacts_filled.toml"


def test_the_guide_gives_the_contacts_of_the_data_file() -> None:
    from aftercare.region import region_texts

    contacts = region_texts(ZH, contacts_file=CONTACTS).contacts
    sections = service_guide.guide(ZH, contacts)
    assert sections[-1].heading == "咨询电话和地址"
    assert sections[-1].lines == (
        "旗政务服务中心“蒙速办·一次办”窗口（综合受理、咨询）：地址 测试路1号；"
        "电话 0477-0000001；办公时间 工作日 9:00–17:00",
        "旗医疗保障局（职工医保转退休、补缴医保费）：地址 测试路2号；电话 0477-0000002；"
        "办公时间 工作日 9:00–17:00",
    )
    text = pdf_text(service_guide.render_pdf(sections, ZH, date(2026, 11, 26)))
    assert "0477-0000002" in text.replace(" ", "")


def test_until_filled_the_guide_says_ask_at_the_window(tmp_path: Path) -> None:
    from aftercare.region import region_texts
    from policy.contacts import load_contacts

    shipped = region_texts(ZH).contacts  # policy/contacts.toml as shipped: nothing filled
    window = load_contacts()[0].name_zh
    assert shipped == (
        f"各经办机构的地址、电话和办公时间，请咨询{window}。",
    )  # one line, not eight
    assert not any(ch.isdigit() for line in shipped for ch in line), "no number is invented"
    partial = tmp_path / "contacts.toml"
    partial.write_text(
        '[[offices]]\noffice = "window"\nname_zh = "窗口"\nrole_zh = "综合受理"\n'
        'address = "测试路1号"\n',
        encoding="utf-8",
    )
    (line,) = region_texts(ZH, contacts_file=partial).contacts
    assert line == "窗口（综合受理）：地址 测试路1号；电话 请咨询窗口；办公时间 请咨询窗口"
