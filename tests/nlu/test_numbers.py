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


# Answers as workers typed them at 缴费年限 (the words around the period, other numerals,
# English), each with the months it must read as.
TYPED = [
    ("缴了十五年", 180),
    ("交了二十三年", 276),
    ("十五年零六个月", 186),
    ("15年6个月", 186),
    ("二十年左右", 240),
    ("差不多20年", 240),
    ("十八年整", 216),
    ("十五周年", 180),
    ("十年半", 126),
    ("15年零", 180),
    ("贰拾年", 240),
    ("壹佰捌拾个月", 180),
    ("一共交了两百个月", 200),
    ("三百个月", 300),
    ("二十五", 300),
    ("二百四十", 240),
    ("15.5", 186),
    ("12.25", 147),
    ("15 yrs", 180),
    ("about 20 years", 240),
    ("2 years 6 months", 30),
    ("我也记不得了", "unknown"),
    ("忘了", "unknown"),
    ("从没交过", 0),
    ("一天没交", 0),
    ("零", 0),
]


@pytest.mark.parametrize(("text", "months"), TYPED)
def test_typed_contribution_answers(text, months):
    assert parse_contribution_months(text) == months


@pytest.mark.parametrize(
    ("text", "number"),
    [("三万五", 35000), ("一千零一", 1001), ("十万", 100000), ("一万二千", 12000), ("两千", 2000)],
)
def test_numbers_with_wan_and_thousands(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "months"),
    [("30多年", 360), ("二十多年", 240), ("交了十多年了", 120), ("20多个月", 20)],
)
def test_more_than_reads_as_the_whole_number_said(text, months):
    """ "二十多年" (twenty-odd years) is the whole years said, as "15年多" is."""
    assert parse_contribution_months(text) == months
