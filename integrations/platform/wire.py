"""The JSON shapes of the HTTP contract (docs/platform-openapi.yaml), both directions.

One module turns our dataclasses into the contract's JSON and back, so the client, the server
and the callback endpoint cannot disagree about a field name.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
from cases.platform.port import (
    ItemState,
    MaterialRef,
    PageRef,
    PlatformStatus,
    SubmitReceipt,
    SubmitRequest,
    SupplementReceipt,
    SupplementRequest,
)
from integrations.platform import limits, request_checks
from integrations.platform.limits import WireError as WireError  # every *_from_json raises it
from policy.items import item as policy_item
from policy.materials import MATERIAL_CODES


def ts(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, the contract's only time format."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_ts(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError) as exc:
        raise WireError(f"bad timestamp {value!r}") from exc
    if parsed.tzinfo is None:
        raise WireError(f"timestamp without time zone {value!r}")
    return parsed.astimezone(UTC)


def _req(data: dict[str, Any], name: str, kind: type = str) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or (kind is str and not value):
        raise WireError(f"field {name!r} missing or not a {kind.__name__}")
    return value


# --- submit / supplement -------------------------------------------------------------------


def submit_to_json(req: SubmitRequest) -> dict[str, Any]:
    return {
        "case_number": req.case_number,
        "form": req.form,
        "materials": [
            {
                "code": m.code,
                "sha256": list(m.sha256),
                "mime": m.mime,
                "pages": m.pages,
                "lost": m.lost,
            }
            for m in req.materials
        ],
    }


def submit_from_json(data: dict[str, Any], idempotency_key: str) -> SubmitRequest:
    if not isinstance(data, dict):
        raise WireError("body must be an object")
    request_checks.check_submission(data, idempotency_key)  # as the OpenAPI file says
    materials = data.get("materials", [])
    if not isinstance(materials, list):
        raise WireError("materials must be a list")
    refs = []
    for m in materials:
        if not isinstance(m, dict):
            raise WireError("each material must be an object")
        hashes = m.get("sha256", [])
        if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
            raise WireError("material sha256 must be a list of strings")
        refs.append(
            MaterialRef(
                code=_req(m, "code"),
                sha256=tuple(hashes),
                mime=str(m.get("mime", "image/jpeg")),
                pages=int(m.get("pages", len(hashes))),
                lost=bool(m.get("lost", False)),
            )
        )
    form = data.get("form", {})
    if not isinstance(form, dict):
        raise WireError("form must be an object")
    return SubmitRequest(_req(data, "case_number"), form, tuple(refs), idempotency_key)


def receipt_to_json(r: SubmitReceipt) -> dict[str, Any]:
    return {
        "case_number": r.case_number,
        "platform_ref": r.platform_ref,
        "received_at": ts(r.received_at),
        "duplicate": r.duplicate,
    }


def receipt_from_json(data: dict[str, Any]) -> SubmitReceipt:
    return SubmitReceipt(
        case_number=_req(data, "case_number"),
        platform_ref=_req(data, "platform_ref"),
        received_at=parse_ts(_req(data, "received_at")) or datetime.now(UTC),
        duplicate=bool(data.get("duplicate", False)),
    )


def supplement_to_json(req: SupplementRequest) -> dict[str, Any]:
    return {
        "material_code": req.material_code,
        "pages": [{"sha256": p.sha256, "mime": p.mime} for p in req.pages],
        "lost": req.lost,
    }


def supplement_from_json(
    case_number: str, data: dict[str, Any], idempotency_key: str
) -> SupplementRequest:
    request_checks.check_supplement(data, idempotency_key)  # as the OpenAPI file says
    pages = data.get("pages", [])
    lost = data.get("lost", False) is True
    if not isinstance(pages, list) or not all(isinstance(p, dict) for p in pages):
        raise WireError("pages must be a list of objects")
    if not (pages or lost):
        raise WireError("pages must be a non-empty list (or the material lost)")
    return SupplementRequest(
        case_number=case_number,
        material_code=_req(data, "material_code"),
        pages=tuple(PageRef(_req(p, "sha256"), str(p.get("mime", "image/jpeg"))) for p in pages),
        idempotency_key=idempotency_key,
        lost=lost,
    )


def supplement_receipt_to_json(r: SupplementReceipt) -> dict[str, Any]:
    return {
        "case_number": r.case_number,
        "material_code": r.material_code,
        "duplicate": r.duplicate,
    }


def supplement_receipt_from_json(data: dict[str, Any]) -> SupplementReceipt:
    return SupplementReceipt(
        _req(data, "case_number"), _req(data, "material_code"), bool(data.get("duplicate", False))
    )


# --- status ----------------------------------------------------------------------------------


def status_to_json(s: PlatformStatus) -> dict[str, Any]:
    return {
        "case_number": s.case_number,
        "status": s.status,
        "items": [
            {
                "item": i.item,
                "office": i.office,
                "status": i.status,
                "due_at": ts(i.due_at),
                "answered_at": ts(i.answered_at),
            }
            for i in s.items
        ],
    }


def status_from_json(data: dict[str, Any]) -> PlatformStatus:
    return PlatformStatus(
        case_number=_req(data, "case_number"),
        status=_req(data, "status"),
        items=tuple(
            ItemState(
                i["item"],
                i["office"],
                i["status"],
                parse_ts(i.get("due_at")),
                parse_ts(i.get("answered_at")),
            )
            for i in data.get("items", [])
        ),
    )


# --- events ----------------------------------------------------------------------------------


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
        out["materials"] = [{"code": m.code, "reason": m.reason} for m in event.materials]
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
    if kind == "accepted":
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
    if kind == "returned_for_correction":
        materials = []
        for n, raw in enumerate(
            limits.bounded_list(data.get("materials"), "materials", min_items=1)
        ):
            m = limits.obj(raw, f"materials[{n}]")
            materials.append(
                MaterialIssue(
                    _material(m.get("code"), f"materials[{n}].code"),
                    limits.text(m.get("reason"), f"materials[{n}].reason"),
                )
            )
        return ReturnedForCorrection(**common, materials=tuple(materials))
    if kind == "item_dispatched":
        return ItemDispatched(
            **common,
            item=_item_at_office(data.get("item"), data.get("office")),
            office=data["office"],
            due_at=limits.optional_timestamp(data.get("due_at"), "due_at"),
        )
    if kind == "item_answered":
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
    if kind == "all_answered":
        return AllAnswered(**common)
    return ResultNoticeReady(**common)


def _item_at_office(item: Any, office: Any, where: str = "") -> str:
    """The item code, if policy/items.toml knows it and `office` is the office that handles it."""
    prefix = f"{where}." if where else ""
    code = limits.code(item, f"{prefix}item")
    limits.code(office, f"{prefix}office")
    try:
        definition = policy_item(code)
    except KeyError as exc:
        raise WireError(f"unknown item {code!r} ({prefix}item)") from exc
    if definition.office != office:
        raise WireError(f"item {code!r} is handled by {definition.office!r}, not {office!r}")
    return code


def _material(value: Any, name: str) -> str:
    code = limits.code(value, name)
    if code not in MATERIAL_CODES:
        raise WireError(f"unknown material {code!r} ({name})")
    return code
