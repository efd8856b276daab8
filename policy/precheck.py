"""The pre-check as data: one ID number (plus optional category and contribution months) in,
one JSON-ready result out, the contract of `python main.py precheck` (issue 2).

Pure functions; `commands/precheck.py` does the reading and writing, and hands in the words a
result carries (`ResultTexts`, from its locale catalog): policy reads no files. Every result
carries the same keys, valid or not, so that scripts reading the batch output see one schema
on every line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

from policy.idcard import IdNumber, IdNumberError, parse_id_number
from policy.retirement import (
    CATEGORIES,
    FEMALE_CATEGORIES,
    Category,
    YearMonth,
    assess,
    assessment_notes,
)

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
        return _dumps(self.advisory)


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
    fields = _split(line, default_category, default_contribution)
    if fields is None:
        return error_result(PrecheckError("too_many_fields"), texts)
    return precheck_fields(*fields, today, texts)


def _split(
    line: str, default_category: str | None, default_contribution: str | None
) -> tuple[str, str | None, str | None] | None:
    fields = line.replace("，", ",").split(",")
    if len(fields) > 3:
        return None
    fields += [""] * (3 - len(fields))
    category = fields[1] if fields[1].strip() else default_category
    contribution = fields[2] if fields[2].strip() else default_contribution
    return fields[0], category, contribution


# --- The batch hot path: the same answer as `precheck_line`, serialised without building and
# encoding a dict per line. Everything after the number itself depends only on the category,
# the birth month, today's month and the contribution, so it is assembled from cached JSON
# fragments. tests/policy/test_precheck.py checks that both paths agree line for line.

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_FIXED_KEYS = (
    "category",
    "statutory_age",
    "statutory_retirement_month",
    "min_contribution_months",
    "earliest_flexible_month",
    "latest_flexible_month",
    "reached_statutory_age",
    "months_until_statutory",
)


def precheck_line_json(
    line: str,
    today: date,
    texts: ResultTexts,
    default_category: str | None = None,
    default_contribution: str | None = None,
) -> str:
    """`precheck_line` as one compact JSON object (no line ending)."""
    fields = _split(line, default_category, default_contribution)
    if fields is None:
        return _dumps(error_result(PrecheckError("too_many_fields"), texts))
    try:
        number, category, contribution = parse_fields(*fields, today)
    except (IdNumberError, PrecheckError) as error:
        return _dumps(error_result(error, texts))
    birth = number.birth_date
    by, bm, ty, tm = birth.year, birth.month, today.year, today.month
    extra = ("converted_from_15",) if number.converted_from_15 else ()
    head = (
        f'{{"valid":true,"error":null,"id_number_masked":"{number.masked}",'
        f'"birth_date":"{birth.isoformat()}","sex":"{number.sex}",'
    )
    if category is None:
        cadre = _assessment_json("female_cadre", by, bm, ty, tm, contribution, ())
        worker = _assessment_json("female_worker", by, bm, ty, tm, contribution, ())
        return (
            f"{head}{_NO_CATEGORY}{_notes_json(_FEMALE_NOTES + extra)},"
            f'"by_category":{{"female_cadre":{{{cadre}}},"female_worker":{{{worker}}}}},'
            f'"advisory":{texts.advisory_json}}}'
        )
    body = _assessment_json(category, by, bm, ty, tm, contribution, extra)
    return f'{head}{body},"by_category":null,"advisory":{texts.advisory_json}}}'


_FEMALE_NOTES = ("birth_date_provisional", "female_category_required")
_NO_CATEGORY = "".join(f'"{key}":null,' for key in (*_FIXED_KEYS, "contribution_shortfall_months"))
_NO_CATEGORY += '"notes":'


def _assessment_json(
    category: Category,
    by: int,
    bm: int,
    ty: int,
    tm: int,
    contribution: int | None,
    extra: tuple[str, ...],
) -> str:
    fixed, minimum, past_latest, before_reform = _fixed_json(category, by, bm, ty, tm)
    if contribution is None:
        shortfall_text, short = "null", False
    else:
        shortfall = max(0, minimum - contribution)
        shortfall_text, short = str(shortfall), shortfall > 0
    notes = assessment_notes(category, short, past_latest, before_reform) + extra
    return f'{fixed},"contribution_shortfall_months":{shortfall_text},"notes":{_notes_json(notes)}'


@lru_cache(maxsize=65536)
def _fixed_json(
    category: Category, by: int, bm: int, ty: int, tm: int
) -> tuple[str, int, bool, bool]:
    assessment = assess(category, YearMonth(by, bm), YearMonth(ty, tm))
    outcome = assessment.to_dict()
    fixed = _dumps({key: outcome[key] for key in _FIXED_KEYS})[1:-1]
    past_latest = "past_latest_flexible_month" in assessment.notes
    before_reform = "reached_before_reform" in assessment.notes
    return fixed, assessment.min_contribution_months, past_latest, before_reform


@lru_cache(maxsize=256)
def _notes_json(notes: tuple[str, ...]) -> str:
    return _dumps(list(notes))
