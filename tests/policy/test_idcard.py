"""Resident identity numbers, GB 11643-1999 (POLICY §6)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locales import catalog
from policy.idcard import IdNumber, IdNumberError, check_character, parse_id_number

TODAY = date(2026, 11, 26)
STANDARD_EXAMPLE = "11010519491231002X"  # the standard's own example


def oracle_check(first17: str) -> str:
    """The standard's definition, written out independently of the module's fast version."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(first17[i]) * weights[i] for i in range(17))
    return "10X98765432"[total % 11]


def make_number(region: str, birth: date, sequence: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + oracle_check(first17)


def code_of(raw: str, today: date = TODAY) -> str:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw, today)
    return caught.value.code


def test_the_standards_own_example_is_valid():
    number = parse_id_number(STANDARD_EXAMPLE, TODAY)
    assert number.number == STANDARD_EXAMPLE
    assert number.birth_date == date(1949, 12, 31)
    assert number.sex == "female"  # 17th digit 2 is even
    assert number.region_code == "110105"
    assert number.masked == "1101**********002X"
    assert not number.converted_from_15
    assert check_character("11010519491231002") == "X"


def test_a_man_from_ejin_horo_banner():
    raw = make_number("150627", date(1965, 5, 12), 123)
    number = parse_id_number(raw, TODAY)
    assert number.sex == "male"
    assert number.region_code == "150627"
    assert number.masked == f"1506{'*' * 10}{raw[-4:]}"


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",  # lower-case x
        "110105 19491231 002X",  # spaces between groups
        " 11010519491231002X\t",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
        "１１０１０５１９４９１２３１００２ｘ",
        "110105\u300019491231\u3000002X",  # ideographic spaces
    ],
)
def test_typing_variants_are_normalised(typed):
    assert parse_id_number(typed, TODAY).number == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u3000", "empty"),
        ("1101051949123100", "bad_length"),  # 16
        ("11010519491231002", "bad_length"),  # 17
        ("11010519491231002XX", "bad_characters"),  # X not last
        ("110105194912310021X", "bad_length"),  # 19 with X last
        ("1101051949123100211", "bad_length"),  # 19
        ("1" * 65, "bad_length"),  # a pasted paragraph is refused before any work
        ("11010519491231002A", "bad_characters"),
        ("X1010519491231002X", "bad_characters"),
        ("1101051949123100X", "bad_length"),  # 17 with X last
        ("1' OR '1'='1", "bad_characters"),
        ("'; DROP TABLE cases;--", "bad_characters"),
        ("11010519491331002X", "bad_birth_date"),  # month 13
        ("110105194902300021", "bad_birth_date"),  # 30 February
        ("110105189912310021", "bad_birth_date"),  # before 1900
        ("110105000012310021", "bad_birth_date"),
        ("110105202612310021", "future_birth_date"),
        ("110105194912310021", "bad_check_character"),
        ("11010549123100X", "bad_characters"),  # 15 digits carry no X
        ("110105491331002", "bad_birth_date"),  # 15 digits, month 13
    ],
)
def test_each_failure_has_a_stable_code(raw, code):
    assert code_of(raw) == code


def test_birth_today_is_not_in_the_future_but_tomorrow_is():
    raw = make_number("150627", TODAY, 1)
    assert parse_id_number(raw, TODAY).birth_date == TODAY
    assert code_of(raw, today=date(2026, 11, 25)) == "future_birth_date"


def test_29_february_exists_only_in_leap_years():
    assert parse_id_number(make_number("150627", date(1964, 2, 29), 11), TODAY)
    first17 = "15062719650229011"
    assert code_of(first17 + oracle_check(first17)) == "bad_birth_date"


def test_a_15_digit_number_is_converted_with_a_note():
    """Choice: convert (the standard defines it) rather than send an old person for a new card."""
    number = parse_id_number("110105491231002", TODAY)
    assert number.converted_from_15
    assert number.number == STANDARD_EXAMPLE
    assert number.birth_date == date(1949, 12, 31)
    assert number.masked == "1101**********002X"
    assert "15位" in catalog("zh_CN")["idcard.converted_from_15"]


def test_errors_carry_a_key_with_a_chinese_message_in_the_catalog():
    with pytest.raises(IdNumberError) as caught:
        parse_id_number("110105194912310021", TODAY)
    error = caught.value
    assert error.key == "idcard.bad_check_character"
    assert "校验" in catalog("zh_CN")[error.key]
    assert str(error) == error.key


@pytest.mark.parametrize(
    "code",
    [
        "empty",
        "bad_length",
        "bad_characters",
        "bad_birth_date",
        "future_birth_date",
        "bad_check_character",
        "converted_from_15",
    ],
)
def test_every_code_has_a_message_in_both_languages(code):
    for language in ("zh_CN", "en"):
        assert catalog(language)[f"idcard.{code}"]


def test_the_number_never_shows_in_repr_str_or_errors():
    number = parse_id_number(STANDARD_EXAMPLE, TODAY)
    for shown in (repr(number), str(number), f"{number}", f"{number!r}", repr([number])):
        assert STANDARD_EXAMPLE not in shown
        assert "1101**********002X" in shown
    with pytest.raises(IdNumberError) as caught:
        parse_id_number("110105194912310021", TODAY)
    for shown in (repr(caught.value), str(caught.value)):
        assert "110105194912310021" not in shown
    assert caught.value.masked == "1101**********0021"


def test_id_number_is_immutable():
    number = parse_id_number(STANDARD_EXAMPLE, TODAY)
    with pytest.raises(AttributeError):
        number.number = "x"  # type: ignore[misc]
    assert isinstance(number, IdNumber)


def test_check_character_refuses_anything_but_17_digits():
    for bad in ("", "1101051949123100", "1101051949123100X", "110105194912310021"):
        with pytest.raises(ValueError):
            check_character(bad)


valid_parts = st.tuples(
    st.from_regex(r"\A[1-8][0-9]{5}\Z"),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)


@settings(deadline=None)  # shared CPUs: no per-example time limit
@given(valid_parts)
def test_a_valid_number_round_trips(parts):
    region, birth, sequence = parts
    raw = make_number(region, birth, sequence)
    assert check_character(raw[:17]) == raw[17]
    number = parse_id_number(raw, TODAY)
    assert number.number == raw
    assert number.birth_date == birth
    assert number.region_code == region
    assert number.sex == ("male" if sequence % 2 else "female")
    assert parse_id_number(raw.lower(), TODAY) == number


@settings(deadline=None)  # shared CPUs: no per-example time limit
@given(valid_parts, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_changing_any_one_digit_breaks_the_number(parts, position, shift):
    raw = make_number(*parts)
    digit = str((int(raw[position]) + shift) % 10)
    changed = raw[:position] + digit + raw[position + 1 :]
    # mod 11 with weights never 0 mod 11: every single substitution changes the check.
    assert check_character(changed[:17]) != raw[17]
    with pytest.raises(IdNumberError):
        parse_id_number(changed, TODAY)


@settings(deadline=None)  # shared CPUs: no per-example time limit
@given(valid_parts, st.sampled_from("0123456789X"))
def test_a_wrong_check_character_is_refused(parts, other):
    raw = make_number(*parts)
    if other != raw[17]:
        assert code_of(raw[:17] + other) == "bad_check_character"


@settings(deadline=None)  # shared CPUs: no per-example time limit
@given(st.text(max_size=40))
def test_any_text_is_either_a_number_or_a_coded_error(text):
    try:
        number = parse_id_number(text, TODAY)
    except IdNumberError as error:
        assert error.key in catalog("zh_CN")
    else:
        assert len(number.number) == 18
