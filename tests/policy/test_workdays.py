"""Working days on the Chinese calendar (POLICY §7) and the office-hours clock."""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.workdays import (
    CalendarGap,
    OfficeHours,
    add_working_days,
    calendar_gaps,
    deadline_in_office_hours,
    has_official_data,
    is_working_day,
    load_calendar,
    working_days_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def d(text: str) -> date:
    return date.fromisoformat(text)


def at(text: str) -> datetime:
    """An office-local (Beijing time) moment."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def days(start: str, end: str) -> list[date]:
    first, last = d(start), d(end)
    return [first + timedelta(n) for n in range((last - first).days + 1)]


# --- the 2026 arrangement of the State Council (notice of 2025-11-04) ---

HOLIDAYS_2026 = [
    ("2026-01-01", "2026-01-03"),
    ("2026-02-15", "2026-02-23"),
    ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"),
    ("2026-06-19", "2026-06-21"),
    ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
]
MAKE_UP_DAYS_2026 = [
    "2026-01-04",
    "2026-02-14",
    "2026-02-28",
    "2026-05-09",
    "2026-09-20",
    "2026-10-10",
]


def test_2026_has_248_working_days():
    """The package carries the 2026 arrangement: 248 working days, as POLICY §7 says."""
    assert has_official_data(2026)
    assert sum(is_working_day(day) for day in days("2026-01-01", "2026-12-31")) == 248
    assert working_days_between(d("2025-12-31"), d("2026-12-31")) == 248


@pytest.mark.parametrize(("first", "last"), HOLIDAYS_2026)
def test_every_2026_holiday_is_a_day_off(first, last):
    assert not any(is_working_day(day) for day in days(first, last))


@pytest.mark.parametrize("make_up", MAKE_UP_DAYS_2026)
def test_2026_make_up_days_are_weekend_days_worked(make_up):
    assert d(make_up).weekday() >= 5, "a make-up working day falls on a weekend"
    assert is_working_day(d(make_up))


def test_an_ordinary_week_works_monday_to_friday():
    week = days("2026-11-23", "2026-11-29")
    assert [is_working_day(day) for day in week] == [True] * 5 + [False] * 2


def test_a_datetime_is_judged_by_its_date():
    assert is_working_day(datetime(2026, 10, 10, 9, 0))
    assert not is_working_day(datetime(2026, 10, 1, 9, 0))


# --- adding working days ---


@pytest.mark.parametrize(
    ("start", "due"),
    [
        ("2026-09-28", "2026-10-10"),  # National Day, then the make-up Saturday counts
        ("2026-09-30", "2026-10-13"),
        ("2026-02-12", "2026-02-26"),  # Spring Festival with a make-up Saturday before it
    ],
)
def test_policy_examples_of_five_working_days(start, due):
    assert add_working_days(d(start), 5) == d(due)
    assert working_days_between(d(start), d(due)) == 5


def test_counting_starts_on_the_next_day():
    # Friday 2026-11-27: one working day later is Monday, not Friday itself.
    assert add_working_days(d("2026-11-27"), 1) == d("2026-11-30")
    assert add_working_days(d("2026-11-27"), 0) == d("2026-11-27")


def test_counting_backwards():
    assert add_working_days(d("2026-10-08"), -1) == d("2026-09-30")
    assert working_days_between(d("2026-10-08"), d("2026-09-30")) == -1


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 11, 30)), st.integers(0, 20))
def test_working_days_between_undoes_add_working_days(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


# --- years without official data ---


def test_2027_has_no_official_data_and_is_flagged():
    """Without a published 2027 arrangement the package refuses; we count weekdays and say so."""
    assert not has_official_data(2027)
    assert calendar_gaps(d("2026-12-28"), d("2027-01-08")) == (CalendarGap(2027),)
    assert calendar_gaps(d("2026-12-01"), d("2026-12-31")) == ()
    assert is_working_day(d("2027-01-04"))  # a Monday
    assert not is_working_day(d("2027-01-09"))  # a Saturday
    # Across the year end the count goes on, estimated; New Year's Day (a Friday) is off.
    assert add_working_days(d("2026-12-30"), 5) == d("2027-01-07")


@pytest.mark.parametrize("holiday", ["2027-01-01", "2027-10-01", "2028-05-01", "2028-05-02"])
def test_estimated_years_keep_the_fixed_date_public_holidays(holiday):
    """Without a notice, the fixed-date holidays of the 放假办法 are still days off."""
    assert d(holiday).weekday() < 5
    assert not is_working_day(d(holiday))


def test_estimated_years_do_not_guess_substitute_days():
    # 1-2 May 2027 fall on a weekend; only the notice could move them, so Monday 3 May works.
    assert is_working_day(d("2027-05-03"))


def test_gap_note_has_a_message_in_every_language():
    from locales import Translator

    gap = CalendarGap(2027)
    for language in ("zh_CN", "en"):
        text = Translator(language)(gap.note_key, **gap.params)
        assert "2027" in text


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "override.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_operator_override_makes_a_year_official(tmp_path):
    calendar = load_calendar(
        write(
            tmp_path,
            """
            [2027]
            official = true
            source = "test arrangement"
            holidays = ["2027-01-01"]
            workdays = ["2027-01-09"]
            """,
        )
    )
    assert calendar.has_official_data(2027)
    assert calendar.gaps(d("2027-01-01"), d("2027-12-31")) == ()
    assert not calendar.is_working_day(d("2027-01-01"))  # a Friday holiday
    assert calendar.is_working_day(d("2027-01-09"))  # a Saturday make-up day
    assert calendar.is_working_day(d("2027-01-08"))  # unlisted weekday: works
    assert calendar.add_working_days(d("2026-12-31"), 1) == d("2027-01-04")


def test_provisional_override_is_used_but_still_flagged(tmp_path):
    calendar = load_calendar(
        write(tmp_path, '[2027]\nofficial = false\nholidays = ["2027-02-08"]\n')
    )
    assert not calendar.is_working_day(d("2027-02-08"))
    assert calendar.gaps(d("2027-02-08"), d("2027-02-08")) == (CalendarGap(2027),)


def test_override_corrects_a_day_of_a_covered_year(tmp_path):
    calendar = load_calendar(write(tmp_path, '[2026]\nholidays = ["2026-12-31"]\n'))
    assert calendar.has_official_data(2026)
    assert not calendar.is_working_day(d("2026-12-31"))
    assert calendar.is_working_day(d("2026-12-30"))
    assert is_working_day(d("2026-12-31")), "the default calendar is not changed"


@pytest.mark.parametrize(
    "text",
    [
        '[2027]\nholidays = ["2026-10-01"]\n',  # a date under the wrong year
        '[2027]\nholidays = ["2027-01-09"]\nworkdays = ["2027-01-09"]\n',  # both
        "[year2027]\nholidays = []\n",  # not a year
        '[2027]\nholidays = "2027-01-01"\n',  # not a list
    ],
)
def test_malformed_override_is_refused(tmp_path, text):
    with pytest.raises(ValueError):
        load_calendar(write(tmp_path, text))


def test_shipped_override_file_is_valid():
    assert load_calendar().has_official_data(2026)


# --- the 2-hour clock in office hours ---


@pytest.mark.parametrize(
    ("start", "due"),
    [
        ("2026-11-25 09:00", "2026-11-25 11:00"),  # inside the morning
        ("2026-11-25 11:00", "2026-11-25 15:30"),  # across lunch
        ("2026-11-25 12:30", "2026-11-25 16:30"),  # accepted during lunch
        ("2026-11-25 10:00", "2026-11-25 12:00"),  # ends exactly at noon, not at 14:30
        ("2026-11-25 07:00", "2026-11-25 10:30"),  # before opening
        ("2026-11-25 19:00", "2026-11-26 10:30"),  # evening: next morning
        ("2026-11-27 17:30", "2026-11-30 10:00"),  # Friday evening: Monday 10:00
        ("2026-11-28 10:00", "2026-11-30 10:30"),  # Saturday: Monday
        ("2026-09-30 17:00", "2026-10-08 09:30"),  # National Day holiday skipped
        ("2026-10-09 17:00", "2026-10-10 09:30"),  # make-up Saturday counts
        ("2026-02-13 17:00", "2026-02-14 09:30"),  # Spring Festival make-up Saturday
        ("2026-12-31 17:00", "2027-01-04 09:30"),  # into 2027: estimated, 1 January off
    ],
)
def test_two_hour_deadline(start, due):
    assert deadline_in_office_hours(at(start), 2) == at(due)


def test_deadline_accepts_other_time_zones_and_answers_in_beijing_time():
    friday_evening_utc = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)  # 17:30 in Beijing
    due = deadline_in_office_hours(friday_evening_utc, 2)
    assert due == at("2026-11-30 10:00")
    assert due.utcoffset() == timedelta(hours=8)


def test_naive_start_is_office_local_time():
    assert deadline_in_office_hours(datetime(2026, 11, 27, 17, 30), 2) == at("2026-11-30 10:00")


def test_office_hours_are_configurable():
    one_period = OfficeHours.from_strings([("09:00", "17:00")])
    assert deadline_in_office_hours(at("2026-11-25 16:00"), 2, one_period) == at(
        "2026-11-26 10:00"
    )
    assert deadline_in_office_hours(at("2026-11-25 12:30"), 2, one_period) == at(
        "2026-11-25 14:30"
    )


def test_settings_strings_give_the_default_office_hours():
    assert OfficeHours.from_strings([("08:30", "12:00"), ("14:30", "18:00")]) == OfficeHours()


@pytest.mark.parametrize(
    "periods",
    [
        (),
        ((time(12), time(8, 30)),),
        ((time(8, 30), time(12)), (time(11), time(18))),
    ],
)
def test_bad_office_hours_are_refused(periods):
    with pytest.raises(ValueError):
        OfficeHours(periods=periods)


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValueError):
        OfficeHours(timezone="Asia/Ordos")


def test_zero_hours_is_the_next_office_moment_and_negative_is_refused():
    assert deadline_in_office_hours(at("2026-11-27 19:00"), 0) == at("2026-11-30 08:30")
    with pytest.raises(ValueError):
        deadline_in_office_hours(at("2026-11-27 19:00"), -1)


def test_a_year_of_holidays_pushes_the_deadline_into_the_next_year(tmp_path):
    every_day = [str(day) for day in days("2027-01-01", "2027-12-31")]
    calendar = load_calendar(write(tmp_path, f"[2027]\nholidays = {every_day}\n"))
    assert calendar.deadline_in_office_hours(at("2027-01-01 09:00"), 1) == at("2028-01-03 09:30")
