"""The batch hot path of the pre-check: the same answer as `policy.precheck.precheck_line`,
serialised without building and encoding a dict per line.

A batch file can hold a whole banner's ID numbers, and building a dict per line and encoding
it dominated the run. Everything after the number itself depends only on the category, the
birth month, today's month and the contribution, so the line is assembled from cached JSON
fragments. tests/policy/test_precheck.py checks that both paths agree line for line.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from policy.idcard import IdNumberError
from policy.precheck import (
    PrecheckError,
    ResultTexts,
    compact_json,
    error_result,
    parse_fields,
    split_line,
)
from policy.retirement import Category, YearMonth, assess, assessment_notes

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
    fields = split_line(line, default_category, default_contribution)
    if fields is None:
        return compact_json(error_result(PrecheckError("too_many_fields"), texts))
    try:
        number, category, contribution = parse_fields(*fields, today)
    except (IdNumberError, PrecheckError) as error:
        return compact_json(error_result(error, texts))
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
    fixed = compact_json({key: outcome[key] for key in _FIXED_KEYS})[1:-1]
    past_latest = "past_latest_flexible_month" in assessment.notes
    before_reform = "reached_before_reform" in assessment.notes
    return fixed, assessment.min_contribution_months, past_latest, before_reform


@lru_cache(maxsize=256)
def _notes_json(notes: tuple[str, ...]) -> str:
    return compact_json(list(notes))
