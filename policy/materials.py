"""The materials checklist (申请材料), computed from the applicant's answers.

Source: the plan's 申请材料 (seed, DOMAIN.md "Materials"). Three materials are always needed;
five only in special cases. The answers come from a handful of yes/no questions
(`policy.answers`); the materials by code and their pages are in `policy.material_codes`.

"Lost, the office will look it up" is a real answer, not a missing upload: a lost handbook or
lost tax receipts stay on the checklist with `lost=True`, and the Social Insurance Center's
lookup becomes part of its work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policy.answers import (
    ANSWER_FIELDS,
    HAVE_OR_LOST,
    QUESTIONS,
    UNKNOWN,
    UNKNOWN_ALLOWED,
    Answers,
    HaveOrLost,
    YesNoUnknown,
    answer,
    dependents,
    next_question,
    open_questions,
    questions_needed,
)
from policy.items import ItemDef, load_items
from policy.material_codes import (
    MATERIAL_CODES,
    OTHER_MATERIAL,
    PAGES,
    SUPPLEMENT_CODES,
    requested_materials,
)

# The names other modules have always imported from here.
__all__ = [
    "ANSWER_FIELDS",
    "HAVE_OR_LOST",
    "MATERIAL_CODES",
    "OTHER_MATERIAL",
    "QUESTIONS",
    "SUPPLEMENT_CODES",
    "UNKNOWN",
    "UNKNOWN_ALLOWED",
    "Answers",
    "HaveOrLost",
    "OfficeCheck",
    "Requirement",
    "YesNoUnknown",
    "answer",
    "checklist",
    "dependents",
    "next_question",
    "office_checks",
    "open_questions",
    "questions_needed",
    "requested_materials",
    "requirement",
]


@dataclass(frozen=True)
class Requirement:
    """One line of the checklist, for this applicant."""

    code: str  # one of MATERIAL_CODES
    name_key: str  # locale key of the material's name
    reason_key: str  # locale key of why this applicant needs it (or why a lost one is fine)
    lost_allowed: bool  # "lost, the office looks it up" may replace the upload
    lost: bool  # the applicant said it is lost: no upload, the office's lookup instead
    needs_employer_stamp: bool  # the application form of an applicant with an employer
    items: tuple[str, ...]  # items that apply to this applicant and whose office sees it
    offices: tuple[str, ...]  # their offices, without repeats
    min_pages: int  # photos to upload: ID card 2 (front and back); 0 when lost
    max_pages: int

    @property
    def needs_upload(self) -> bool:
        """False when the applicant said it is lost: the office looks it up instead."""
        return not self.lost


def _needed(answers: Answers) -> list[tuple[str, str, bool]]:
    """(code, reason key, lost) of every material this applicant needs, in MATERIAL_CODES order."""
    out: list[tuple[str, str, bool]] = []
    form_reason = "employer" if answers.has_employer else "always"
    out.append(("application_form", f"material.application_form.reason.{form_reason}", False))
    out.append(("id_card", "material.id_card.reason.always", False))
    out.append(("social_security_card", "material.social_security_card.reason.always", False))
    if answers.name_matches_archive is False:
        out.append(
            ("household_register", "material.household_register.reason.name_differs", False)
        )
    # Nothing paid before 1995-07: the handbook is not needed at all (the plan's exception).
    if answers.paid_before_1995_07 is True:
        lost = answers.handbook == "lost"
        reason = "lost" if lost else "paid_before_1995_07"
        out.append(("pension_handbook", f"material.pension_handbook.reason.{reason}", lost))
    if answers.lump_sum_before_1996 is True:
        lost = answers.receipts == "lost"
        reason = "lost" if lost else "lump_sum_before_1996"
        out.append(("tax_receipts", f"material.tax_receipts.reason.{reason}", lost))
    if answers.illness_disability is True:
        out.append(
            (
                "labour_capacity_appraisal",
                "material.labour_capacity_appraisal.reason.illness_disability",
                False,
            )
        )
    if answers.veteran is True:
        out.append(
            ("discharge_certificate", "material.discharge_certificate.reason.veteran", False)
        )
    return out


_LOST_ALLOWED = frozenset({"pension_handbook", "tax_receipts"})


def checklist(answers: Answers, items: Sequence[ItemDef] | None = None) -> tuple[Requirement, ...]:
    """The materials this applicant must bring, in MATERIAL_CODES order.

    `items` are the item definitions (default: policy/items.toml); a material lists the items
    that apply to this applicant and may see it, and their offices.
    """
    if items is None:
        items = load_items()
    applicable = [i for i in items if i.applies_to(answers)]
    out: list[Requirement] = []
    for code, reason_key, lost in _needed(answers):
        users = [i for i in applicable if code in i.materials]
        offices = tuple(dict.fromkeys(i.office for i in users))
        min_pages, max_pages = PAGES[code]
        out.append(
            Requirement(
                code=code,
                name_key=f"material.{code}.name",
                reason_key=reason_key,
                lost_allowed=code in _LOST_ALLOWED,
                lost=lost,
                needs_employer_stamp=code == "application_form" and answers.has_employer is True,
                items=tuple(i.code for i in users),
                offices=offices,
                min_pages=0 if lost else min_pages,
                max_pages=0 if lost else max_pages,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class OfficeCheck:
    """An answer the applicant did not know, which an office finds out from its records: no
    upload, a line on the checklist saying who checks and what to bring if they cannot."""

    field: str  # the Answers field answered "unknown"
    text_key: str  # locale key: who checks what
    bring_key: str  # locale key: what to bring to the window if the records do not tell
    items: tuple[str, ...]  # the items whose office reads this answer
    offices: tuple[str, ...]


def office_checks(
    answers: Answers, items: Sequence[ItemDef] | None = None
) -> tuple[OfficeCheck, ...]:
    """The answers left to the offices ("不知道"), in UNKNOWN_ALLOWED order. The office is the
    one whose item reads that answer (policy/items.toml `fields`)."""
    unknown = [f for f in UNKNOWN_ALLOWED if getattr(answers, f) == UNKNOWN]
    if not unknown:
        return ()
    if items is None:
        items = load_items()
    out = []
    for name in unknown:
        users = [i for i in items if name in i.fields]
        out.append(
            OfficeCheck(
                field=name,
                text_key=f"material.check.{name}.text",
                bring_key=f"material.check.{name}.bring",
                items=tuple(i.code for i in users),
                offices=tuple(dict.fromkeys(i.office for i in users)),
            )
        )
    return tuple(out)


def requirement(answers: Answers, code: str) -> Requirement | None:
    """The checklist entry for one material, or None when this applicant does not need it."""
    if code not in MATERIAL_CODES:
        raise ValueError(f"unknown material {code!r}")
    return next((r for r in checklist(answers) if r.code == code), None)
