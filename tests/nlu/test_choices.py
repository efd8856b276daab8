"""Typed answers map to the offered choices, and only to those."""

import pytest

from dialogs.choice_words import exact
from dialogs.nlu import interpret_choice

HANDBOOK = ("have", "lost")
YES_NO = ("yes", "no")
CONSENT = ("agree", "decline")
CATEGORY = ("male", "female_cadre", "female_worker")
UPLOAD = ("done", "lost", "later")
MORE_PAGES = ("done", "later")
REVIEW = ("submit", "edit")


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("有", HANDBOOK, "have"),
        ("有的", HANDBOOK, "have"),
        ("在", HANDBOOK, "have"),
        ("还在", HANDBOOK, "have"),
        ("有", YES_NO, "yes"),
        ("有的", YES_NO, "yes"),
        ("丢了", HANDBOOK, "lost"),
        ("找不到了", HANDBOOK, "lost"),
        ("遗失", HANDBOOK, "lost"),
        ("手册丢了", HANDBOOK, "lost"),
        ("没交过", YES_NO, "no"),
        ("没有", YES_NO, "no"),
        ("不是", YES_NO, "no"),
        ("否", YES_NO, "no"),
        ("我没交过养老保险", YES_NO, "no"),
        # Whether things match is asked at the archive-name question only (its own words):
        # anywhere else "一样" is no yes.
        ("一样", YES_NO, None),
        ("名字不一样", YES_NO, None),
        ("一致", YES_NO, None),
        ("是", YES_NO, "yes"),
        ("是的", YES_NO, "yes"),
        ("是的！", YES_NO, "yes"),
        ("对", YES_NO, "yes"),
        ("嗯", YES_NO, "yes"),
        ("YES", YES_NO, "yes"),
        ("同意", CONSENT, "agree"),
        ("好的", CONSENT, "agree"),
        ("我同意。", CONSENT, "agree"),
        ("不同意", CONSENT, "decline"),
        ("拒绝", CONSENT, "decline"),
        ("男", CATEGORY, "male"),
        ("我是男的", CATEGORY, "male"),
        ("干部", CATEGORY, "female_cadre"),
        ("管理岗", CATEGORY, "female_cadre"),
        ("技术岗", CATEGORY, "female_cadre"),
        ("工人", CATEGORY, "female_worker"),
        ("我是工人", CATEGORY, "female_worker"),
        ("以后再说", UPLOAD, "later"),
        ("稍后", UPLOAD, "later"),
        ("好了", MORE_PAGES, "done"),
        ("传完了", MORE_PAGES, "done"),
        ("没有了", MORE_PAGES, "done"),
        ("提交", REVIEW, "submit"),
        ("修改", REVIEW, "edit"),
        ("转人工", ("yes", "no", "person"), "person"),
        ("Talk to a person", ("done", "person"), "person"),
        ("I agree", CONSENT, "agree"),
        ("I don't know", ("yes", "no", "unknown"), "unknown"),
        ("中文", ("zh_CN", "en"), "zh_CN"),
        ("English", ("zh_CN", "en"), "en"),
    ],
)
def test_typed_answer_maps_to_the_offered_choice(text, choices, expected):
    assert interpret_choice(text, choices) == expected


@pytest.mark.parametrize(
    ("text", "choices"),
    [
        ("1", YES_NO),  # numbering is the channel's business
        ("2", CATEGORY),
        ("同意", HANDBOOK),  # not among the offered choices
        ("丢了", YES_NO),
        ("男", YES_NO),
        ("女", CATEGORY),  # a woman's category needs the post
        ("嗯", CONSENT),  # consent must be given in words, not a grunt
        ("没了", UPLOAD),  # lost or no more pages? ambiguous: ask again
        ("还没传完", MORE_PAGES),
        ("不知道", YES_NO),
        ("有没有", HANDBOOK),  # a question, not an answer
        ("社保卡要带吗", YES_NO),
        ("", YES_NO),
        ("有", ()),
    ],
)
def test_no_choice_when_the_answer_means_none_or_two_of_them(text, choices):
    assert interpret_choice(text, choices) is None


def test_only_offered_ids_are_ever_returned():
    words = [
        "有",
        "丢了",
        "没有",
        "是",
        "同意",
        "不同意",
        "男",
        "干部",
        "工人",
        "稍后",
        "好了",
        "提交",
        "修改",
        "没了",
        "不",
    ]
    offers = [YES_NO, HANDBOOK, CONSENT, CATEGORY, UPLOAD, MORE_PAGES, REVIEW, ("later",)]
    for offered in offers:
        for word in words:
            answer = interpret_choice(word, offered)
            assert answer is None or answer in offered, (word, offered, answer)


@pytest.mark.parametrize(
    ("question", "text"),
    [("ask_handbook", "手册在"), ("ask_handbook", "手册还在"), ("ask_receipts", "票据还在")],
)
def test_the_document_named_with_still_there_means_have(question: str, text: str) -> None:
    assert exact(text, question, HANDBOOK) == "have"


@pytest.mark.parametrize("text", ["没有", "没有了", "早没了", "不在了"])
@pytest.mark.parametrize("question", ["ask_handbook", "ask_receipts"])
def test_asked_whether_a_document_is_still_there_no_means_lost(question: str, text: str) -> None:
    assert exact(text, question, HANDBOOK) == "lost"


@pytest.mark.parametrize("text", ["拍好了", "传好了", "发完了", "都拍了", "好啦", "照片拍好了"])
def test_the_photos_taken_said_in_other_words_means_done(text: str) -> None:
    assert interpret_choice(text, UPLOAD) == "done"
