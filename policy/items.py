"""The items (事项) of the "one thing", their offices, clocks and what each office may see.

The definitions live in `policy/items.toml` (configuration, not code: the plan adds items
later). This module reads and checks that file and answers questions about it; it never
hard-codes an item. Least privilege is expressed here: `ItemDef.fields` and
`ItemDef.materials` are all the office of that item may see.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Literal

from policy.answers import ANSWER_FIELDS, Answers
from policy.material_codes import MATERIAL_CODES
from policy.workdays import OfficeHours, WorkCalendar, load_calendar

DEFAULT_ITEMS_FILE = Path(__file__).with_name("items.toml")

ClockKind = Literal["hours", "working_days_after", "online_by_applicant"]
ResultType = Literal["money", "date", "integer", "number", "boolean", "text"]
CLOCK_KINDS: tuple[str, ...] = ("hours", "working_days_after", "online_by_applicant")
RESULT_TYPES: tuple[str, ...] = ("money", "date", "integer", "number", "boolean", "text")


class ItemsFileError(ValueError):
    """The items file is malformed; the message names the file and the item."""


@dataclass(frozen=True)
class Clock:
    kind: ClockKind
    hours: float | None = None  # kind "hours": office hours on working days
    working_days: int | None = None  # kind "working_days_after"
    after: str | None = None  # kind "working_days_after": the item whose result starts it


@dataclass(frozen=True)
class ResultField:
    code: str
    type: ResultType
    required: bool


@dataclass(frozen=True)
class ItemDef:
    code: str
    name_zh: str
    office: str
    office_name_zh: str
    clock: Clock
    fields: tuple[str, ...]
    materials: tuple[str, ...]
    result: tuple[ResultField, ...]
    when: str | None = None  # an Answers field that must be True for the item to apply
    office_routed_by: str | None = None  # a form field that picks the concrete office

    @property
    def name_key(self) -> str:
        return f"item.{self.code}.name"

    @property
    def office_name_key(self) -> str:
        return f"office.{self.office}.name"

    @property
    def dispatched(self) -> bool:
        """False when the applicant does it online: nothing is sent to the office."""
        return self.clock.kind != "online_by_applicant"

    def applies_to(self, answers: Answers) -> bool:
        return self.when is None or getattr(answers, self.when) is True

    def visible_fields(self, form: Mapping[str, object]) -> dict[str, object]:
        """The part of the one form this item's office may see."""
        return {k: form[k] for k in self.fields if k in form}

    def validate_result(self, data: Mapping[str, object]) -> tuple[str, ...]:
        """Problems in an office's "done" data: `missing:<code>`, `invalid:<code>`,
        `unknown:<code>`; empty when it is acceptable."""
        known = {f.code: f for f in self.result}
        problems: list[str] = [f"unknown:{k}" for k in data if k not in known]
        for f in self.result:
            if data.get(f.code) is None:
                if f.required:
                    problems.append(f"missing:{f.code}")
            elif not _valid_value(f.type, data[f.code]):
                problems.append(f"invalid:{f.code}")
        return tuple(problems)


def _valid_value(kind: str, value: object) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):  # bool is an int: never a count or an amount
        return False
    if kind == "integer":
        return isinstance(value, int) and value >= 0
    if kind == "number":
        return isinstance(value, int | float | Decimal) and value >= 0
    if kind == "money":
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return False
        exponent = amount.as_tuple().exponent
        return amount.is_finite() and amount >= 0 and isinstance(exponent, int) and exponent >= -2
    if kind == "date":
        if isinstance(value, date) and not isinstance(value, datetime):
            return True
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return False
        return True
    return isinstance(value, str) and value.strip() != ""  # text


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
    when = raw.get("when")
    if when is not None and when not in ANSWER_FIELDS:
        raise ItemsFileError(f"{where}: when must be one of {', '.join(ANSWER_FIELDS)}")
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


@cache
def _default() -> tuple[tuple[ItemDef, ...], tuple[str, ...]]:
    return parse_items(DEFAULT_ITEMS_FILE)


def load_items(path: Path | None = None) -> tuple[ItemDef, ...]:
    """The items in file order; the default file is read once per process."""
    return _default()[0] if path is None else parse_items(path)[0]


def form_fields(path: Path | None = None) -> tuple[str, ...]:
    """The fields of the one form that items may name."""
    return _default()[1] if path is None else parse_items(path)[1]


def item(code: str, items: Sequence[ItemDef] | None = None) -> ItemDef:
    for candidate in items if items is not None else load_items():
        if candidate.code == code:
            return candidate
    raise KeyError(f"unknown item {code!r}")


def applicable_items(
    answers: Answers, items: Sequence[ItemDef] | None = None
) -> tuple[ItemDef, ...]:
    """The items this applicant's case starts (veteran_check only for veterans)."""
    return tuple(
        i for i in (items if items is not None else load_items()) if i.applies_to(answers)
    )


def due_at(
    definition: ItemDef,
    dispatched_at: datetime,
    prerequisite_done_at: datetime | None = None,
    office_hours: OfficeHours | None = None,
    calendar: WorkCalendar | None = None,
) -> datetime | None:
    """When the office's answer is due; None when there is no office clock (or not yet).

    - hours: counted in office hours on working days from dispatch;
    - working_days_after: the close of office on the N-th working day after the prerequisite
      item was done; None while it is not done;
    - online_by_applicant: None.
    """
    cal = calendar or load_calendar()
    clock = definition.clock
    if clock.kind == "hours":
        assert clock.hours is not None
        return cal.deadline_in_office_hours(dispatched_at, clock.hours, office_hours)
    if clock.kind == "working_days_after":
        if prerequisite_done_at is None:
            return None
        assert clock.working_days is not None
        oh = office_hours or OfficeHours()
        done = prerequisite_done_at
        local = done.astimezone(oh.tz) if done.tzinfo else done.replace(tzinfo=oh.tz)
        day = cal.add_working_days(local.date(), clock.working_days)
        return cal.end_of_office_day(day, oh)
    return None
