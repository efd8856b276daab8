"""The one application form (一表): 企业职工退休“一件事一次办”申请表, pre-filled from the answers.

The applicant prints it, signs it and, when there is an insured employer (参保单位), has it
stamped: the stamp box appears only then. No database here: the caller passes the case's
one-form data (`Case.form`), the materials checklist and the item names already resolved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from documents.pdfkit import LINE_MM, Page
from locales import Translator

# The fields shown, in order (names of policy/items.toml [form]; a test keeps them declared);
# `id_number` and `phone` are whatever the caller passes: the worker's own, in full, when the
# form goes to their own private chat (it is their document, for the window).
FORM_FIELDS: tuple[str, ...] = (
    "name",
    "sex",
    "id_number",
    "birth_date",
    "phone",
    "town",
    "employer_name",
    "category",
    "retirement_route",
)
SPECIAL_FIELDS: tuple[str, ...] = (
    "name_matches_archive",
    "paid_before_1995_07",
    "handbook",
    "lump_sum_before_1996",
    "receipts",
    "veteran",
    "illness_disability",
)


@dataclass(frozen=True)
class FormInput:
    form: Mapping[str, Any]
    items: Sequence[str]  # names of the items applied for
    materials: Sequence[str]  # the checklist, one line each, in the reader's language
    dated: date
    case_number: str = ""

    @property
    def has_employer(self) -> bool:
        return bool(self.form.get("has_employer")) or bool(self.form.get("employer_name"))


def render_application_form(data: FormInput, tr: Translator) -> bytes:

    page = Page(
        title=tr("documents.form.title"),
        dated=data.dated,
        footer=tr("documents.form.footer", case_number=data.case_number or "—"),
    )
    page.heading(tr("documents.form.title"))
    if data.case_number:
        page.para(tr("documents.form.case_number", case_number=data.case_number), size=9)
    page.subheading(tr("documents.form.applicant_heading"))
    page.fields(
        [(tr(f"documents.form.field.{name}"), _value(name, data.form, tr)) for name in FORM_FIELDS]
    )
    if data.has_employer:  # on page 1, right below the employer's name, where it is stamped
        _stamp_box(page, tr, str(data.form.get("employer_name") or ""))
    page.subheading(tr("documents.form.special_heading"))
    page.grid(
        (tr("documents.form.col_question"), tr("documents.form.col_answer")),
        [
            (tr(f"documents.form.field.{name}"), _value(name, data.form, tr))
            for name in SPECIAL_FIELDS
        ],
        widths=(112, 66),
    )
    page.subheading(tr("documents.form.items_heading"))
    page.para("\n".join(f"√ {name}" for name in data.items))
    page.subheading(tr("documents.form.materials_heading"))
    page.para("\n".join(f"□ {line}" for line in data.materials))
    page.subheading(tr("documents.form.declaration_heading"))
    page.para(tr("documents.form.declaration"))
    page.ln(4)
    page.para(tr("documents.form.applicant_signature"))
    return page.bytes()


def _value(name: str, form: Mapping[str, Any], tr: Translator) -> str:
    value = form.get(name)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return tr("documents.yes") if value else tr("documents.no")
    key = f"documents.form.value.{name}.{value}"
    return tr(key) if tr.has(key) else str(value)


def _stamp_box(page: Page, tr: Translator, employer: str) -> None:
    page.ln(2)
    x, y = page.get_x(), page.get_y()
    page.rect(x, y, page.epw, 30)
    page.set_xy(x + 3, y + 3)
    # Inside the box, at most two lines: a longer name is already whole in the field above.
    text = tr("documents.form.stamp_heading", employer=employer)
    lines = page.lines(text, page.epw - 6)
    shown = lines if len(lines) <= 2 else [*lines[:1], lines[1][:-1] + "…"]
    page.multi_cell(page.epw - 6, LINE_MM, "\n".join(shown), align="L")
    page.set_xy(x + page.epw - 75, y + 21)
    page.para(tr("documents.form.stamp_date"))
    page.set_y(y + 32)
