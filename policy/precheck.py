"""The pre-check as data: one ID number (plus optional category and contribution months) in,
one JSON-ready result out, the contract of `python main.py precheck` (issue 2).

Pure functions; `policy/precheck_json.py` is the batch hot path that gives the same answer
as `precheck_line` without building a dict per line. `commands/precheck.py` does the reading
and writing, and hands in the words a result carries (`ResultTexts`, from its locale
catalog): policy reads no files. Every result carries the same keys, valid or not, so that
scripts reading the batch output see one schema on every line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from policy.idcard import IdNumber, IdNumberError, parse_id_number
from policy.retirement import (
    CATEGORIES,
    FEMALE_CATEGORIES,
    Category,
    assess,
)

# One compact encoder for every result line (the batch output is one JSON object a line).
compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# Contribution months above this are a typo (100 years), not a career.
MAX_CONTRIBUTION_MONTHS = 1200

_KEYS = (
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
)


class PrecheckError(ValueError):
    """A request that cannot be answered, for a reason other than the ID number itself.
    Codes: bad_category, category_mismatch, bad_contribution_months, too_many_fields,
    bad_encoding, line_too_long. Message key: `precheck.error.<code>`."""

    def __init__(self, code: str, masked: str | None = None) -> None:
        self.code = code
        self.key = f"precheck.error.{code}"
        self.masked = masked
        super().__init__(self.key)


@dataclass(frozen=True)
class ResultTexts:
    """The words a result carries (error messages, the advisory), looked up in the caller's
    catalog by their locale keys."""

    catalog: Mapping[str, str]

    def message(self, key: str) -> str:
        return self.catalog.get(key, key)

    @property
    def advisory(self) -> str:
        # PIPL art. 24: no decision by automated means alone; every verdict says so.
        return self.message("advisory")

    @cached_property
    def advisory_json(self) -> str:
        return compact_json(self.advisory)


def error_result(error: IdNumberError | PrecheckError, texts: ResultTexts) -> dict[str, Any]:
    result: dict[str, Any] = dict.fromkeys(_KEYS)
    result["valid"] = False
    result["error"] = {"code": error.code, "message": texts.message(error.key)}
    result["id_number_masked"] = error.masked
    result["notes"] = []
    return result


def parse_category(text: str | None) -> Category | None:
    """'' or None: not given. Otherwise one of CATEGORIES (case and spaces forgiven)."""
    if text is None:
        return None
    value = text.strip().lower()
    if not value:
        return None
    if value not in CATEGORIES:
        raise PrecheckError("bad_category")
    return value  # type: ignore[return-value]


def parse_contribution_months(text: str | None) -> int | None:
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    # isdecimal: digits only (full-width too), no sign, no "1_000", no superscripts.
    if not value.isdecimal() or int(value) > MAX_CONTRIBUTION_MONTHS:
        raise PrecheckError("bad_contribution_months")
    return int(value)


def precheck(
    id_number: IdNumber,
    category: Category | None,
    contribution_months: int | None,
    today: date,
    texts: ResultTexts,
) -> dict[str, Any]:
    """The result for a valid number. A man's category defaults to `male`; a woman without a
    category gets `female_category_required` and both female outcomes under `by_category`."""
    masked = id_number.masked
    category = resolve_category(id_number, category)
    extra = ("converted_from_15",) if id_number.converted_from_15 else ()
    result: dict[str, Any] = dict.fromkeys(_KEYS)
    result["valid"] = True
    result["id_number_masked"] = masked
    result["birth_date"] = id_number.birth_date.isoformat()
    result["sex"] = id_number.sex
    result["advisory"] = texts.advisory
    if category is None:
        result["notes"] = ["birth_date_provisional", "female_category_required", *extra]
        result["by_category"] = {
            name: assess(name, id_number.birth_date, today, contribution_months).to_dict()
            for name in FEMALE_CATEGORIES
        }
        return result
    assessment = assess(category, id_number.birth_date, today, contribution_months)
    result.update(assessment.to_dict())
    result["notes"] = [*assessment.notes, *extra]
    return result


def resolve_category(id_number: IdNumber, category: Category | None) -> Category | None:
    """A man's category defaults to `male`; a category of the other sex is refused."""
    if category is None:
        return "male" if id_number.sex == "male" else None
    if (category == "male") != (id_number.sex == "male"):
        raise PrecheckError("category_mismatch", id_number.masked)
    return category


def precheck_fields(
    raw_id: str,
    category_text: str | None,
    contribution_text: str | None,
    today: date,
    texts: ResultTexts,
) -> dict[str, Any]:
    """Validate the three inputs as given by a person or a file, and answer; never raises for
    bad input: the result says what is wrong."""
    try:
        number, category, contribution = parse_fields(
            raw_id, category_text, contribution_text, today
        )
    except (IdNumberError, PrecheckError) as error:
        return error_result(error, texts)
    return precheck(number, category, contribution, today, texts)


def parse_fields(
    raw_id: str, category_text: str | None, contribution_text: str | None, today: date
) -> tuple[IdNumber, Category | None, int | None]:
    """Check the inputs in a fixed order (number, category, months, category against sex), so
    that both output paths name the same first problem."""
    number = parse_id_number(raw_id, today)
    try:
        category = parse_category(category_text)
        contribution = parse_contribution_months(contribution_text)
    except PrecheckError as error:
        error.masked = number.masked  # the number is fine: help staff find the row
        raise
    return number, resolve_category(number, category), contribution


def precheck_line(
    line: str,
    today: date,
    texts: ResultTexts,
    default_category: str | None = None,
    default_contribution: str | None = None,
) -> dict[str, Any]:
    """One batch line: `ID_NUMBER[,CATEGORY[,CONTRIBUTION_MONTHS]]` (a full-width comma, as
    Chinese input methods type it, counts as a comma). Blank optional fields take the
    defaults given on the command line."""
    fields = split_line(line, default_category, default_contribution)
    if fields is None:
        return error_result(PrecheckError("too_many_fields"), texts)
    return precheck_fields(*fields, today, texts)


def split_line(
    line: str, default_category: str | None, default_contribution: str | None
) -> tuple[str, str | None, str | None] | None:
    """(number, category, months) of a batch line, blanks filled from the defaults; None when
    the line has too many fields. Shared with the hot path so both split alike."""
    fields = line.replace("，", ",").split(",")
    if len(fields) > 3:
        return None
    fields += [""] * (3 - len(fields))
    category = fields[1] if fields[1].strip() else default_category
    contribution = fields[2] if fields[2].strip() else default_contribution
    return fields[0], category, contribution
