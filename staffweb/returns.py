"""Return for correction, as the clerk's form puts it: a reason per material, and pages marked
one by one, each with a reason of its own or the material's.

What reaches the worker is one line per material naming the pages ("第 2 页：反面看不清") and,
when only some pages are returned, the files to send again: the other pages are kept. A marked
page inside a PDF of several pages cannot be replaced alone (the PDF is one file), so that
material is returned whole, still naming the page.

Form fields: `reason.<material>` (the material's reason), `page.<material>` (a marked page's
number, repeated), `page_reason.<material>.<page>` (that page's own reason).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cases.platform.events import MaterialIssue
from locales import Translator
from staffweb.materials import MaterialView


class ReturnProblem(Exception):
    """The form cannot be sent as it is; `message` is plain Chinese for the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _marked(form: Any, m: MaterialView) -> dict[int, str]:
    """Page number -> its own reason ("" for none), for the pages marked (a page with a
    reason of its own counts as marked)."""
    numbers = {s.number for s in m.sheets}
    marked: dict[int, str] = {}
    for raw in form.getall(f"page.{m.code}", []):
        if str(raw).isdigit() and int(raw) in numbers:
            marked[int(raw)] = ""
    for n in numbers:
        own = str(form.get(f"page_reason.{m.code}.{n}", "")).strip()[:200]
        if own:
            marked[n] = own
    return dict(sorted(marked.items()))


def _reason(marked: Mapping[int, str], general: str, tr: Translator, name: str) -> str:
    if not marked:
        return general
    parts = [tr("web.clerk.pages_reason", pages=n, reason=r) for n, r in marked.items() if r]
    bare = [str(n) for n, r in marked.items() if not r]
    if bare:
        if not general:
            raise ReturnProblem(
                tr("web.clerk.page_needs_reason", material=name, pages="、".join(bare))
            )
        parts.append(tr("web.clerk.pages_reason", pages="、".join(bare), reason=general))
    elif general:
        parts.append(general)
    return "；".join(parts)


def issues_from_form(
    form: Any,
    materials: Sequence[MaterialView],
    addresses: Mapping[str, Sequence[str]],
    tr: Translator,
    names: Mapping[str, str],
) -> list[MaterialIssue]:
    """The materials to return, from the posted form; ReturnProblem when a marked page has
    no reason, or nothing is returned at all."""
    issues = []
    for m in materials:
        general = str(form.get(f"reason.{m.code}", "")).strip()
        marked = _marked(form, m)
        if not general and not marked:
            continue
        reason = _reason(marked, general, tr, names.get(m.code, m.code))
        files: tuple[str, ...] = ()
        sheets = [s for s in m.sheets if s.number in marked]
        whole_pdf = any(
            s.pdf_page is not None and sum(1 for o in m.sheets if o.file == s.file) > 1
            for s in sheets
        )
        if sheets and not whole_pdf and len(sheets) < len(m.sheets):
            own = addresses.get(m.code, ())
            files = tuple(dict.fromkeys(own[s.file - 1] for s in sheets))
        issues.append(MaterialIssue(m.code, reason, files))
    if not issues:
        raise ReturnProblem(tr("web.clerk.return_needs_reason"))
    return issues
