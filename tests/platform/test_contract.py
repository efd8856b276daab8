"""The documented contract and the code agree: routes, event shapes, signatures."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cases.db import Database
from cases.files import open_file_store
from cases.platform.events import (
    Accepted,
    AllAnswered,
    DispatchedItem,
    ItemAnswered,
    ItemDispatched,
    MaterialIssue,
    ResultNoticeReady,
    ReturnedForCorrection,
)
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.http_server import Security, build_app
from integrations.platform.signing import SignatureError, sign, signed_headers, verify
from integrations.platform.wire import WireError
from integrations.platform.wire_events import event_from_json, event_to_json

DOCS = Path(__file__).resolve().parents[2] / "docs"
AT = datetime(2026, 4, 30, 1, 0, tzinfo=UTC)


def test_every_route_of_the_server_is_in_the_openapi_file_and_back(
    db: Database, tmp_path: Path
) -> None:
    text = (DOCS / "platform-openapi.yaml").read_text(encoding="utf-8")
    documented: set[tuple[str, str]] = set()
    path = None
    for line in text.splitlines():
        if m := re.match(r"^  (/\S+):$", line):
            path = m[1]
        elif path and (m := re.match(r"^    (get|post|put|delete):$", line)):
            documented.add((m[1].upper(), path))
    files = open_file_store(tmp_path / "files", 1_000_000, db.require_vault())  # pages route
    app = build_app(
        platform=EmbeddedPlatform(db), callback_db=db, files=files, security=Security(b"s")
    )
    served = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.method != "HEAD"
        and route.resource.canonical != "/healthz"
    }
    assert served == documented


@pytest.mark.parametrize(
    "event",
    [
        Accepted(
            "YJ-20260430-0001",
            "e1",
            AT,
            (
                DispatchedItem("pension_claim", "social_insurance_center", AT),
                DispatchedItem("medical_insurance", "medical_security_bureau", None),
                DispatchedItem("housing_fund", "housing_fund_yiqi", None, True),
            ),
        ),
        ReturnedForCorrection("YJ-20260430-0001", "e2", AT, (MaterialIssue("id_card", "模糊"),)),
        ItemDispatched(
            "YJ-20260430-0001",
            "e3",
            AT,
            item="medical_insurance",
            office="medical_security_bureau",
            due_at=AT,
        ),
        ItemAnswered(
            "YJ-20260430-0001",
            "e4",
            AT,
            item="medical_insurance",
            office="medical_security_bureau",
            result="done",
            data={"contribution_months": 312, "back_payment_due": "0.00"},
        ),
        ItemAnswered(
            "YJ-20260430-0001",
            "e5",
            AT,
            item="pension_claim",
            office="social_insurance_center",
            result="refused",
            reason="未达到最低缴费年限",
        ),
        AllAnswered("YJ-20260430-0001", "e6", AT),
        ResultNoticeReady("YJ-20260430-0001", "e7", AT),
    ],
)
def test_every_event_survives_the_wire(event: object) -> None:
    assert event_from_json(event_to_json(event)) == event  # type: ignore[arg-type]


def test_malformed_events_are_refused_with_a_reason() -> None:
    base = {"event_id": "x", "case_number": "YJ-20260430-0001", "at": "2026-04-30T01:00:00Z"}
    with pytest.raises(WireError, match="unknown event kind"):
        event_from_json({**base, "kind": "launched"})
    with pytest.raises(WireError, match="time zone"):
        event_from_json({**base, "kind": "all_answered", "at": "2026-04-30T01:00:00"})
    with pytest.raises(WireError, match="bad result"):
        event_from_json(
            {
                **base,
                "kind": "item_answered",
                "item": "pension_claim",
                "office": "social_insurance_center",
                "result": "maybe",
            }
        )


def test_signature_covers_method_path_timestamp_nonce_and_body() -> None:
    secret, body = b"k", b'{"a":1}'
    headers = signed_headers(secret, "POST", "/v1/cases", body, 1_790_000_000)
    assert verify(secret, "POST", "/v1/cases", headers, body, 1_790_000_100, 300)
    for method, path, changed_body in [
        ("GET", "/v1/cases", body),
        ("POST", "/v1/x", body),
        ("POST", "/v1/cases", b'{"a":2}'),
    ]:
        with pytest.raises(SignatureError, match="bad_signature"):
            verify(secret, method, path, headers, changed_body, 1_790_000_000, 300)
    moved = {**headers, "X-Timestamp": "1790000001"}
    with pytest.raises(SignatureError, match="bad_signature"):
        verify(secret, "POST", "/v1/cases", moved, body, 1_790_000_000, 300)
    with pytest.raises(SignatureError, match="stale_timestamp"):
        verify(secret, "POST", "/v1/cases", headers, body, 1_790_000_301, 300)
    # A known vector (also in docs/platform-contract.md), for other implementations:
    # canonical = "POST\n/v1/cases\n1790000000\n0123456789abcdef\n" + sha256("{}")
    assert sign(b"secret", "POST", "/v1/cases", "1790000000", "0123456789abcdef", b"{}") == (
        "v1=fde6d44c9fb881f8d0c26dcf3e5fbe9957955c30f912fb589a0f2150b020f4c8"
    )
