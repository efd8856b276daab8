"""The standard service guide (服务指南), generated from the items and materials data.

Always current: the items, their offices and time limits come from `policy/items.toml`, the
materials from `policy.materials`, so adding a seventh item changes the guide with no edit
here. `guide(tr, contacts)` gives headed sections; `render_markdown` is committed as
docs/service-guide.md (a test fails when it drifts), `render_pdf` is what the chat sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from documents.pdfkit import Page
from locales import Translator
from policy.items import load_items

if TYPE_CHECKING:
    from policy.items import ItemDef

DOC = Path(__file__).resolve().parent.parent / "docs" / "service-guide.md"
ALWAYS = ("application_form", "id_card", "social_security_card")
SPECIAL = (
    "household_register",
    "pension_handbook",
    "tax_receipts",
    "labour_capacity_appraisal",
    "discharge_certificate",
)


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...]


def guide(
    tr: Translator, contacts: Sequence[str] = (), items: Sequence[ItemDef] | None = None
) -> list[Section]:
    if items is None:
        items = load_items()
    g = "documents.guide"
    item_lines = tuple(
        tr(
            f"{g}.item_line",
            n=n,
            item=tr(i.name_key),
            office=tr(i.office_name_key),
            limit=_limit(i, items, tr),
        )
        for n, i in enumerate(items, start=1)
    )
    always = tuple(tr(f"{g}.material_always", name=tr(f"material.{c}.name")) for c in ALWAYS)
    special = tuple(
        tr(f"{g}.material_special", name=tr(f"material.{c}.name"), when=tr(f"{g}.when.{c}"))
        for c in SPECIAL
    )
    count = len(items)
    sections = [
        Section(tr(f"{g}.h.name"), (tr(f"{g}.name", count=count),)),
        Section(tr(f"{g}.h.who"), (tr(f"{g}.who"),)),
        Section(tr(f"{g}.h.items"), item_lines),
        Section(tr(f"{g}.h.materials"), always + special + (tr(f"{g}.lost"),)),
        Section(tr(f"{g}.h.process"), tuple(tr(f"{g}.step{n}") for n in range(1, 5))),
        Section(tr(f"{g}.h.where"), (tr(f"{g}.where"),)),
        Section(tr(f"{g}.h.fee"), (tr(f"{g}.fee"),)),
        Section(tr(f"{g}.h.result"), (tr(f"{g}.result", count=count),)),
        Section(tr(f"{g}.h.rating"), (tr(f"{g}.rating"),)),
    ]
    if contacts:
        sections.append(Section(tr(f"{g}.h.contacts"), tuple(contacts)))
    return sections


def _limit(item: ItemDef, items: Sequence[ItemDef], tr: Translator) -> str:
    clock = item.clock
    if clock.kind == "hours":
        return tr("documents.guide.limit_hours", hours=_num(clock.hours))
    if clock.kind == "working_days_after":
        after = next((i for i in items if i.code == clock.after), None)
        name = tr(after.name_key) if after else str(clock.after)
        return tr("documents.guide.limit_after", days=clock.working_days, item=name)
    return tr("documents.guide.limit_online")


def _num(value: float | None) -> str:
    return "" if value is None else (f"{value:g}")


def summary(tr: Translator, items: Sequence[ItemDef] | None = None) -> str:
    """The short chat message that comes with the PDF."""
    if items is None:
        items = load_items()
    return tr("documents.guide.chat_summary", count=len(items))


def render_markdown(sections: Sequence[Section], tr: Translator) -> str:
    out = [f"# {tr('documents.guide.title')}", "", tr("documents.guide.generated"), ""]
    for s in sections:
        out += [f"## {s.heading}", ""]
        bare = len(s.lines) == 1
        out += [line if bare or line[:1].isdigit() else f"- {line}" for line in s.lines]
        out.append("")
    return "\n".join(out)


def render_pdf(sections: Sequence[Section], tr: Translator, dated: date) -> bytes:

    page = Page(title=tr("documents.guide.title"), dated=dated, footer=tr("documents.guide.title"))
    page.heading(tr("documents.guide.title"))
    for s in sections:
        page.subheading(s.heading)
        page.para("\n".join(s.lines))
    return page.bytes()


def write_markdown(contacts: Sequence[str] = (), path: Path = DOC) -> Path:
    tr = Translator("zh_CN")
    path.write_text(render_markdown(guide(tr, contacts), tr), encoding="utf-8")
    return path
