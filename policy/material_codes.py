"""The materials by code: the list of the plan's 申请材料, how many pages each may have, and
the "other material" an office may ask for after submission."""

from __future__ import annotations

from typing import Any

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
PAGES: dict[str, tuple[int, int]] = {
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
