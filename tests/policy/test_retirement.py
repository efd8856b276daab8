"""Statutory retirement age and month, minimum contribution, flexible window (POLICY §1–§5)."""

import dataclasses
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locales import catalog
from policy.retirement import (
    CATEGORIES,
    REFORM_START,
    NeedsPerson,
    YearMonth,
    assess,
    flexible_window,
    min_contribution_months,
    pension_divisor,
    special_route,
    statutory_age,
    statutory_retirement_month,
)


def ym(text: str) -> YearMonth:
    return YearMonth.parse(text)


def born(text: str, day: int = 15) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), day)


# Every example of POLICY §1, plus the first delayed month and the cap of each category.
STATUTORY = [
    # category, birth month, age (years, months), retirement month
    ("male", "1950-06", (60, 0), "2010-06"),
    ("male", "1964-12", (60, 0), "2024-12"),
    ("male", "1965-01", (60, 1), "2025-02"),
    ("male", "1965-04", (60, 1), "2025-05"),
    ("male", "1965-05", (60, 2), "2025-07"),
    ("male", "1966-01", (60, 4), "2026-05"),
    ("male", "1970-05", (61, 5), "2031-10"),
    ("male", "1976-08", (62, 11), "2039-07"),
    ("male", "1976-09", (63, 0), "2039-09"),
    ("male", "1990-01", (63, 0), "2053-01"),
    ("female_cadre", "1969-12", (55, 0), "2024-12"),
    ("female_cadre", "1970-01", (55, 1), "2025-02"),
    ("female_cadre", "1970-05", (55, 2), "2025-07"),
    ("female_cadre", "1981-08", (57, 11), "2039-07"),
    ("female_cadre", "1981-09", (58, 0), "2039-09"),
    ("female_cadre", "1995-03", (58, 0), "2053-03"),
    ("female_worker", "1974-12", (50, 0), "2024-12"),
    ("female_worker", "1975-01", (50, 1), "2025-02"),
    ("female_worker", "1975-02", (50, 1), "2025-03"),
    ("female_worker", "1975-03", (50, 2), "2025-05"),
    ("female_worker", "1984-10", (54, 11), "2039-09"),
    ("female_worker", "1984-11", (55, 0), "2039-11"),
    ("female_worker", "1999-07", (55, 0), "2054-07"),
]


@pytest.mark.parametrize(("category", "birth", "age", "month"), STATUTORY)
def test_statutory_age_and_month_match_the_policy_examples(category, birth, age, month):
    for day in (1, 15, 31 if birth.endswith(("-01", "-05", "-08", "-10", "-12")) else 28):
        assert statutory_age(category, born(birth, day)) == age
        assert statutory_retirement_month(category, born(birth, day)) == ym(month)


def test_no_man_reaches_statutory_age_in_2025_01_or_2025_06():
    months = {
        str(statutory_retirement_month("male", YearMonth(year, month)))
        for year in range(1963, 1968)
        for month in range(1, 13)
    }
    assert "2025-01" not in months and "2025-06" not in months
    assert {"2024-12", "2025-02", "2025-05", "2025-07"} <= months


@pytest.mark.parametrize(
    ("year", "months"),
    [
        (2024, 180),
        (2025, 180),
        (2029, 180),
        (2030, 186),
        (2031, 192),
        (2038, 234),
        (2039, 240),
        (2040, 240),
        (2060, 240),
    ],
)
def test_minimum_contribution_by_year_of_the_statutory_month(year, months):
    assert min_contribution_months(year) == months


def test_minimum_contribution_follows_the_statutory_month_not_today():
    # Man born 1969-01: 61y1m, statutory 2030-02, so 15.5 years even when asked in 2026.
    result = assess("male", born("1969-01"), date(2026, 11, 26))
    assert result.statutory_retirement_month == ym("2030-02")
    assert result.min_contribution_months == 186


