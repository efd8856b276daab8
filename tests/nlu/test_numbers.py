"""Numbers and contribution periods, in Chinese or Arabic numerals."""

import pytest

from dialogs.nlu import parse_contribution_months, parse_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("十五", 15),
        ("二十三", 23),
        ("一百", 100),
        ("15", 15),
        ("１５", 15),
        (" 15。", 15),
        ("十", 10),
        ("两", 2),
        ("零", 0),
        ("一百零五", 105),
        ("二百五", 250),
        ("一千二", 1200),
        ("一万", 10000),
        ("一九六五", 1965),
        ("1,200", 1200),
        ("", None),
        ("abc", None),
        ("15年", None),
        ("我有2个", None),
        ("十十", None),
        ("-3", None),
        ("1.5", None),
    ],
)
def test_parse_number(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("十五年", 180),
        ("15年零3个月", 183),
        ("15年3个月", 183),
        ("十五年零三个月", 183),
        ("180个月", 180),
        ("十五年半", 186),
        ("15.5年", 186),
        ("一年半", 18),
        ("半年", 6),
        ("交了15年", 180),
        ("大概十五年吧", 180),
        ("１５年", 180),
        ("15年多", 180),  # the whole years said
        ("20", 240),  # a bare small number is years
        ("180", 180),  # a bare large one is months
        ("15 years 3 months", 183),
        ("我1995年开始交的，交了15年", 180),  # a calendar year is not a period
        ("没交过", 0),
        ("不清楚", "unknown"),
        ("不知道", "unknown"),
        ("记不清了", "unknown"),
        ("not sure", "unknown"),
        ("", None),
        ("随便", None),
        ("asdf", None),
        ("2000年", None),
        ("100年", None),
        ("99999", None),
    ],
)
def test_parse_contribution_months(text, months):
    assert parse_contribution_months(text) == months
