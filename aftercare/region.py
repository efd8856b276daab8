"""Region texts for the end of the journey: office contacts and the online-step guides.

`settings.service.region` names a block `[aftercare.region.<region>]` in the locales, so a
second banner or county is a locale block, not code.
"""

from __future__ import annotations

from dataclasses import dataclass

from locales import Translator

DEFAULT_REGION = "ejin_horo"


@dataclass(frozen=True)
class RegionTexts:
    contacts: tuple[str, ...]
    housing_fund: str  # step-by-step guide with its link
    medical: str


def region_texts(tr: Translator, region: str = DEFAULT_REGION) -> RegionTexts:
    prefix = f"aftercare.region.{region}"
    if not tr.has(f"{prefix}.contacts"):
        raise ValueError(
            f"no region texts for {region!r}: add [aftercare.region.{region}] to the locales "
            f"or set SERVICE__REGION={DEFAULT_REGION}"
        )

    def steps(name: str) -> str:
        return tr(f"{prefix}.{name}_steps", link=tr(f"{prefix}.{name}_link")).strip()

    contacts = tuple(line for line in tr(f"{prefix}.contacts").splitlines() if line.strip())
    return RegionTexts(contacts, steps("housing_fund"), steps("medical"))