@pytest.mark.parametrize(
    ("category", "birth", "earliest", "latest"),
    [
        ("male", "1970-05", "2030-05", "2034-10"),  # POLICY §3 example
        ("male", "1965-01", "2025-01", "2028-02"),  # never below 60, nor before the reform
        ("male", "1965-05", "2025-05", "2028-07"),
        ("male", "1976-09", "2036-09", "2042-09"),  # 63: three full years early
        ("female_cadre", "1981-09", "2036-09", "2042-09"),
        ("female_worker", "1984-11", "2036-11", "2042-11"),
        ("female_worker", "1975-03", "2025-03", "2028-05"),
    ],
)
def test_flexible_window(category, birth, earliest, latest):
    assert flexible_window(category, born(birth)) == (ym(earliest), ym(latest))


@pytest.mark.parametrize(
    ("category", "birth"),
    [("male", "1964-05"), ("male", "1964-12"), ("female_worker", "1974-12")],
)
def test_who_reached_the_date_before_the_2025_reform_has_no_flexible_window(category, birth):
    """Flexible retirement exists from 2025-01-01 (issue: a man born 1964-05 was shown
    "2024-05 至 2027-05"): they are past their date and may apply now."""
    assert flexible_window(category, born(birth)) is None
    result = assess(category, born(birth), date(2026, 12, 2))
    assert result.earliest_flexible_month is None and result.latest_flexible_month is None
    assert result.reached_statutory_age and "reached_before_reform" in result.notes
    assert "past_latest_flexible_month" not in result.notes


@pytest.mark.parametrize(
    ("today", "reached", "left"),
    [
        (date(2024, 12, 31), False, 2),
        (date(2025, 1, 31), False, 1),
        (date(2025, 2, 1), True, 0),  # the statutory month itself counts as reached
        (date(2025, 2, 28), True, 0),
        (date(2030, 1, 1), True, 0),
    ],
)
def test_reached_means_todays_month_is_the_statutory_month_or_later(today, reached, left):
    # Man born 1965-01-31: statutory month 2025-02 even though his 60y1m birthday is 2025-02-28.
    result = assess("male", date(1965, 1, 31), today)
    assert result.statutory_retirement_month == ym("2025-02")
    assert result.reached_statutory_age is reached
    assert result.months_until_statutory == left


def test_contribution_shortfall_is_told_in_months():
    today = date(2026, 11, 26)
    assert assess("male", born("1966-01"), today).contribution_shortfall_months is None
    short = assess("male", born("1966-01"), today, contribution_months=170)
    assert short.contribution_shortfall_months == 10
    assert "contribution_short" in short.notes
    enough = assess("male", born("1966-01"), today, contribution_months=180)
    assert enough.contribution_shortfall_months == 0
    assert "contribution_short" not in enough.notes
    later = assess("male", born("1976-09"), today, contribution_months=200)
    assert later.contribution_shortfall_months == 40  # 2039: 20 years
    with pytest.raises(ValueError):
        assess("male", born("1966-01"), today, contribution_months=-1)


def test_notes_say_the_birth_date_is_provisional_and_a_womans_post_is_confirmed():
    today = date(2026, 11, 26)
    assert assess("male", born("1966-01"), today).notes == ("birth_date_provisional",)
    woman = assess("female_worker", born("1976-01"), today)
    assert woman.notes == ("birth_date_provisional", "female_category_to_confirm")
    late = assess("male", born("1965-05"), date(2029, 1, 1))  # latest flexible month 2028-07
    assert "past_latest_flexible_month" in late.notes
    old = assess("male", born("1950-01"), today)  # 60 in 2010: before the reform
    assert "reached_before_reform" in old.notes and "past_latest_flexible_month" not in old.notes
    notes = ("contribution_short", "past_latest_flexible_month", "reached_before_reform")
    for note in (*notes, *woman.notes):
        assert f"retirement.note.{note}" in catalog("zh_CN")


def test_assessment_dict_has_the_precheck_fields():
    outcome = assess("male", born("1970-05"), date(2026, 11, 26), 100).to_dict()
    assert outcome == {
        "category": "male",
        "statutory_age": {"years": 61, "months": 5},
        "statutory_retirement_month": "2031-10",
        "min_contribution_months": 192,
        "earliest_flexible_month": "2030-05",
        "latest_flexible_month": "2034-10",
        "reached_statutory_age": False,
        "months_until_statutory": 59,
        "contribution_shortfall_months": 92,
        "notes": ["birth_date_provisional", "contribution_short"],
    }


