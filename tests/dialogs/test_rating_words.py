"""Issue 13: a rating typed in the worker's own words ("挺好的，满意") is read as the rating it
is; a negation is never read as what it negates, and words that rate nothing are no rating."""

import pytest

from dialogs.rating_words import comment, level


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("挺好的，满意", "satisfied"),
        ("满意", "satisfied"),
        ("挺满意的", "satisfied"),
        ("不错不错", "satisfied"),
        ("满意，就是慢了点", "satisfied"),
        ("👍", "satisfied"),
        ("非常满意", "very_satisfied"),
        ("很满意，谢谢你们", "very_satisfied"),
        ("太好了", "very_satisfied"),
        ("还行吧", "basically_satisfied"),
        ("一般般", "basically_satisfied"),
        ("基本满意", "basically_satisfied"),
        ("不满意", "dissatisfied"),
        ("不太满意", "dissatisfied"),
        ("太慢了，不满意", "dissatisfied"),
        ("非常不满意", "very_dissatisfied"),
        ("很差", "very_dissatisfied"),
        ("5", "very_satisfied"),
        ("１", "very_dissatisfied"),
        ("very satisfied", "very_satisfied"),
        ("not satisfied", "dissatisfied"),
        ("谢谢", None),
        ("好的", None),  # as often "OK, I read it" as a rating
        ("养老金怎么算的", None),
        ("", None),
        ("满意" * 30, None),  # a long message is a comment, not a rating
    ],
)
def test_a_rating_in_the_workers_own_words(text, rating):
    assert level(text) == rating


@pytest.mark.parametrize(
    ("text", "said_more"),
    [
        (
            "还行吧，就是补材料那块说得不清楚，不知道要补啥",
            "就是补材料那块说得不清楚，不知道要补啥",
        ),
        ("差评，还让我重新交申请表", "还让我重新交申请表"),
        ("满意，就是窗口态度不好", "就是窗口态度不好"),
        ("not satisfied, too slow", "too slow"),
        ("很满意，谢谢你们", ""),
        ("挺好的，满意", ""),
        ("一般般", ""),
        ("5", ""),
        ("养老金怎么算的", ""),  # no rating, so no comment either
    ],
)
def test_the_words_beyond_the_rating_are_the_comment(text, said_more):
    assert comment(text) == said_more


def test_the_first_part_that_rates_decides():
    assert level("满意，就是窗口态度不好") == "satisfied"
