"""The JSON shapes of the HTTP contract (docs/platform-openapi.yaml), both directions.

One module turns our requests and receipts into the contract's JSON and back, so the client
and the server cannot disagree about a field name; the events of the callback endpoint, which
are checked against policy as well, are `integrations/platform/wire_events.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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
from integrations.platform import request_checks
from integrations.platform.limits import WireError as WireError  # every *_from_json raises it


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
                **({"urls": list(m.urls)} if m.urls else {}),
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
                urls=tuple(m.get("urls") or ()),
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
        "pages": [
            {"sha256": p.sha256, "mime": p.mime, **({"url": p.url} if p.url else {})}
            for p in req.pages
        ],
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
        pages=tuple(
            PageRef(_req(p, "sha256"), str(p.get("mime", "image/jpeg")), p.get("url"))
            for p in pages
        ),
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
