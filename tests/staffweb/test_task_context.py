"""The clerk's task list says where a hand-over was asked and the worker's words, in Chinese
(issue 13): never a key."""

from __future__ import annotations

import pytest

from integrations.platform.labels import Labels
from locales import Translator

L = Labels(Translator("zh_CN"))


@pytest.mark.parametrize(
    ("detail", "shown"),
    [
        (
            {
                "reason": "asked",
                "question": "ask_id_number",
                "stage": "before_submission",
                "words": "转人工",
            },
            "提交前，在“身份证号”一步：“转人工”",
        ),
        (
            {"reason": "asked", "question": "ask_upload_id_card", "stage": "upload"},
            "上传材料时，在“身份证”一步",
        ),
        (
            {
                "reason": "asked",
                "question": None,
                "stage": "after_submission",
                "words": "养老金怎么算的",
            },
            "已提交后：“养老金怎么算的”",
        ),
        ({"stage": "signing", "question": "我觉得少了"}, "签字确认时：“我觉得少了”"),
        ({"reason": "illness_disability", "question": "ask_retirement_type"}, ""),
    ],
)
def test_where_and_what_the_worker_said(detail: dict, shown: str) -> None:
    assert L.task_context(detail) == shown
