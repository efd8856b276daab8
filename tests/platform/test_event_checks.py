"""Every platform event is checked before it changes anything: through the real signed
callback endpoint over loopback, an event that does not fit the case's state gets 409, an
unknown item or the wrong office 422, an oversized, deeply nested or absurd body 400/413/422
(never a 500), and the case store is exactly as it was: case status, item results, material
pages, inbox, notifications, audit log, even the nonce."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from cases.db import Database
from cases.errors import IllegalTransition
from cases.models import AuditLog, Case, ItemResult, MaterialPage, NotificationOutbox
from cases.models.platform import EmbItem, InboxEvent, SeenNonce
from cases.platform.delivery import drain_platform_outbox
from cases.platform.events import (
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
from cases.platform.fit import EventDoesNotFit
from cases.repositories.case_records import find_case_by_number, move_case
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.http_server import CALLBACK_PATH, Security, build_app
from integrations.platform.limits import MAX_EVENT_BODY_BYTES, json_depth_exceeds
from integrations.platform.signing import sign, signed_headers
from integrations.platform.wire_events import event_to_json
from tests.platform.conftest import FakeClock, submitted_case

SECRET = b"event-checks-secret"
PENSION = ("pension_claim", "social_insurance_center")
MEDICAL = ("medical_insurance", "medical_security_bureau")
VETERAN = ("veteran_check", "veterans_affairs_bureau")


async def snapshot(db: Database) -> dict[str, Any]:
    """Everything an event could change on our side, with the values, not only counts."""

    def read(session: Any) -> dict[str, Any]:
        return {
            "cases": [
                (c.number, c.status, c.accepted_at, c.results_ready_at)
                for c in session.scalars(select(Case).order_by(Case.id))
            ],
            "items": [
                (r.item_code, r.office_code, r.status, r.due_at, r.answered_at, r.data, r.reason)
                for r in session.scalars(
                    select(ItemResult).order_by(ItemResult.case_id, ItemResult.item_code)
                )
            ],
            "pages": [
                (p.material_code, p.status, p.reject_reason)
                for p in session.scalars(select(MaterialPage).order_by(MaterialPage.id))
            ],
            "inbox": sorted(session.scalars(select(InboxEvent.event_id))),
            "pushes": sorted(session.scalars(select(NotificationOutbox.dedupe_key))),
            "audit": session.scalar(select(func.count()).select_from(AuditLog)),
            "nonces": session.scalar(select(func.count()).select_from(SeenNonce)),
        }

    return await db.run(read)


class Callback:
    """Our callback endpoint on 127.0.0.1 and a signing platform that posts to it."""

    def __init__(self, server: TestServer, clock: FakeClock, number: str) -> None:
        self.server, self.clock, self.number = server, clock, number
        self.ids = 0

    def event_id(self) -> str:
        self.ids += 1
        return f"ev-{self.ids}"

    async def post_raw(self, body: bytes, *, secret: bytes = SECRET) -> tuple[int, dict]:
        headers = signed_headers(secret, "POST", CALLBACK_PATH, body, self.clock().timestamp())
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                self.server.make_url(CALLBACK_PATH),
                data=body,
                headers={**headers, "Content-Type": "application/json"},
            ) as response,
        ):
            assert response.content_type == "application/json"
            return response.status, await response.json()

    async def post(self, payload: dict[str, Any] | PlatformEvent) -> tuple[int, dict]:
        data = payload if isinstance(payload, dict) else event_to_json(payload)
        return await self.post_raw(json.dumps(data).encode())

    def accepted(self, event_id: str | None = None) -> Accepted:
        at = self.clock()
        return Accepted(
            self.number,
            event_id or self.event_id(),
            at,
            (
                DispatchedItem(*PENSION, at + timedelta(hours=2)),
                DispatchedItem(*MEDICAL, None),
                DispatchedItem("housing_fund", "housing_fund_yiqi", None, online=True),
            ),
        )

    def answered(
        self,
        item: tuple[str, str] = PENSION,
        event_id: str | None = None,
        result: str = "done",
        data: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> ItemAnswered:
        return ItemAnswered(
            self.number,
            event_id or self.event_id(),
            self.clock(),
            item=item[0],
            office=item[1],
            result=result,  # type: ignore[arg-type]
            data={"monthly_pension": "3200.50"} if data is None else data,
            reason=reason,
        )


@pytest.fixture
async def callback(db: Database, clock: FakeClock) -> AsyncIterator[Callback]:
    _, number = await db.run(submitted_case, "u1", clock())
    app = build_app(
        callback_db=db,
        security=Security(SECRET, max_age_seconds=300, clock=lambda: clock().timestamp()),
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield Callback(server, clock, number)
    await server.close()


async def move(db: Database, number: str, *triggers: str) -> None:
    """Move our case along the lifecycle as the rest of the service would."""

    def run(session: Any) -> None:
        case = find_case_by_number(session, number)
        assert case is not None and case.submitted_at is not None
        for trigger in triggers:
            move_case(session, case, trigger, at=case.submitted_at, actor="test")

    await db.run(run)


async def refused(db: Database, cb: Callback, payload: Any, status: int, code: str) -> str:
    """Post `payload` (an event, a dict or raw bytes); it must be refused with `status` and
    `code` and leave the store exactly as it was. Returns the message."""
    before = await snapshot(db)
    if isinstance(payload, bytes):
        got = await cb.post_raw(payload)
    else:
        got = await cb.post(payload)
    assert (got[0], got[1]["error"]["code"]) == (status, code), got
    assert await snapshot(db) == before
    return str(got[1]["error"]["message"])


# -- events that do not fit the case's state: 409 --------------------------------------------


async def test_events_before_acceptance_are_refused_and_apply_once_the_case_is_accepted(
    db: Database, callback: Callback
) -> None:
    cb = callback
    early_answer = cb.answered(event_id="early-answer")
    message = await refused(db, cb, early_answer, 409, "out_of_order")
    assert "submitted" in message and "item_answered" in message
    await refused(
        db, cb, ItemDispatched(cb.number, "d1", cb.clock(), *MEDICAL), 409, "out_of_order"
    )
    await refused(db, cb, AllAnswered(cb.number, "a1", cb.clock()), 409, "out_of_order")
    await refused(db, cb, ResultNoticeReady(cb.number, "r1", cb.clock()), 409, "out_of_order")

    assert await cb.post(cb.accepted("accept-1")) == (200, {"applied": True})
    # Nothing of the refused answer was kept (not even its id): its redelivery applies now.
    assert await cb.post(early_answer) == (200, {"applied": True})
    after = await snapshot(db)
    assert after["cases"][0][1] == "processing"
    pension = next(i for i in after["items"] if i[0] == "pension_claim")
    assert pension[2:3] == ("done",) and pension[5] == {"monthly_pension": "3200.50"}
    assert {"platform:accept-1", "platform:early-answer"} <= set(after["pushes"])


async def test_a_second_acceptance_is_a_conflict_but_a_redelivery_is_acknowledged(
    db: Database, callback: Callback
) -> None:
    cb = callback
    assert await cb.post(cb.accepted("accept-1")) == (200, {"applied": True})
    # The same event again: idempotent 200, whatever the state is now.
    before = await snapshot(db)
    assert await cb.post(cb.accepted("accept-1")) == (200, {"applied": False})
    assert {k: v for k, v in (await snapshot(db)).items() if k != "nonces"} == {
        k: v for k, v in before.items() if k != "nonces"
    }
    # Another acceptance of a case in processing: a conflict that changes nothing.
    message = await refused(db, cb, cb.accepted("accept-2"), 409, "out_of_order")
    assert "processing" in message and "submitted" in message
    await refused(
        db,
        cb,
        ReturnedForCorrection(cb.number, "ret-1", cb.clock(), (MaterialIssue("id_card", "模糊"),)),
        409,
        "out_of_order",
    )
    await refused(db, cb, ResultNoticeReady(cb.number, "r1", cb.clock()), 409, "out_of_order")


async def test_item_events_must_fit_the_items_of_the_case(
    db: Database, callback: Callback
) -> None:
    cb = callback
    assert (await cb.post(cb.accepted()))[0] == 200
    # This acceptance (the platform's own event) did not dispatch the veteran check.
    message = await refused(
        db, cb, cb.answered(VETERAN, data={"is_veteran": True}), 409, "item_not_in_case"
    )
    assert "veteran_check" in message
    # Medical insurance waits for the pension decision: it can be refused, not answered.
    done = cb.answered(MEDICAL, data={"contribution_months": 300, "back_payment_due": "0"})
    await refused(db, cb, done, 409, "out_of_order")
    # The housing fund is done online by the applicant: no office answers it.
    online = cb.answered(("housing_fund", "housing_fund_yiqi"), data={})
    await refused(db, cb, online, 409, "out_of_order")
    # The pension answered, then dispatched again: out of order.
    assert (await cb.post(cb.answered(PENSION)))[0] == 200
    again = ItemDispatched(cb.number, "d-again", cb.clock(), *PENSION, due_at=cb.clock())
    await refused(db, cb, again, 409, "out_of_order")
    # The waiting item refused because its prerequisite was: that fits.
    refusal = cb.answered(MEDICAL, result="refused", data={}, reason="前置事项不予办理")
    assert (await cb.post(refusal))[0] == 200


@pytest.mark.parametrize(
    ("triggers", "state"),
    [
        (("withdraw",), "withdrawn"),
        (("accept", "start_processing", "withdraw"), "withdrawn"),
        (
            ("accept", "start_processing", "results_ready", "notify", "sign", "close"),
            "closed",
        ),
    ],
)
async def test_no_event_applies_to_a_closed_or_withdrawn_case(
    db: Database, callback: Callback, triggers: tuple[str, ...], state: str
) -> None:
    cb = callback
    if "accept" in triggers:
        # Items on record as an acceptance leaves them, then the case moves on.
        assert (await cb.post(cb.accepted()))[0] == 200
        await move(db, cb.number, *triggers[2:])
    else:
        await move(db, cb.number, *triggers)
    for event in (
        cb.answered(),
        AllAnswered(cb.number, cb.event_id(), cb.clock()),
        ResultNoticeReady(cb.number, cb.event_id(), cb.clock()),
        cb.accepted(),
        ItemDispatched(cb.number, cb.event_id(), cb.clock(), *MEDICAL, due_at=cb.clock()),
    ):
        message = await refused(db, cb, event, 409, "case_closed")
        assert state in message


async def test_results_may_be_corrected_after_the_notice_went_out(
    db: Database, callback: Callback
) -> None:
    cb = callback
    assert (await cb.post(cb.accepted()))[0] == 200
    await move(db, cb.number, "results_ready", "notify", "sign")
    correction = cb.answered(data={"monthly_pension": "3300.00"})
    assert await cb.post(correction) == (200, {"applied": True})
    assert await cb.post(ResultNoticeReady(cb.number, cb.event_id(), cb.clock())) == (
        200,
        {"applied": True},
    )


# -- unknown codes and bad fields: 422; bodies too large or too deep: 413 / 400 -----------------


def _answer(cb: Callback, **changes: Any) -> dict[str, Any]:
    body = event_to_json(cb.answered(event_id="bad-1"))
    body.update(changes)
    return body


def _accept(cb: Callback, **item_changes: Any) -> dict[str, Any]:
    body = event_to_json(cb.accepted("bad-1"))
    body["items"][0].update(item_changes)
    return body


DEEP = 10_000
BAD_INPUTS: list[tuple[str, Callable[[Callback], Any], int, str]] = [
    # unknown codes, the wrong office
    ("unknown item", lambda cb: _answer(cb, item="pension_plus"), 422, "invalid"),
    (
        "office not the item's",
        lambda cb: _answer(cb, office="medical_security_bureau"),
        422,
        "invalid",
    ),
    ("unknown item accepted", lambda cb: _accept(cb, item="lottery"), 422, "invalid"),
    ("office of accepted item", lambda cb: _accept(cb, office="town_government"), 422, "invalid"),
    (
        "unknown material returned",
        lambda cb: {
            **event_to_json(ReturnedForCorrection(cb.number, "bad-1", cb.clock())),
            "materials": [{"code": "passport_of_mars", "reason": "x"}],
        },
        422,
        "invalid",
    ),
    ("unknown event kind", lambda cb: _answer(cb, kind="launched"), 422, "invalid"),
    # oversized fields
    (
        "100,000-char case number",
        lambda cb: _answer(cb, case_number="Y" * 100_000),
        413,
        "body_too_large",
    ),
    (
        "60,000-char case number",
        lambda cb: _answer(cb, case_number="YJ-" + "9" * 60_000),
        422,
        "invalid",
    ),
    (
        "case number of no day",
        lambda cb: _answer(cb, case_number="YJ-20260231-0001"),
        422,
        "invalid",
    ),
    (
        "100,000-char reason",
        lambda cb: _answer(cb, result="refused", reason="长" * 100_000),
        413,
        "body_too_large",
    ),
    (
        "2,001-char reason",
        lambda cb: _answer(cb, result="refused", reason="x" * 2001),
        422,
        "invalid",
    ),
    (
        "100,000-char data value",
        lambda cb: _answer(cb, data={"monthly_pension": "9" * 100_000}),
        413,
        "body_too_large",
    ),
    (
        "3,000-char data value",
        lambda cb: _answer(cb, result="supplement", reason="r", data={"note": "x" * 3000}),
        422,
        "invalid",
    ),
    (
        "33 data keys",
        lambda cb: _answer(
            cb, result="supplement", reason="r", data={f"k{n}": n for n in range(33)}
        ),
        422,
        "invalid",
    ),
    (
        "nested data value",
        lambda cb: _answer(cb, result="supplement", reason="r", data={"materials": [["id_card"]]}),
        422,
        "invalid",
    ),
    ("65-char event id", lambda cb: _answer(cb, event_id="e" * 65), 422, "invalid"),
    # types and values
    ("numeric case number", lambda cb: _answer(cb, case_number=20260430), 422, "invalid"),
    (
        "reason not a string",
        lambda cb: _answer(cb, result="refused", reason=["no"]),
        422,
        "invalid",
    ),
    ("data not an object", lambda cb: _answer(cb, data="monthly_pension=1"), 422, "invalid"),
    ("online as a string", lambda cb: _accept(cb, online="false"), 422, "invalid"),
    (
        "items not a list",
        lambda cb: {**event_to_json(cb.accepted("bad-1")), "items": {"a": 1}},
        422,
        "invalid",
    ),
    (
        "no items accepted",
        lambda cb: {**event_to_json(cb.accepted("bad-1")), "items": []},
        422,
        "invalid",
    ),
    (
        "an item accepted twice",
        lambda cb: {
            **event_to_json(cb.accepted("bad-1")),
            "items": [event_to_json(cb.accepted())["items"][0]] * 2,
        },
        422,
        "invalid",
    ),
    ("done without required data", lambda cb: _answer(cb, data={}), 422, "invalid"),
    (
        "done with a bad amount",
        lambda cb: _answer(cb, data={"monthly_pension": "lots"}),
        422,
        "invalid",
    ),
    (
        "refused without a reason",
        lambda cb: _answer(cb, result="refused", reason=None),
        422,
        "invalid",
    ),
    (
        "NUL in a reason",
        lambda cb: _answer(cb, result="refused", reason="a\u0000b"),
        422,
        "invalid",
    ),
    ("lone surrogate", lambda cb: _answer(cb, result="refused", reason="\ud800"), 422, "invalid"),
    (
        "huge integer",
        lambda cb: _answer(cb, result="supplement", reason="r", data={"n": 10**400}),
        422,
        "invalid",
    ),
    (
        "1e400",
        lambda cb: (
            json.dumps(_answer(cb, result="supplement", reason="r", data={"n": 7}))
            .replace('"n": 7', '"n": 1e400')
            .encode()
        ),
        422,
        "invalid",
    ),
    # timestamps and dates
    ("400-digit timestamp", lambda cb: _answer(cb, at="1" * 400), 422, "invalid"),
    ("numeric timestamp", lambda cb: _answer(cb, at=1_777_510_800), 422, "invalid"),
    ("timestamp without zone", lambda cb: _answer(cb, at="2026-04-30T09:00:00"), 422, "invalid"),
    ("February 30th", lambda cb: _answer(cb, at="2026-02-30T01:00:00Z"), 422, "invalid"),
    ("year 1 at +14:00", lambda cb: _answer(cb, at="0001-01-01T00:00:00+14:00"), 422, "invalid"),
    ("year 9999", lambda cb: _answer(cb, at="9999-12-31T23:59:59Z"), 422, "invalid"),
    ("due in year 3000", lambda cb: _accept(cb, due_at="3000-01-01T00:00:00Z"), 422, "invalid"),
    # bodies
    (
        "10,000 levels deep",
        lambda cb: (
            json.dumps({**_answer(cb), "x": "@"}).replace('"@"', "[" * DEEP + "]" * DEEP).encode()
        ),
        400,
        "malformed_body",
    ),
    ("deep and unbalanced", lambda cb: b"[" * DEEP, 400, "malformed_body"),
    ("not JSON", lambda cb: b"kind=accepted", 400, "malformed_body"),
    ("not UTF-8", lambda cb: b'{"kind": "\xff"}', 400, "malformed_body"),
    ("NaN", lambda cb: b'{"kind": NaN}', 400, "malformed_body"),
    ("an array", lambda cb: b"[]", 400, "malformed_body"),
    (
        "70,000 spaces",
        lambda cb: json.dumps(_answer(cb)).encode() + b" " * 70_000,
        413,
        "body_too_large",
    ),
]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [pytest.param(make, status, code, id=name) for name, make, status, code in BAD_INPUTS],
)
async def test_bad_inputs_are_refused_and_change_nothing(
    db: Database,
    callback: Callback,
    payload: Callable[[Callback], Any],
    status: int,
    code: str,
) -> None:
    cb = callback
    if status == 422 and code == "invalid":
        # Against an accepted case, so that only the input itself can be wrong.
        assert (await cb.post(cb.accepted()))[0] == 200
    await refused(db, cb, payload(cb), status, code)


async def test_unsigned_bodies_are_refused_for_their_signature_first(
    db: Database, callback: Callback
) -> None:
    cb = callback
    before = await snapshot(db)
    deep = b"[" * 100_000
    for body in (deep, b"[" * DEEP, b"not json"):
        status, data = await cb.post_raw(body, secret=b"not-the-secret")
        assert (status, data["error"]["code"]) == (401, "bad_signature")
    assert await snapshot(db) == before


async def test_a_body_over_the_transport_limit_is_refused_before_it_is_read(
    db: Database, callback: Callback
) -> None:
    before = await snapshot(db)
    status, data = await callback.post_raw(b" " * (3 * 1024 * 1024))
    assert (status, data["error"]["code"]) == (413, "body_too_large")
    assert await snapshot(db) == before


async def test_an_absurd_signed_timestamp_header_is_stale_not_a_crash(
    db: Database, callback: Callback
) -> None:
    cb = callback
    before = await snapshot(db)
    body = json.dumps(event_to_json(cb.accepted())).encode()
    for digits in (400, 5000):
        timestamp, nonce = "1" * digits, "0123456789abcdef"
        headers = {
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": sign(SECRET, "POST", CALLBACK_PATH, timestamp, nonce, body),
            "Content-Type": "application/json",
        }
        async with (
            aiohttp.ClientSession() as http,
            http.post(cb.server.make_url(CALLBACK_PATH), data=body, headers=headers) as response,
        ):
            assert response.status == 401
            assert (await response.json())["error"]["code"] == "stale_timestamp"
    assert await snapshot(db) == before


def test_depth_is_measured_outside_strings() -> None:
    assert not json_depth_exceeds(json.dumps({"reason": "[" * 1000 + '"{{{'}).encode())
    assert not json_depth_exceeds(json.dumps({"a": [[[[[[[1]]]]]]]}).encode())  # 8 levels
    assert json_depth_exceeds(json.dumps({"a": [[[[[[[[1]]]]]]]]}).encode())  # 9 levels
    assert MAX_EVENT_BODY_BYTES == 64 * 1024


async def test_an_office_cannot_answer_a_case_the_applicant_has_just_withdrawn(
    db: Database, clock: FakeClock
) -> None:
    """The embedded platform applies its events in the staff's own transaction: the same
    check refuses the office's answer there, and neither side records it."""
    platform = EmbeddedPlatform(db, now=clock)
    _, number = await db.run(submitted_case, "u1", clock())
    assert await drain_platform_outbox(db, platform, now=clock) == 1
    await db.run(platform.accept, number, "clerk:li")
    # The applicant withdraws; the platform has not heard of it yet (its outbox row waits).
    await move(db, number, "withdraw")
    before = await snapshot(db)
    with pytest.raises(IllegalTransition) as refused_answer:
        await db.run(
            platform.answer,
            number,
            "pension_claim",
            "done",
            "office:sic",
            {"monthly_pension": "3520.50"},
        )
    assert isinstance(refused_answer.value, EventDoesNotFit)
    assert refused_answer.value.code == "case_closed"
    assert await snapshot(db) == before
    statuses = await db.run(lambda s: {i.item: i.status for i in s.scalars(select(EmbItem))})
    assert statuses["pension_claim"] == "pending"
