"""The events the approval platform sends back, in our own types.

Each is applied to the case record exactly once by its handler (`cases.platform.handlers`);
the wire format (`integrations.platform.wire`) turns them into the contract's JSON and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ItemOutcome = Literal["done", "supplement", "refused"]


@dataclass(frozen=True)
class MaterialIssue:
    code: str
    reason: str


@dataclass(frozen=True)
class DispatchedItem:
    """An item sent to its office; `due_at` None while it waits for another item's answer;
    `online` True for items the applicant completes online (housing fund)."""

    item: str
    office: str
    due_at: datetime | None = None
    online: bool = False


@dataclass(frozen=True)
class Accepted:
    case_number: str
    event_id: str
    at: datetime
    items: tuple[DispatchedItem, ...] = ()
    kind: Literal["accepted"] = "accepted"


@dataclass(frozen=True)
class ReturnedForCorrection:
    case_number: str
    event_id: str
    at: datetime
    materials: tuple[MaterialIssue, ...] = ()
    kind: Literal["returned_for_correction"] = "returned_for_correction"


@dataclass(frozen=True)
class ItemDispatched:
    """A waiting item starts its clock (medical insurance after the pension decision)."""

    case_number: str
    event_id: str
    at: datetime
    item: str = ""
    office: str = ""
    due_at: datetime | None = None
    kind: Literal["item_dispatched"] = "item_dispatched"


@dataclass(frozen=True)
class ItemAnswered:
    case_number: str
    event_id: str
    at: datetime
    item: str = ""
    office: str = ""
    result: ItemOutcome = "done"
    data: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    kind: Literal["item_answered"] = "item_answered"


@dataclass(frozen=True)
class AllAnswered:
    case_number: str
    event_id: str
    at: datetime
    kind: Literal["all_answered"] = "all_answered"


@dataclass(frozen=True)
class ResultNoticeReady:
    case_number: str
    event_id: str
    at: datetime
    kind: Literal["result_notice_ready"] = "result_notice_ready"


PlatformEvent = (
    Accepted
    | ReturnedForCorrection
    | ItemDispatched
    | ItemAnswered
    | AllAnswered
    | ResultNoticeReady
)
EVENT_KINDS: dict[str, type] = {
    "accepted": Accepted,
    "returned_for_correction": ReturnedForCorrection,
    "item_dispatched": ItemDispatched,
    "item_answered": ItemAnswered,
    "all_answered": AllAnswered,
    "result_notice_ready": ResultNoticeReady,
}
