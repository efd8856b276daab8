"""The one form (一表) of a case, written in the vocabulary that `policy/items.toml [form]`
declares, from the conversation's answers.

The conversation keeps its answers in its own shape (identity as a small dict with the masked
number, birth date and sex; the retirement type as chosen; the town as a choice id). The offices'
least-privilege views (`ItemDef.visible_fields`) and the application form read the case's form
by the declared names, so this is the one place that translates; `tests/dialogs/test_one_form.py`
fails when it writes a name the data file does not declare.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policy.towns import official_name

# Answers copied under the same name: the special-case answers and what is typed as is.
_SAME = (
    "name",
    "category",
    "employer_name",
    "has_employer",
    "contribution_months",
    "name_matches_archive",
    "paid_before_1995_07",
    "handbook",
    "lump_sum_before_1996",
    "receipts",
    "veteran",
    "card_number_differs",  # the ID card photo's number (masked), kept though not the typed one
)
# The conversation's kinds of retirement -> the form's retirement_route.
_ROUTES = {
    "normal": "statutory",
    "illness_disability": "illness",
    "special_work_type": "special_work",
}


def one_form(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The case form for these answers (a form already in the declared shape passes through:
    the application form is drawn from either)."""

    a = answers
    form: dict[str, Any] = {k: a[k] for k in _SAME if k in a}
    ident = a.get("id_number")
    if isinstance(ident, Mapping):
        # Sex and birth date as the ID number encodes them: provisional until the archive
        # office confirms the birth date on file.
        form["id_number"] = ident.get("masked", "")
        form["sex"] = ident.get("sex")
        form["birth_date"] = ident.get("birth_date")
    elif ident:
        form["id_number"] = ident
    for key in ("sex", "birth_date", "retirement_route", "illness_disability"):
        if key in a and key not in form:
            form[key] = a[key]
    phone = a.get("phone")
    if isinstance(phone, Mapping):
        phone = phone.get("masked")
    if phone:
        form["phone"] = phone
    if a.get("town"):
        form["town"] = official_name(str(a["town"]))
    if "retirement_type" in a and "retirement_route" not in a:
        kind = a["retirement_type"]
        route = "early" if kind == "normal" and a.get("early") else _ROUTES.get(kind, kind)
        form["retirement_route"] = route
        form["illness_disability"] = kind == "illness_disability"
    if form.get("has_employer") is False:
        form.pop("employer_name", None)  # a name left from before "no employer" is no one's
    return form
