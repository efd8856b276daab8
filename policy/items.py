"""The items (事项) of the "one thing", their offices, clocks and what each office may see.

The definitions live in `policy/items.toml` (configuration, not code: the plan adds items
later). `policy/items_file.py` reads and checks that file into the shapes of
`policy/item_defs.py`; this module answers questions about the items (which apply, when an
office's answer is due) and never hard-codes an item. The shapes and the reader are
re-exported here because the rest of the code imports them from `policy.items`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path

from policy.answers import Answers
from policy.item_defs import (
    CLOCK_KINDS,
    RESULT_TYPES,
    Clock,
    ClockKind,
    ItemDef,
    ItemsFileError,
    ResultField,
    ResultType,
)
from policy.items_file import parse_items
from policy.towns import find_town, offices_of
from policy.workdays import OfficeHours, WorkCalendar, load_calendar

__all__ = [
    "CLOCK_KINDS",
    "DEFAULT_ITEMS_FILE",
    "RESULT_TYPES",
    "Clock",
    "ClockKind",
    "ItemDef",
    "ItemsFileError",
    "ResultField",
    "ResultType",
    "applicable_items",
    "due_at",
    "form_fields",
    "item",
    "load_items",
    "office_codes",
    "offices_of",
    "parse_items",
    "route_office",
]

DEFAULT_ITEMS_FILE = Path(__file__).with_name("items.toml")


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


def office_codes(items: Sequence[ItemDef] | None = None) -> tuple[str, ...]:
    """Every office that answers items (staff roles), in the file's order."""
    chosen = items if items is not None else load_items()
    return tuple(dict.fromkeys(o for i in chosen if i.dispatched for o in offices_of(i)))


def route_office(definition: ItemDef, form: Mapping[str, object]) -> str | None:
    """The concrete office of the item for this form: the item's office, or the office of the
    town the form names; None when the clerk must assign it ("other / not sure", unknown)."""
    if definition.office_routed_by is None:
        return definition.office
    value = form.get(definition.office_routed_by)
    found = find_town(value) if isinstance(value, str) else None
    return found.office if found is not None else None


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
