"""The pre-check as data (issue 2 contract), and the batch fast path agreeing with it."""

import io
import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from commands.precheck import read_lines, render_text, result_texts, run_batch
from locales import Translator
from policy.idcard import check_character
from policy.precheck import precheck_fields, precheck_line, precheck_line_json

TODAY = date(2026, 11, 26)
TEXTS = result_texts()
CONTRACT_KEYS = {
    "valid",
    "error",
    "id_number_masked",
    "birth_date",
    "sex",
    "category",
    "statutory_age",
    "statutory_retirement_month",
    "min_contribution_months",
    "earliest_flexible_month",
    "latest_flexible_month",
    "reached_statutory_age",
    "months_until_statutory",
    "contribution_shortfall_months",
    "notes",
    "by_category",
    "advisory",
}


def number(birth: date, sequence: int, region: str = "150627") -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


MAN_1970_05 = number(date(1970, 5, 20), 111)
WOMAN_1975_03 = number(date(1975, 3, 8), 222)


def test_a_man_defaults_to_male_with_every_contract_field():
    result = precheck_fields(MAN_1970_05, None, "100", TODAY, TEXTS)
    assert set(result) == CONTRACT_KEYS
    assert result["valid"] is True and result["error"] is None
    assert result["id_number_masked"] == f"1506{'*' * 10}{MAN_1970_05[-4:]}"
    assert result["birth_date"] == "1970-05-20"
    assert result["sex"] == "male" and result["category"] == "male"
    assert result["statutory_age"] == {"years": 61, "months": 5}
    assert result["statutory_retirement_month"] == "2031-10"
    assert result["earliest_flexible_month"] == "2030-05"
    assert result["latest_flexible_month"] == "2034-10"
    assert result["min_contribution_months"] == 192
    assert result["reached_statutory_age"] is False
    assert result["months_until_statutory"] == 59
    assert result["contribution_shortfall_months"] == 92
    assert result["notes"] == ["birth_date_provisional", "contribution_short"]
    assert result["by_category"] is None
    assert "仅供参考" in result["advisory"]


def test_a_woman_without_category_gets_both_outcomes():
    result = precheck_fields(WOMAN_1975_03, "", None, TODAY, TEXTS)
    assert result["valid"] and result["sex"] == "female"
    assert result["category"] is None and result["statutory_retirement_month"] is None
    assert "female_category_required" in result["notes"]
    assert "birth_date_provisional" in result["notes"]
    outcomes = result["by_category"]
    assert set(outcomes) == {"female_cadre", "female_worker"}
    assert outcomes["female_worker"]["statutory_retirement_month"] == "2025-05"
    assert outcomes["female_worker"]["reached_statutory_age"] is True
    assert outcomes["female_cadre"]["statutory_retirement_month"] == "2031-07"
    assert outcomes["female_cadre"]["statutory_age"] == {"years": 56, "months": 4}


def test_a_woman_with_a_category_gets_one_outcome():
    result = precheck_fields(WOMAN_1975_03, "female_worker", "200", TODAY, TEXTS)
    assert result["category"] == "female_worker"
    assert result["statutory_age"] == {"years": 50, "months": 2}
    assert result["contribution_shortfall_months"] == 0
    assert result["notes"] == ["birth_date_provisional", "female_category_to_confirm"]


def test_refusals_keep_the_same_keys_and_say_why():
    cases = {
        (MAN_1970_05, "female_worker", None): "category_mismatch",
        (WOMAN_1975_03, "male", None): "category_mismatch",
        (MAN_1970_05, "boss", None): "bad_category",
        (MAN_1970_05, None, "-5"): "bad_contribution_months",
        (MAN_1970_05, None, "1201"): "bad_contribution_months",
        (MAN_1970_05, None, "12.5"): "bad_contribution_months",
        ("", None, None): "empty",
        ("150627197005201119", None, None): "bad_check_character",
    }
    for (raw, category, months), code in cases.items():
        result = precheck_fields(raw, category, months, TODAY, TEXTS)
        assert set(result) == CONTRACT_KEYS
        assert result["valid"] is False
        assert result["error"]["code"] == code
        assert result["error"]["message"]  # plain Chinese from the catalog
        assert result["notes"] == []


def test_a_15_digit_number_is_noted():
    result = precheck_fields("110105491231002", None, None, TODAY, TEXTS)
    assert "converted_from_15" in result["notes"]
    assert result["id_number_masked"] == "1101**********002X"


