"""The one application form, pre-filled from the answers."""

from __future__ import annotations

from datetime import date

from documents.application_form import FormInput, render_application_form
from locales import Translator
from tests.documents.conftest import pdf_text

ZH = Translator("zh_CN")
ANSWERS = {
    "name": "李四",
    "sex": "female",
    "id_number": "1506**********2345",
    "category": "female_worker",
    "retirement_route": "statutory",
    "paid_before_1995_07": True,
    "handbook": "lost",
    "veteran": False,
}


def _form(**extra: object) -> FormInput:
    return FormInput(
        form={**ANSWERS, **extra},
        items=("企业职工基本养老保险待遇申领", "职工医保人员退休"),
        materials=("身份证", "社保卡"),
        dated=date(2026, 11, 26),
        case_number="YJ-20261126-0002",
    )


def test_the_form_is_prefilled_from_the_answers() -> None:
    text = pdf_text(render_application_form(_form(), ZH))
    for expected in (
        "申请表",
        "李四",
        "女职工（工人岗位）",
        "遗失（由社保中心查询底卡）",
        "√企业职工基本养老保险待遇申领",
        "□社保卡",
        "申请人（签字）",
        "YJ-20261126-0002",
    ):
        assert expected in text, expected


def test_stamp_box_only_when_there_is_an_insured_employer() -> None:
    without = pdf_text(render_application_form(_form(has_employer=False), ZH))
    assert "参保单位公章" not in without
    with_employer = pdf_text(
        render_application_form(_form(has_employer=True, employer_name="某煤业公司"), ZH)
    )
    assert "加盖参保单位公章" in with_employer and "某煤业公司" in with_employer
