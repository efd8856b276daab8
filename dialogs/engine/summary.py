"""The review's lines: each answer that applies to this applicant, in the order asked, shown as
its question's row says (`review` in dialogs/questions.py), then the materials; and the lines
of what /cancel or /restart would lose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialogs.engine.facts import requirements
from dialogs.engine.keys import CONTRIBUTION_ABOUT
from dialogs.engine.turn import Turn
from dialogs.questions import ANSWER_KEY, ASKED, label_key
from locales.replies import Msg
from policy.towns import town


def town_name(t: Turn, code: str) -> str:
    """A town's name from policy/towns.toml (data, not locales: a proper name, shown in the
    applicant's language beside the official Chinese); an unknown code as it is."""
    found = town(code)
    return found.label(t.d.language) if found is not None else code


def _masked(t: Turn, value: Any) -> Any:
    return (value or {}).get("masked", "")


def _flag(t: Turn, value: Any) -> Msg:
    """Yes or no; a question's other answers ("不清楚", "还在") by their labels."""
    choice = ("yes" if value else "no") if isinstance(value, bool) else value
    return Msg(label_key(choice))


def _months(t: Turn, value: Any) -> Msg:
    if not isinstance(value, int):
        return Msg("dialogs.choice.unknown")
    if value % 12:
        shown = Msg("dialogs.summary.months", {"years": value // 12, "months": value % 12})
    else:
        shown = Msg("dialogs.summary.years", {"years": value // 12})
    if t.d.answers.get(CONTRIBUTION_ABOUT):  # "二十多年" was recorded as about 20 years
        return Msg("dialogs.summary.about", {"value": shown})
    return shown


# How each kind of answer is shown (a question row's `review`).
SHOWN: dict[str, Callable[[Turn, Any], Any]] = {
    "text": lambda t, value: value,
    "masked": _masked,
    "label": lambda t, value: Msg(label_key(value)),
    "flag": _flag,
    "months": _months,
    "town": town_name,
}


def summary(t: Turn) -> list[Msg]:
    """The review's lines: the answers in the order asked, then the materials."""
    a = t.d.answers
    lines = [
        Msg(f"dialogs.summary.{row.answer}", {"value": SHOWN[row.review](t, a[row.answer])})
        for row in ASKED
        if row.review and row.answer in a and t.applies(row)
    ]
    if differs := a.get("card_number_differs"):  # kept although not the typed number
        typed = _masked(t, a.get("id_number"))
        lines.append(Msg("dialogs.summary.card_number_differs", {"card": differs, "typed": typed}))
    return lines + _materials(t)


def _materials(t: Turn) -> list[Msg]:
    """Each material with its pages, or lost (an office looks it up)."""
    lines = []
    for req in requirements(t.d):
        m = t.d.materials.get(req.code, {})
        if m.get("status") == "lost" or req.lost:
            lines.append(Msg("dialogs.summary.material_lost", {"name": Msg(req.name_key)}))
        else:
            pages = m.get("pages", 0)
            lines.append(
                Msg("dialogs.summary.material", {"name": Msg(req.name_key), "pages": pages})
            )
    return lines


def what_is_lost(t: Turn, action: str) -> list[Msg]:
    """The lines of ask_cancel: the answers given and the pages uploaded, by name (never their
    values), and for /cancel the consent withdrawn."""
    a = t.d.answers
    lines = [
        Msg("dialogs.lost.answer", {"name": Msg(label_key(q))})
        for q, key in ANSWER_KEY.items()
        if key in a and q not in ("ask_language", "ask_consent")
    ]
    lines += [
        Msg("dialogs.lost.pages", {"name": Msg(f"material.{code}.name"), "pages": m["pages"]})
        for code, m in t.d.materials.items()
        if m.get("pages")
    ]
    if not lines:
        lines.append(Msg("dialogs.lost.nothing"))
    if action == "cancel":
        lines.append(Msg("dialogs.lost.consent"))
    return lines
