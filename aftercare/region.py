"""Region texts for the end of the journey: office contacts and the online-step guides.

`settings.service.region` names a block `[aftercare.region.<region>]` in the locales, so a
second banner or county is a locale block, not code. The contacts come from the operators'
data file (policy/contacts.toml, or SERVICE__CONTACTS_FILE): a detail not yet filled in is
shown as 请咨询窗口, never made up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.settings import load_settings
from locales import Translator
from policy.contacts import Contact, load_contacts

DEFAULT_REGION = "ejin_horo"


@dataclass(frozen=True)
class RegionTexts:
    contacts: tuple[str, ...]
    housing_fund: str  # step-by-step guide with its link
    medical: str


@cache
def configured_contacts() -> tuple[Contact, ...]:
    """The contacts of SERVICE__CONTACTS_FILE (default policy/contacts.toml), read once."""
    return load_contacts(load_settings().service.contacts_file)


def contact_lines(tr: Translator, contacts: Sequence[Contact]) -> tuple[str, ...]:
    """One line per office; each detail not yet filled in reads 请咨询窗口. While nothing at
    all is filled in, one line says so: eight offices each "ask at the window" is noise, and
    it pushes the notice's signature onto a page of its own."""
    ask = tr("aftercare.contacts.ask_window")
    if contacts and all(len(c.missing) == 3 for c in contacts):
        return (tr("aftercare.contacts.none_filled", window=contacts[0].name_zh),)
    lines = []
    for c in contacts:
        if len(c.missing) == 3:
            lines.append(tr("aftercare.contacts.line_unknown", name=c.name_zh, role=c.role_zh))
            continue
        details = {d: getattr(c, d) or ask for d in ("address", "phone", "hours")}
        lines.append(tr("aftercare.contacts.line", name=c.name_zh, role=c.role_zh, **details))
    return tuple(lines)


def region_texts(
    tr: Translator, region: str = DEFAULT_REGION, contacts_file: Path | None = None
) -> RegionTexts:
    prefix = f"aftercare.region.{region}"
    if not tr.has(f"{prefix}.housing_fund_steps"):
        raise ValueError(
            f"no region texts for {region!r}: add [aftercare.region.{region}] to the locales "
            f"or set SERVICE__REGION={DEFAULT_REGION}"
        )

    def steps(name: str) -> str:
        return tr(f"{prefix}.{name}_steps", link=tr(f"{prefix}.{name}_link")).strip()

    offices = configured_contacts() if contacts_file is None else load_contacts(contacts_file)
    return RegionTexts(contact_lines(tr, offices), steps("housing_fund"), steps("medical"))
