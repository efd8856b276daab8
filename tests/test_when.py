"""Issue 13: dates and durations as people read them: 2025年4月, 还有5年1个月, never 2025-04 or
61个月 (locales/when.py), in every text that shows one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from dialogs.engine import handle
from dialogs.events import Choice, Text
from dialogs.state import Context, ConversationData
from integrations.platform.labels import local
from locales import Translator, when
from locales.replies import Msg, render

ZH, EN = Translator("zh_CN"), Translator("en")
CHINA = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("months", "zh", "en"),
    [
        (61, "5年1个月", "5 yr 1 mo"),
        (60, "5年", "5 yr"),
        (7, "7个月", "7 mo"),
        (0, "0个月", "0 mo"),
        (183, "15年3个月", "15 yr 3 mo"),
        (-3, "0个月", "0 mo"),  # a month already past is no negative wait
    ],
)
def test_a_duration_reads_in_years_and_months(months, zh, en):
    assert when.text(ZH, when.duration(months)) == zh
    assert when.text(EN, when.duration(months)) == en


@pytest.mark.parametrize(
    ("value", "zh"),
    [("2025-04", "2025年4月"), ("2031-10", "2031年10月"), ("2025-4", "2025年4月")],
)
def test_a_month_reads_as_people_write_it(value, zh):
    assert when.text(ZH, when.month(value)) == zh


def test_a_day_and_a_moment():
    assert when.text(ZH, when.day(date(2031, 7, 3))) == "2031年7月3日"
    assert when.text(EN, when.day(date(2031, 7, 3))) == "2031-07-03"
    at = datetime(2026, 5, 11, 10, 0, tzinfo=UTC)
    assert when.staff_moment(at, CHINA) == "2026年5月11日 18:00"
    assert local(at) == "2026年5月11日 18:00"  # what the staff console shows
    assert when.staff_moment(None, CHINA) == "-"


def test_an_age_has_no_zero_months():
    assert when.text(ZH, when.age(60, 0)) == "60岁"
    assert when.text(ZH, when.age(61, 5)) == "61岁5个月"


def test_a_month_that_is_no_month_is_refused():
    with pytest.raises(ValueError):
        when.month("April")


def _verdict(birth: str, months: int) -> str:
    ident = {"masked": "150627********0011", "birth_date": birth, "sex": "male"}
    answers = {"language": "zh_CN", "consent": "v", "name": "张建国", "id_number": ident}
    answers |= {"phone": "138****2345", "category": "male", "retirement_type": "normal"}
    data = ConversationData(state="ask_contribution", language="zh_CN", answers=answers)
    out = handle(data, Text(f"{months // 12}年"), Context(today=date(2026, 11, 26)))
    return "\n".join(render(r.message, ZH) for r in out.replies)


def test_the_verdict_says_the_month_and_the_wait_in_words():
    text = _verdict("1970-05-20", 216)  # POLICY §3's example: statutory 2031-10
    assert "法定退休时间为2031年10月，还有4年11个月" in text
    assert "61岁5个月" in text
    assert "2031-10" not in text and "59个月" not in text


def test_the_verdict_of_a_round_age_has_no_zero_months():
    text = _verdict("1964-11-15", 240)  # 60 years and 4 months: reached in 2025-03
    assert "0个月" not in text and "-0" not in text


def test_the_reminder_day_in_words():
    ident = {"masked": "150627********0011", "birth_date": "1970-05-20", "sex": "male"}
    answers = {"language": "zh_CN", "consent": "v", "name": "张建国", "id_number": ident}
    answers |= {"phone": "1", "category": "male", "contribution_months": 216}
    data = ConversationData(state="not_yet_eligible", language="zh_CN", answers=answers)
    out = handle(data, Choice("yes", "ask_reminder"), Context(today=date(2026, 11, 26)))
    text = "\n".join(render(r.message, ZH) for r in out.replies)
    assert "2031年7月3日" in text


def test_an_office_month_count_reads_in_years_and_months_for_the_worker_and_the_clerk():
    assert render(Msg("platform.medical_paid_up", {"months": Msg(*when.duration(183))}), ZH) == (
        "医保退休手续已办结：您的医保缴费共15年3个月，无需补缴。"
    )
    assert when.counted_months(ZH, 183) == "15年3个月（183个月）"


SENT = datetime(2026, 12, 3, 9, 12, tzinfo=CHINA)  # a push sent on 12月3日


@pytest.mark.parametrize(
    ("due", "zh"),
    [
        (datetime(2026, 12, 3, 16, 8, tzinfo=CHINA), "今天16:08前"),
        (datetime(2026, 12, 4, 9, 30, tzinfo=CHINA), "明天09:30前"),
        (datetime(2026, 12, 10, 18, 0, tzinfo=CHINA), "12月10日（含）前"),  # the whole day
        (datetime(2026, 12, 10, 15, 30, tzinfo=CHINA), "12月10日15:30前"),
        (datetime(2027, 1, 5, 18, 0, tzinfo=CHINA), "2027年1月5日（含）前"),
        (datetime(2027, 1, 5, 11, 0, tzinfo=CHINA), "2027年1月5日11:00前"),
    ],
)
def test_a_deadline_says_today_tomorrow_or_the_day_and_never_a_wrong_day(due, zh):
    assert when.text(ZH, when.deadline(due, SENT)) == zh
    assert "{" not in when.text(EN, when.deadline(due, SENT))
