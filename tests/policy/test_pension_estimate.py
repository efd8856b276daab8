"""养老金测算 against worked examples computed by hand from the formula (国发〔2005〕38号):

    basic         = base x (1 + index) / 2 x years x 1%
    account       = balance / divisor (计发月数 by age at retirement)
    transitional  = base x index x years before 1996 x coefficient%

with the round test figures of fixtures/pension_base_test.toml (base 8000, coefficient 1.2%).
The hand computation is written beside each case; the code must agree to the fen.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from policy.pension_base import BaseTable, PensionBaseError, load_base_table
from policy.pension_estimate import EstimateInputs, MoneyRange, estimate

FIXTURE = Path(__file__).parent / "fixtures" / "pension_base_test.toml"
D = Decimal


@pytest.fixture
def table() -> BaseTable:
    return load_base_table(FIXTURE)


def test_thirty_years_index_one_with_an_account_at_sixty(table):
    # index 1.0 is said "about": the band is 0.9 .. 1.1
    # basic low  = 8000 x (1 + 0.9) / 2 x 30 x 1% = 8000 x 0.95 x 0.30 = 2280.00
    # basic high = 8000 x (1 + 1.1) / 2 x 30 x 1% = 8000 x 1.05 x 0.30 = 2520.00
    # account    = 100000 / 139 = 719.424... -> 719.42
    # total      = 2999.42 .. 3239.42
    result = estimate(
        EstimateInputs(
            contribution_months=360,
            index=D("1.0"),
            account_balance=D("100000"),
            age_years=60,
            retirement_year=2024,
        ),
        table,
    )
    assert (result.index_low, result.index_high) == (D("0.9"), D("1.1"))
    assert result.divisor == 139
    assert result.basic == MoneyRange(D("2280.00"), D("2520.00"))
    assert result.account == D("719.42")
    assert result.transitional is None
    assert result.total == MoneyRange(D("2999.42"), D("3239.42"))
    assert result.base_year == 2024 and result.notes == ()


def test_fifteen_years_index_unknown_no_balance(table):
    # index not known: the band 0.6 .. 1.0 (most workers pay near the floor)
    # basic low  = 8000 x 1.6 / 2 x 15 x 1% = 8000 x 0.8 x 0.15 = 960.00
    # basic high = 8000 x 2.0 / 2 x 15 x 1% = 8000 x 1.0 x 0.15 = 1200.00
    # account: not known, not counted, said so
    result = estimate(
        EstimateInputs(contribution_months=180, index=None, age_years=55, retirement_year=2024),
        table,
    )
    assert result.basic == MoneyRange(D("960.00"), D("1200.00"))
    assert result.account is None
    assert result.total == MoneyRange(D("960.00"), D("1200.00"))
    assert set(result.notes) == {"index_assumed", "balance_unknown"}


def test_years_before_1996_add_the_transitional_part(table):
    # 25 years in all, 10 of them before 1996; index 2.0 -> band 1.9 .. 2.1; age 50y1m
    # basic low        = 8000 x 2.9 / 2 x 25 x 1% = 8000 x 1.45 x 0.25 = 2900.00
    # basic high       = 8000 x 3.1 / 2 x 25 x 1% = 8000 x 1.55 x 0.25 = 3100.00
    # transitional low = 8000 x 1.9 x 10 x 1.2% = 1824.00
    # transitional high= 8000 x 2.1 x 10 x 1.2% = 2016.00
    # account          = 50000 / 194.6 = 256.937... -> 256.94
    # total            = 4980.94 .. 5372.94
    result = estimate(
        EstimateInputs(
            contribution_months=300,
            index=D("2.0"),
            account_balance=D("50000"),
            age_years=50,
            age_months=1,
            retirement_year=2024,
            months_before_1996=120,
        ),
        table,
    )
    assert result.divisor == 194.6
    assert result.basic == MoneyRange(D("2900.00"), D("3100.00"))
    assert result.transitional == MoneyRange(D("1824.00"), D("2016.00"))
    assert result.account == D("256.94")
    assert result.total == MoneyRange(D("4980.94"), D("5372.94"))


def test_index_band_stays_inside_the_sensible_range(table):
    low = estimate(EstimateInputs(180, D("0.6"), age_years=60, retirement_year=2024), table)
    high = estimate(EstimateInputs(180, D("3.0"), age_years=60, retirement_year=2024), table)
    assert (low.index_low, low.index_high) == (D("0.6"), D("0.7"))
    assert (high.index_low, high.index_high) == (D("2.9"), D("3.0"))


@pytest.mark.parametrize("index", ["0.5", "3.1", "-1"])
def test_an_index_outside_the_range_is_refused(table, index):
    with pytest.raises(ValueError, match=r"0\.6"):
        estimate(EstimateInputs(180, D(index), age_years=60, retirement_year=2024), table)


def test_a_later_year_uses_the_latest_figure_and_says_so(table):
    result = estimate(EstimateInputs(180, D("1.0"), age_years=60, retirement_year=2026), table)
    assert result.requested_year == 2026 and result.base_year == 2024
    assert "base_from_earlier_year" in result.notes
    assert result.basic is not None


def test_no_figure_at_all_says_so_and_guesses_nothing(tmp_path):
    empty = tmp_path / "pension_base.toml"
    empty.write_text("# nothing published yet\n", encoding="utf-8")
    table = load_base_table(empty)
    result = estimate(
        EstimateInputs(
            360, D("1.0"), account_balance=D("100000"), age_years=60, retirement_year=2026
        ),
        table,
    )
    assert result.base_year is None and result.basic is None and result.total is None
    assert "base_missing" in result.notes
    assert result.account == D("719.42")  # the part that needs no base is still given


def test_years_before_1996_without_a_coefficient_are_said_plainly(tmp_path):
    path = tmp_path / "pension_base.toml"
    path.write_text(
        '[[base]]\nyear = 2024\nyuan_per_month = "8000"\nsource = "test"\n', encoding="utf-8"
    )
    result = estimate(
        EstimateInputs(300, D("1.0"), age_years=60, retirement_year=2024, months_before_1996=60),
        load_base_table(path),
    )
    assert result.transitional is None
    assert "transitional_not_in_file" in result.notes


def test_the_shipped_file_holds_only_sourced_figures():
    table = load_base_table()
    for figure in table.bases:
        assert figure.source.strip() and figure.yuan_per_month > 0


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('[[base]]\nyear = 2024\nyuan_per_month = "8000"\n', "source"),
        ('[[base]]\nyear = 2024\nyuan_per_month = "abc"\nsource = "x"\n', "yuan_per_month"),
        (
            '[[base]]\nyear = 2024\nyuan_per_month = "1"\nsource = "x"\n'
            '[[base]]\nyear = 2024\nyuan_per_month = "2"\nsource = "y"\n',
            "twice",
        ),
        ('[transitional]\ncoefficient_percent = "1.2"\n', "source"),
    ],
)
def test_a_malformed_base_file_is_refused(tmp_path, text, complaint):
    path = tmp_path / "pension_base.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PensionBaseError, match=complaint):
        load_base_table(path)
