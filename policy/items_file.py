"""Reading and checking `policy/items.toml`: the items are configuration, not code.

Every problem is reported as an `ItemsFileError` naming the file and the item, at start-up,
so a bad edit to the file never reaches an applicant. The checks tie the file to the rest of
policy: fields must be on the one form, materials must be known codes, `applies_to` must be
"everyone" or an answer, and the clocks that wait on another item must not wait on each other
in a cycle.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from policy.answers import ANSWER_FIELDS
from policy.item_defs import (
    CLOCK_KINDS,
    RESULT_TYPES,
    Clock,
    ItemDef,
    ItemsFileError,
    ResultField,
)
from policy.material_codes import MATERIAL_CODES

EVERYONE = "everyone"


def _strings(value: object, where: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ItemsFileError(f"{where}: {what} must be a list of strings")
    if len(set(value)) != len(value):
        raise ItemsFileError(f"{where}: {what} lists a code twice")
    return tuple(value)


def _clock(raw: object, where: str) -> Clock:
    if not isinstance(raw, dict) or raw.get("kind") not in CLOCK_KINDS:
        raise ItemsFileError(f"{where}: clock.kind must be one of {', '.join(CLOCK_KINDS)}")
    kind = raw["kind"]
    if kind == "hours":
        hours = raw.get("hours")
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
            raise ItemsFileError(f"{where}: clock.hours must be a positive number")
        return Clock(kind="hours", hours=float(hours))
    if kind == "working_days_after":
        n = raw.get("working_days")
        after = raw.get("after")
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ItemsFileError(f"{where}: clock.working_days must be a positive integer")
        if not isinstance(after, str):
            raise ItemsFileError(f"{where}: clock.after must name an item")
        return Clock(kind="working_days_after", working_days=n, after=after)
    return Clock(kind="online_by_applicant")


def _result(raw: object, where: str) -> tuple[ResultField, ...]:
    if not isinstance(raw, list):
        raise ItemsFileError(f"{where}: result must be a list of tables")
    out: list[ResultField] = []
    for entry in raw:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("code"), str)
            or entry.get("type") not in RESULT_TYPES
        ):
            raise ItemsFileError(
                f"{where}: each result needs a code and a type among {', '.join(RESULT_TYPES)}"
            )
        out.append(ResultField(entry["code"], entry["type"], bool(entry.get("required", True))))
    if len({f.code for f in out}) != len(out):
        raise ItemsFileError(f"{where}: a result field is listed twice")
    return tuple(out)


def _applies_to(raw: dict[str, object], where: str) -> str | None:
    """The item's `applies_to` rule: "everyone" (the default, as the plan's six items) or an
    answer that must be true; None stands for everyone."""
    if "when" in raw:
        raise ItemsFileError(f"{where}: 'when' is now 'applies_to'")
    rule = raw.get("applies_to", EVERYONE)
    if rule == EVERYONE:
        return None
    if rule not in ANSWER_FIELDS:
        raise ItemsFileError(
            f"{where}: applies_to must be {EVERYONE!r} or one of {', '.join(ANSWER_FIELDS)}"
        )
    assert isinstance(rule, str)
    return rule


def _item(raw: object, form_fields: frozenset[str], source: Path) -> ItemDef:
    if not isinstance(raw, dict) or not isinstance(raw.get("code"), str):
        raise ItemsFileError(f"{source}: every [[items]] entry needs a code")
    where = f"{source}: item {raw['code']}"
    for key in ("name_zh", "office", "office_name_zh"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ItemsFileError(f"{where}: {key} is required")
    fields = _strings(raw.get("fields", []), where, "fields")
    unknown = [f for f in fields if f not in form_fields]
    if unknown:
        raise ItemsFileError(f"{where}: fields not on the form: {', '.join(unknown)}")
    materials = _strings(raw.get("materials", []), where, "materials")
    unknown = [m for m in materials if m not in MATERIAL_CODES]
    if unknown:
        raise ItemsFileError(f"{where}: unknown materials: {', '.join(unknown)}")
    when = _applies_to(raw, where)
    routed_by = raw.get("office_routed_by")
    if routed_by is not None and routed_by not in fields:
        raise ItemsFileError(f"{where}: office_routed_by must be one of the item's fields")
    clock = _clock(raw.get("clock"), where)
    if not clock.kind == "online_by_applicant" and not fields:
        raise ItemsFileError(f"{where}: an item sent to an office needs fields to identify")
    return ItemDef(
        code=raw["code"],
        name_zh=raw["name_zh"],
        office=raw["office"],
        office_name_zh=raw["office_name_zh"],
        clock=clock,
        fields=fields,
        materials=materials,
        result=_result(raw.get("result", []), where),
        when=when,
        office_routed_by=routed_by,
    )


def parse_items(path: Path) -> tuple[tuple[ItemDef, ...], tuple[str, ...]]:
    """(items, form fields) of an items file, checked; raises ItemsFileError."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    form = data.get("form", {})
    form_fields = _strings(
        form.get("fields", []) if isinstance(form, dict) else None, f"{path}: [form]", "fields"
    )
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ItemsFileError(f"{path}: no [[items]]")
    items = tuple(_item(raw, frozenset(form_fields), path) for raw in raw_items)
    codes = [i.code for i in items]
    if len(set(codes)) != len(codes):
        raise ItemsFileError(f"{path}: an item code is used twice")
    for i in items:
        if i.clock.after is not None and (i.clock.after not in codes or i.clock.after == i.code):
            raise ItemsFileError(f"{path}: item {i.code}: clock.after names no other item")
    _check_no_cycle(items, path)
    return items, form_fields


def _check_no_cycle(items: Sequence[ItemDef], path: Path) -> None:
    after = {i.code: i.clock.after for i in items}
    for start in after:
        seen = {start}
        nxt = after[start]
        while nxt is not None:
            if nxt in seen:
                raise ItemsFileError(f"{path}: item {start}: clocks wait on each other in a cycle")
            seen.add(nxt)
            nxt = after[nxt]
