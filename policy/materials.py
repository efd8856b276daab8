"""The materials checklist (申请材料), computed from the applicant's answers.

Source: the plan's 申请材料 (seed, DOMAIN.md "Materials"). Three materials are always needed;
five only in special cases. The answers come from a handful of yes/no questions; some questions
matter only after an earlier answer (the handbook only if something was paid before 1995-07),
so the conversation asks `open_questions(answers)` one by one and, after an edit, re-asks only
`dependents(question)`.

"Lost, the office will look it up" is a real answer, not a missing upload: a lost handbook or
lost tax receipts stay on the checklist with `lost=True`, and the Social Insurance Center's
lookup becomes part of its work.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from policy.items import ItemDef

HaveOrLost = Literal["have", "lost"]
HAVE_OR_LOST: tuple[str, ...] = ("have", "lost")
# "不知道" is an answer where an office can find out from its own records (issue 13): whether
# anything was paid before 1995-07 or made up before 1996 (the Social Insurance Center's
# payment records), whether the ID card's name is the archive's (the archive office).
YesNoUnknown = bool | Literal["unknown"]
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Answers:
    """What the applicant has said so far; None means "not asked (yet)".

    `illness_disability` has no question of its own here: it follows from the retirement route
    the applicant chose (early retirement on illness / non-work disability, POLICY §4).
    """

    has_employer: bool | None = None
    name_matches_archive: YesNoUnknown | None = None
    paid_before_1995_07: YesNoUnknown | None = None
    handbook: HaveOrLost | None = None
    lump_sum_before_1996: YesNoUnknown | None = None
    receipts: HaveOrLost | None = None
    veteran: bool | None = None
    illness_disability: bool | None = None

    def __post_init__(self) -> None:
        # Answers are stored and reloaded; a typo such as "los" must fail here, not silently
        # drop a material from the checklist.
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if f.name in _HAVE_OR_LOST_FIELDS:
                if value not in HAVE_OR_LOST:
                    raise ValueError(f"{f.name} must be 'have', 'lost' or None, not {value!r}")
            elif f.name in UNKNOWN_ALLOWED and value == UNKNOWN:
                continue
            elif not isinstance(value, bool):
                raise ValueError(f"{f.name} must be True, False or None, not {value!r}")


_HAVE_OR_LOST_FIELDS = frozenset({"handbook", "receipts"})
UNKNOWN_ALLOWED: tuple[str, ...] = (
    "name_matches_archive",
    "paid_before_1995_07",
    "lump_sum_before_1996",
)
ANSWER_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Answers))

MATERIAL_CODES: tuple[str, ...] = (
    "application_form",
    "id_card",
    "social_security_card",
    "household_register",
    "pension_handbook",
    "tax_receipts",
    "labour_capacity_appraisal",
    "discharge_certificate",
)

# Pages a photo upload may have. The ID card has two sides, both needed; the handbook and the
# receipts may run to several pages; the rest is one page, a second allowed for a back side.
_PAGES: dict[str, tuple[int, int]] = {
    "application_form": (1, 4),
    "id_card": (2, 2),
    "social_security_card": (1, 2),
    "household_register": (1, 4),
    "pension_handbook": (1, 20),
    "tax_receipts": (1, 10),
    "labour_capacity_appraisal": (1, 4),
    "discharge_certificate": (1, 2),
    "other_material": (1, 10),
}

# What an office asks for when it names no material of the list: "other material" (补充材料),
# uploaded after submission only; it is on no checklist.
OTHER_MATERIAL = "other_material"
SUPPLEMENT_CODES: tuple[str, ...] = (*MATERIAL_CODES, OTHER_MATERIAL)


def requested_materials(named: Any) -> tuple[str, ...]:
    """The materials an office's supplement request names ("id_card", "a,b" or a list), in
    order without repeats; "other material" when it names none (a reason only)."""
    items = named.split(",") if isinstance(named, str) else list(named or ())
    codes = tuple(dict.fromkeys(str(c).strip() for c in items if str(c).strip()))
    return codes or (OTHER_MATERIAL,)


# Question key -> the Answers field it fills, in the order they are asked.
QUESTIONS: dict[str, str] = {
    "ask_has_employer": "has_employer",
    "ask_name_matches_archive": "name_matches_archive",
    "ask_paid_before_1995_07": "paid_before_1995_07",
    "ask_handbook": "handbook",
    "ask_lump_sum_before_1996": "lump_sum_before_1996",
    "ask_receipts": "receipts",
    "ask_veteran": "veteran",
}

# A question that is asked only after a given answer to another one.
_ASKED_ONLY_IF: dict[str, tuple[str, object]] = {
    "ask_handbook": ("ask_paid_before_1995_07", True),
    "ask_receipts": ("ask_lump_sum_before_1996", True),
}


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


def _check_question(question_key: str) -> None:
    if question_key not in QUESTIONS:
        raise ValueError(f"unknown question {question_key!r}; known: {', '.join(QUESTIONS)}")


def _value(answers: Answers, question_key: str) -> object:
    return getattr(answers, QUESTIONS[question_key])


def questions_needed(answers: Answers) -> tuple[str, ...]:
    """The questions that matter given the answers so far, answered or not, in asking order."""
    out: list[str] = []
    for key in QUESTIONS:
        condition = _ASKED_ONLY_IF.get(key)
        if condition is not None:
            parent, wanted = condition
            if _value(answers, parent) != wanted:
                continue
        out.append(key)
    return tuple(out)


def open_questions(answers: Answers) -> tuple[str, ...]:
    """The questions that matter and have no answer yet, in asking order."""
    return tuple(k for k in questions_needed(answers) if _value(answers, k) is None)


def next_question(answers: Answers) -> str | None:
    """The next question to ask, or None when the checklist is final."""
    remaining = open_questions(answers)
    return remaining[0] if remaining else None


def dependents(question_key: str) -> tuple[str, ...]:
    """Questions whose relevance depends on this one (directly or further down), in order."""
    _check_question(question_key)
    out: list[str] = []
    frontier = [question_key]
    while frontier:
        parent = frontier.pop()
        for child, (depends_on, _) in _ASKED_ONLY_IF.items():
            if depends_on == parent and child not in out:
                out.append(child)
                frontier.append(child)
    order = list(QUESTIONS)
    return tuple(sorted(out, key=order.index))


def answer(answers: Answers, question_key: str, value: object) -> Answers:
    """Record one answer. A changed answer clears its dependents, so they are asked again."""
    _check_question(question_key)
    field_name = QUESTIONS[question_key]
    if getattr(answers, field_name) == value:
        return answers
    changes: dict[str, Any] = {QUESTIONS[d]: None for d in dependents(question_key)}
    changes[field_name] = value  # checked by Answers.__post_init__
    return dataclasses.replace(answers, **changes)


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
        # Imported here: items.py validates its data against this module's codes.
        from policy.items import load_items

        items = load_items()
    applicable = [i for i in items if i.applies_to(answers)]
    out: list[Requirement] = []
    for code, reason_key, lost in _needed(answers):
        users = [i for i in applicable if code in i.materials]
        offices = tuple(dict.fromkeys(i.office for i in users))
        min_pages, max_pages = _PAGES[code]
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
        from policy.items import load_items

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
