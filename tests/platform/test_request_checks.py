"""Submissions and supplements are checked field by field before the platform records them:
the attacks of issue 14 each get a 422 (WireError), a sound request passes."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.platform import wire, wire_events
from integrations.platform.limits import WireError

PAGE = "ab" * 32
GOOD: dict[str, Any] = {
    "case_number": "YJ-20261126-0001",
    "form": {"name": "王建国", "contribution_months": 360, "has_employer": True},
    "materials": [{"code": "id_card", "sha256": [PAGE, PAGE], "mime": "image/jpeg", "pages": 2}],
}


def submission(**change: Any) -> dict[str, Any]:
    return {**GOOD, **change}


def material(**change: Any) -> dict[str, Any]:
    return submission(materials=[{**GOOD["materials"][0], **change}])


@pytest.mark.parametrize(
    "body",
    [
        submission(case_number="YJ-20261126-" + "1" * 100_000),
        submission(case_number=""),
        material(code="../../x"),
        material(pages=-5),
        material(pages="abc"),
        material(mime="text/html"),
        material(mime={}),
        material(sha256=["../../etc/passwd"]),
        submission(form={"Bad Key": "x"}),
        submission(form={"name": {"nested": "object"}}),
        submission(form={f"f{i}": 1 for i in range(65)}),
        submission(materials=[{"code": "id_card"}] * 33),
    ],
)
def test_a_submission_outside_the_contract_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(WireError):
        wire.submit_from_json(body, "submit:1")


def test_a_sound_submission_passes_and_an_overlong_idempotency_key_does_not() -> None:
    assert wire.submit_from_json(GOOD, "submit:1").case_number == "YJ-20261126-0001"
    with pytest.raises(WireError):
        wire.submit_from_json(GOOD, "k" * 129)


@pytest.mark.parametrize(
    "body",
    [
        {"material_code": "../../x", "pages": [{"sha256": PAGE}]},
        {"material_code": "id_card", "pages": [{"sha256": PAGE, "mime": "text/html"}]},
        {"material_code": "id_card", "pages": [{"sha256": "x" * 1_000_000}]},
        {"material_code": "id_card", "pages": [{"sha256": PAGE}] * 101},
        {"material_code": "id_card", "pages": [], "lost": "yes"},
    ],
)
def test_a_supplement_outside_the_contract_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(WireError):
        wire.supplement_from_json("YJ-20261126-0001", body, "supplement:1")


def test_an_event_id_of_a_megabyte_and_a_kind_that_is_an_object_are_refused() -> None:
    event = {"kind": "accepted", "case_number": "YJ-20261126-0001", "at": "2026-11-26T02:00:00Z"}
    with pytest.raises(WireError):
        wire_events.event_from_json({**event, "event_id": "e" * 1_000_000})
    with pytest.raises(WireError):
        wire_events.event_from_json({**event, "event_id": "e1", "kind": {}})
