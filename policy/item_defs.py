"""What an item (事项) is: its office, clock, the fields and materials that office may see, and
the result it reports.

Kept apart from `policy/items_file.py` (which reads the TOML file into these) so the reader
depends on the shapes and the look-ups in `policy/items.py` depend on both, with no circle.
Least privilege is expressed here: `ItemDef.fields` and `ItemDef.materials` are all the office
of that item may see; `validate_result` is what an office's "done" data must satisfy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from policy.answers import Answers

ClockKind = Literal["hours", "working_days_after", "online_by_applicant"]
ResultType = Literal["money", "date", "month", "integer", "number", "boolean", "text"]
CLOCK_KINDS: tuple[str, ...] = ("hours", "working_days_after", "online_by_applicant")
RESULT_TYPES: tuple[str, ...] = (
    "money",
    "date",
    "month",
    "integer",
    "number",
    "boolean",
    "text",
)
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")  # a calendar month, YYYY-MM


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
    if kind == "month":
        return isinstance(value, str) and _MONTH.match(value.strip()) is not None
    if kind == "date":
        if isinstance(value, date) and not isinstance(value, datetime):
            return True
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return False
        return True
    return isinstance(value, str) and value.strip() != ""  # text
