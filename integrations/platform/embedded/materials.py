"""The materials an office's supplement request names: by code or Chinese name, at least one,
each one the case has, so that the applicant is told exactly what to send again."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from integrations.platform.embedded.errors import StaffError
from locales import Translator
from policy.materials import MATERIAL_CODES, OTHER_MATERIAL, SUPPLEMENT_CODES

_LIST = re.compile("[,，、]")  # materials=身份证、退伍证 as staff write a list


def material_label(code: str) -> str:
    """A material's Chinese name (the code itself for one the catalog does not know)."""
    tr = Translator("zh_CN")
    key = f"material.{code}.name"
    return tr(key) if tr.has(key) else code


def material_code(typed: str) -> str:
    """The material staff named, by code or Chinese name (as typed when it is neither)."""
    by_name = {material_label(c): c for c in SUPPLEMENT_CODES}
    return by_name.get(typed, typed)


def supplementable(materials: Mapping[str, Any]) -> tuple[str, ...]:
    """What an office may ask the applicant to send again: the materials this case has, in
    the catalog's order, then "补充材料" for anything else (named in the reason)."""
    return (*(c for c in MATERIAL_CODES if c in materials), OTHER_MATERIAL)


def named_materials(named: Any, case_materials: tuple[str, ...]) -> list[str]:
    """The materials a supplement request names, by code or Chinese name; at least one, each
    one the case has: the applicant is told exactly what to send."""
    parts = _LIST.split(named) if isinstance(named, str) else list(named or ())
    typed = [str(c).strip() for c in parts if str(c).strip()]
    choices = "、".join(material_label(c) for c in case_materials)
    if not typed:
        raise StaffError(
            "no_material",
            "需补充材料时，请写明要申请人补充哪份材料：--data materials=材料名（多份用逗号分开）。"
            f"本办件的材料：{choices}（“补充材料”：其他材料，请在原因中写明）。",
        )
    codes = [material_code(t) for t in typed]
    unknown = [t for t, c in zip(typed, codes, strict=True) if c not in case_materials]
    if unknown:
        raise StaffError(
            "unknown_material",
            f"本办件没有材料“{'、'.join(unknown)}”。可要求补充的材料：{choices}。",
        )
    return list(dict.fromkeys(codes))
