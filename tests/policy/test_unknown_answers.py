"""Issue 13: "不知道" is an answer where an office can find out (paid before 1995-07, lump sum
before 1996, the name in the archive): no upload is asked for it; the checklist says which
office checks and what to bring if it cannot."""

import pytest

from locales import LANGUAGES, catalog
from policy.materials import (
    UNKNOWN_ALLOWED,
    Answers,
    answer,
    checklist,
    office_checks,
    questions_needed,
)

CODES = {
    "paid_before_1995_07": "pension_handbook",
    "lump_sum_before_1996": "tax_receipts",
    "name_matches_archive": "household_register",
}
OFFICES = {
    "paid_before_1995_07": ("social_insurance_center",),
    "lump_sum_before_1996": ("social_insurance_center",),
    "name_matches_archive": ("hr_service_center",),
}


def test_unknown_is_allowed_exactly_where_an_office_can_find_out() -> None:
    assert set(UNKNOWN_ALLOWED) == set(CODES)
    with pytest.raises(ValueError):
        Answers(veteran="unknown")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Answers(has_employer="unknown")  # type: ignore[arg-type]


@pytest.mark.parametrize("field", sorted(CODES))
def test_unknown_asks_no_upload_and_the_office_checks(field: str) -> None:
    answers = Answers(**{field: "unknown"})  # type: ignore[arg-type]
    assert CODES[field] not in {r.code for r in checklist(answers)}
    (check,) = office_checks(answers)
    assert check.field == field
    assert check.offices == OFFICES[field]
    for language in LANGUAGES:
        texts = catalog(language)
        assert check.text_key in texts and check.bring_key in texts


def test_known_answers_need_no_office_check() -> None:
    assert office_checks(Answers(paid_before_1995_07=True, name_matches_archive=False)) == ()


def test_an_unknown_payment_asks_no_handbook_question() -> None:
    answers = answer(Answers(), "ask_paid_before_1995_07", "unknown")
    assert "ask_handbook" not in questions_needed(answers)
    answers = answer(answers, "ask_lump_sum_before_1996", "unknown")
    assert "ask_receipts" not in questions_needed(answers)