@pytest.mark.parametrize("route", ["illness_disability", "special_work_type"])
def test_special_routes_need_a_person_and_never_carry_a_date(route):
    result = special_route(route)
    assert isinstance(result, NeedsPerson)
    assert result.needs_person
    assert result.explanation_key in catalog("zh_CN")
    assert result.explanation_key in catalog("en")
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        assert not isinstance(value, date | YearMonth)
        assert "date" not in field.name and "month" not in field.name


def test_illness_route_collects_the_appraisal_if_there_is_one():
    assert special_route("illness_disability").collect_if_available == (
        "labour_capacity_appraisal",
    )
    with pytest.raises(ValueError):
        special_route("early")  # type: ignore[arg-type]


def test_unknown_category_is_refused():
    with pytest.raises(ValueError):
        statutory_age("female", born("1970-01"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("years", "months", "divisor"),
    [
        (50, 0, 195),
        (50, 1, 194.6),  # the official reply POLICY §5 cites
        (55, 0, 170),
        (53, 0, 180),
        (56, 0, 164),
        (57, 0, 158),
        (58, 0, 152),
        (58, 6, 148.5),
        (59, 0, 145),
        (60, 0, 139),
        (60, 1, 138.4),  # the official reply POLICY §5 cites
        (61, 0, 132),
        (61, 6, 128.5),
        (62, 0, 125),
        (63, 0, 117),
    ],
)
def test_pension_divisor_interpolates_between_whole_ages(years, months, divisor):
    assert pension_divisor(years, months) == divisor


def test_pension_divisor_outside_the_table_is_refused():
    for years, months in ((49, 11), (63, 1), (60, 12)):
        with pytest.raises(ValueError):
            pension_divisor(years, months)


def test_year_month_arithmetic_and_order():
    assert str(YearMonth(2025, 2)) == "2025-02"
    assert YearMonth(2024, 12).add_months(1) == YearMonth(2025, 1)
    assert YearMonth(2025, 1).add_months(-1) == YearMonth(2024, 12)
    assert YearMonth(2025, 1).add_months(36) == YearMonth(2028, 1)
    assert YearMonth(2024, 12) < YearMonth(2025, 1) < YearMonth(2025, 2)
    assert YearMonth(2025, 2).months_until(YearMonth(2026, 5)) == 15
    with pytest.raises(ValueError):
        YearMonth(2025, 13)


birth_months = st.integers(min_value=1900 * 12, max_value=2010 * 12).map(YearMonth.from_index)


@settings(deadline=None)  # shared CPUs: no per-example time limit
@given(st.sampled_from(CATEGORIES), birth_months)
def test_retirement_month_never_decreases_as_birth_month_increases(category, birth):
    later = birth.add_months(1)
    assert statutory_retirement_month(category, later) >= statutory_retirement_month(
        category, birth
    )
    window, next_window = flexible_window(category, birth), flexible_window(category, later)
    if window is None:  # reached before the reform: a later birth may have a window or not
        return
    assert next_window is not None  # once a window exists, later births have one too
    assert next_window[0] >= window[0] and next_window[1] >= window[1]


@settings(deadline=None)  # shared CPUs: no per-example time limit
@given(st.sampled_from(CATEGORIES), birth_months)
def test_statutory_age_stays_between_old_age_and_cap(category, birth):
    low, high = {"male": (60, 63), "female_cadre": (55, 58), "female_worker": (50, 55)}[category]
    years, months = statutory_age(category, birth)
    assert low * 12 <= years * 12 + months <= high * 12
    window = flexible_window(category, birth)
    statutory = statutory_retirement_month(category, birth)
    if window is None:
        assert statutory < REFORM_START
        return
    earliest, latest = window
    assert REFORM_START <= earliest <= statutory <= latest
    assert statutory.months_until(latest) == 36
    assert 0 <= earliest.months_until(statutory) <= 36
    assert birth.months_until(earliest) >= low * 12
