"""The JSON shape of the platform's events (docs/platform-openapi.yaml), both directions.

Apart from the requests in `integrations/platform/wire.py` because an event arrives from
outside and is checked more strictly: against the contract's limits
(`integrations.platform.limits`) and against policy (the item must be one policy/items.toml
knows, at the office that handles it; a material must be a known code; a "done" answer's data
must satisfy the item's result). One reader per event kind, in a table, so that a kind reads
at a glance.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cases.platform.events import (
    EVENT_KINDS,
    Accepted,
    AllAnswered,
    DispatchedItem,
    ItemAnswered,
    ItemDispatched,
    MaterialIssue,
    PlatformEvent,
    ResultNoticeReady,
    ReturnedForCorrection,
)
from integrations.platform import limits
from integrations.platform.limits import WireError
from integrations.platform.wire import ts
from policy.items import item as policy_item
from policy.items import offices_of
from policy.materials import MATERIAL_CODES

HEX64 = re.compile(r"[0-9a-f]{64}")


def _file_hashes(value: Any, name: str) -> tuple[str, ...]:
    """The files of a material to send again (absent: the whole material): hex digests."""
    if value is None:
        return ()
    hashes = limits.bounded_list(value, name)
    if not all(isinstance(h, str) and HEX64.fullmatch(h) for h in hashes):
        raise WireError(f"{name} must list 64-character hex digests")
    return tuple(hashes)


def event_to_json(event: PlatformEvent) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": event.kind,
        "event_id": event.event_id,
        "case_number": event.case_number,
        "at": ts(event.at),
    }
    if isinstance(event, Accepted):
        out["items"] = [
            {"item": i.item, "office": i.office, "due_at": ts(i.due_at), "online": i.online}
            for i in event.items
        ]
    elif isinstance(event, ReturnedForCorrection):
        out["materials"] = [
            {"code": m.code, "reason": m.reason, **({"files": list(m.files)} if m.files else {})}
            for m in event.materials
        ]
    elif isinstance(event, ItemDispatched):
        out.update(item=event.item, office=event.office, due_at=ts(event.due_at))
    elif isinstance(event, ItemAnswered):
        out.update(
            item=event.item,
            office=event.office,
            result=event.result,
            data=event.data,
            reason=event.reason,
        )
    return out


def event_from_json(data: dict[str, Any]) -> PlatformEvent:
    """The event in a request body, checked against the contract's limits
    (`integrations.platform.limits`) and the policy's codes; raises WireError (a 4xx)."""
    data = dict(limits.obj(data, "event"))
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_KINDS:  # {} is unhashable: a 500
        raise WireError(f"unknown event kind {str(kind)[:40]!r}")
    common: dict[str, Any] = {
        "case_number": limits.case_number(data.get("case_number")),
        "event_id": limits.event_id(data.get("event_id")),
        "at": limits.timestamp(data.get("at"), "at"),
    }
    return _READERS[kind](data, common)


def _accepted(data: dict[str, Any], common: dict[str, Any]) -> PlatformEvent:
    items = []
    for n, raw in enumerate(limits.bounded_list(data.get("items"), "items", min_items=1)):
        i = limits.obj(raw, f"items[{n}]")
        code = _item_at_office(i.get("item"), i.get("office"), f"items[{n}]")
        items.append(
            DispatchedItem(
                code,
                i["office"],
                limits.optional_timestamp(i.get("due_at"), f"items[{n}].due_at"),
                limits.boolean(i.get("online"), f"items[{n}].online"),
            )
        )
    if len({i.item for i in items}) != len(items):
        raise WireError("items lists an item twice")
    return Accepted(**common, items=tuple(items))


def _returned_for_correction(data: dict[str, Any], common: dict[str, Any]) -> PlatformEvent:
    materials = []
    for n, raw in enumerate(limits.bounded_list(data.get("materials"), "materials", min_items=1)):
        m = limits.obj(raw, f"materials[{n}]")
        materials.append(
            MaterialIssue(
                _material(m.get("code"), f"materials[{n}].code"),
                limits.text(m.get("reason"), f"materials[{n}].reason"),
                _file_hashes(m.get("files"), f"materials[{n}].files"),
            )
        )
    return ReturnedForCorrection(**common, materials=tuple(materials))


def _item_dispatched(data: dict[str, Any], common: dict[str, Any]) -> PlatformEvent:
    return ItemDispatched(
        **common,
        item=_item_at_office(data.get("item"), data.get("office")),
        office=data["office"],
        due_at=limits.optional_timestamp(data.get("due_at"), "due_at"),
    )


def _item_answered(data: dict[str, Any], common: dict[str, Any]) -> PlatformEvent:
    result = data.get("result")
    if result not in ("done", "supplement", "refused"):
        raise WireError(f"bad result {str(result)[:40]!r}")
    item = _item_at_office(data.get("item"), data.get("office"))
    payload = limits.answer_data(data.get("data"))
    reason = limits.optional_text(data.get("reason"), "reason")
    if result == "done":
        problems = policy_item(item).validate_result(payload)
        if problems:
            raise WireError(f"data of a done {item} answer: {', '.join(problems)}")
    elif not (reason or "").strip():
        raise WireError(f"a {result} answer needs a reason")
    return ItemAnswered(
        **common,
        item=item,
        office=data["office"],
        result=result,
        data=payload,
        reason=reason,
    )


def _all_answered(data: dict[str, Any], common: dict[str, Any]) -> PlatformEvent:
    return AllAnswered(**common)


def _result_notice_ready(data: dict[str, Any], common: dict[str, Any]) -> PlatformEvent:
    return ResultNoticeReady(**common)


_READERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], PlatformEvent]] = {
    "accepted": _accepted,
    "returned_for_correction": _returned_for_correction,
    "item_dispatched": _item_dispatched,
    "item_answered": _item_answered,
    "all_answered": _all_answered,
    "result_notice_ready": _result_notice_ready,
}


def _item_at_office(item: Any, office: Any, where: str = "") -> str:
    """The item code, if policy/items.toml knows it and `office` is the office that handles it."""
    prefix = f"{where}." if where else ""
    code = limits.code(item, f"{prefix}item")
    limits.code(office, f"{prefix}office")
    try:
        definition = policy_item(code)
    except KeyError as exc:
        raise WireError(f"unknown item {code!r} ({prefix}item)") from exc
    # The item's own office code; for the item routed by the town, also each town's office.
    if office != definition.office and office not in offices_of(definition):
        raise WireError(f"item {code!r} is handled by {definition.office!r}, not {office!r}")
    return code


def _material(value: Any, name: str) -> str:
    code = limits.code(value, name)
    if code not in MATERIAL_CODES:
        raise WireError(f"unknown material {code!r} ({name})")
    return code
