"""The towns the applicant may live in come from a data file, with an "other / not sure"."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy.towns import (
    TownsFileError,
    load_towns,
    match_town,
    official_name,
    parse_towns,
    town_codes,
)


def test_the_banner_s_seven_towns_and_one_option_for_the_clerk() -> None:
    towns = load_towns()
    names = [t.name_zh for t in towns if not t.clerk_resolves]
    assert names == [
        "阿勒腾席热镇",
        "乌兰木伦镇",
        "伊金霍洛镇",
        "札萨克镇",
        "纳林陶亥镇",
        "红庆河镇",
        "苏布尔嘎镇",
    ]
    assert [t.code for t in towns if t.clerk_resolves] == ["town_other"]
    assert town_codes()[-1] == "town_other"  # the last button


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("阿镇", "altan_xire"),
        ("我住在乌兰木伦镇", "ulan_mulun"),
        ("扎萨克", "jasag"),
        ("不清楚", "town_other"),
        ("伊金霍洛旗", None),  # the banner, not a town
        ("北京", None),
    ],
)
def test_typed_town_names_are_understood(typed: str, code: str | None) -> None:
    assert match_town(typed) == code


def test_the_form_carries_the_official_name() -> None:
    assert official_name("hongqinghe") == "红庆河镇"
    assert official_name("红庆河镇") == "红庆河镇"  # a form's value passes through


def test_a_file_without_the_clerk_option_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "towns.toml"
    bad.write_text('[[towns]]\ncode = "a1"\nname_zh = "甲镇"\nname_en = "A"\n', encoding="utf-8")
    with pytest.raises(TownsFileError, match="clerk_resolves"):
        parse_towns(bad)