def test_batch_lines_accept_full_width_commas_and_blank_fields():
    assert precheck_line(f"{WOMAN_1975_03}，female_worker，200", TODAY, TEXTS)["category"] == (
        "female_worker"
    )
    assert (
        precheck_line(f"{MAN_1970_05},,150", TODAY, TEXTS)["contribution_shortfall_months"] == 42
    )
    assert (
        precheck_line(f"{MAN_1970_05},male,1,2", TODAY, TEXTS)["error"]["code"]
        == "too_many_fields"
    )
    defaulted = precheck_line(WOMAN_1975_03, TODAY, TEXTS, default_category="female_cadre")
    assert defaulted["category"] == "female_cadre"


lines = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda birth, seq, cat, months, sep: sep.join(
            [number(birth, seq), cat, "" if months is None else str(months)]
        ),
        st.dates(min_value=date(1940, 1, 1), max_value=date(2005, 12, 31)),
        st.integers(min_value=0, max_value=999),
        st.sampled_from(["", "male", "female_cadre", "female_worker", "MALE", "x"]),
        st.none() | st.integers(min_value=0, max_value=1300),
        st.sampled_from([",", "，"]),
    ),
    st.builds(lambda birth: f"{birth:%y%m%d}".join(["150627", "003"]), st.dates()),
)


@settings(max_examples=1000, deadline=None)
@given(lines, st.dates(min_value=date(2020, 1, 1), max_value=date(2045, 12, 31)))
def test_the_batch_fast_path_says_exactly_what_the_dict_path_says(line, today):
    assert json.loads(precheck_line_json(line, today, TEXTS)) == precheck_line(line, today, TEXTS)


class ChunkedSource:
    """Hands out fixed pieces, one per read1 call, as a pipe does; records what the sink held
    at each call (the moment a real pipe could block)."""

    def __init__(self, pieces: list[bytes], sink: io.BytesIO | None = None) -> None:
        self.pieces = list(pieces)
        self.sink = sink
        self.seen_at_each_read: list[int] = []

    def read1(self, size: int = -1, /) -> bytes:
        if self.sink is not None:
            self.seen_at_each_read.append(self.sink.getvalue().count(b"\n"))
        return self.pieces.pop(0) if self.pieces else b""


def test_read_lines_joins_lines_split_across_reads():
    pieces = [b"ab", b"c\r", b"\nde", b"f\n", b"1" * 60, b"1" * 60, b"\nlast\r"]
    lines = list(read_lines(ChunkedSource(pieces), limit=100))
    assert lines == [b"abc", b"def", None, b"last"]


def test_an_overlong_last_line_without_ending_is_still_answered():
    assert list(read_lines(ChunkedSource([b"ok\n", b"9" * 300]), limit=100)) == [b"ok", None]


def test_answers_are_flushed_before_waiting_for_more_input():
    """A script writing one line and waiting for its answer is not left hanging."""
    sink = io.BytesIO()
    source = ChunkedSource([f"{MAN_1970_05}\n".encode(), f"{WOMAN_1975_03}\n".encode()], sink)
    assert run_batch(source, sink, TODAY) == 2
    # Before each read: nothing asked yet, then the first answer out, then the second.
    assert source.seen_at_each_read == [0, 1, 2]


def test_read_lines_bounds_every_line():
    data = b"a\r\nb\n" + b"9" * 10_000 + b"\n\nlast"
    assert list(read_lines(io.BytesIO(data), limit=100)) == [b"a", b"b", None, b"", b"last"]
    # A line exactly at the limit is still read whole.
    assert list(read_lines(io.BytesIO(b"1" * 100 + b"\n"), limit=100)) == [b"1" * 100]


def test_run_batch_answers_each_line_in_order():
    source = io.BytesIO(f"{MAN_1970_05}\n\n\xff\n{WOMAN_1975_03},female_cadre".encode("latin-1"))
    sink = io.BytesIO()
    assert run_batch(source, sink, TODAY) == 4
    answers = [json.loads(line) for line in sink.getvalue().decode().splitlines()]
    assert [a["line"] for a in answers] == [1, 2, 3, 4]
    assert [a["valid"] for a in answers] == [True, False, False, True]
    assert answers[2]["error"]["code"] == "bad_encoding"


def test_the_text_for_a_phone_is_short_polite_and_masked():
    t = Translator("zh_CN")
    for raw, category in ((MAN_1970_05, None), (WOMAN_1975_03, None), (WOMAN_1975_03, "x")):
        text = render_text(precheck_fields(raw, category, "100", TODAY, TEXTS), t)
        assert raw not in text
        assert len(text) < 600
        assert "仅供参考" in text or "未能预审" in text
    man = render_text(precheck_fields(MAN_1970_05, None, "100", TODAY, TEXTS), t)
    assert "61岁5个月" in man and "2031年10月" in man and "还差92个月" in man
    assert render_text(precheck_fields(MAN_1970_05, None, None, TODAY, TEXTS), Translator("en"))
