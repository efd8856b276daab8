"""Each town is its own office: the community registration goes to the applicant's town, a
town's office sees and answers only its own residents' items, and "other / not sure" waits for
the clerk, who assigns the town (as typed at the window: 阿镇, 扎萨克 ...)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cases.db import Database
from cases.models import StaffTask
from cases.platform.delivery import drain_platform_outbox
from cases.repositories.case_records import find_case_by_number
from cases.repositories.results import get_item_result
from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.limits import WireError
from integrations.platform.wire_events import _item_at_office
from policy.items import item, offices_of, route_office
from policy.towns import load_towns, town_offices
from tests.platform.conftest import FORM, FakeClock, submitted_case

ITEM = "community_registration"
TOWNS = [t for t in load_towns() if not t.clerk_resolves]
OTHER = next(t for t in load_towns() if t.clerk_resolves)


async def _accepted(
    db: Database, clock: FakeClock, platform: EmbeddedPlatform, user: str, town: str
) -> str:
    _, number = await db.run(submitted_case, user, clock(), {**FORM, "town": town})
    await drain_platform_outbox(db, platform, now=clock)
    await db.run(platform.accept, number, "account:li")
    return number


def test_every_town_is_an_office_and_the_other_option_is_none() -> None:
    definition = item(ITEM)
    assert offices_of(definition) == tuple(f"town_{t.code}" for t in TOWNS) == town_offices()
    for t in TOWNS:
        assert route_office(definition, {"town": t.name_zh}) == f"town_{t.code}"
    for unknown in (OTHER.name_zh, "", "北京市朝阳区"):
        assert route_office(definition, {"town": unknown}) is None, unknown
    assert route_office(definition, {}) is None
    assert route_office(item("pension_claim"), {"town": OTHER.name_zh}) == (
        "social_insurance_center"
    )


async def test_a_case_through_every_town(db: Database, clock: FakeClock) -> None:
    platform = EmbeddedPlatform(db, now=clock)
    numbers = {
        t.code: await _accepted(db, clock, platform, f"u-{t.code}", t.name_zh) for t in TOWNS
    }
    for n, t in enumerate(TOWNS):
        office = f"town_{t.code}"
        mine = numbers[t.code]
        queue = await db.run(platform.queue, f"account:z@{office}", office)
        assert [(r.case_number, r.item) for r in queue] == [(mine, ITEM)], t.code
        view = await db.run(platform.show, mine, f"account:z@{office}", office)
        assert view.fields["town"] == t.name_zh and [i.item for i in view.items] == [ITEM]
        neighbour = numbers[TOWNS[(n + 1) % len(TOWNS)].code]
        with pytest.raises(StaffError) as refused:
            await db.run(platform.show, neighbour, f"account:z@{office}", office)
        assert refused.value.code == "not_for_office"
        with pytest.raises(StaffError) as wrong:
            await db.run(
                platform.answer, neighbour, ITEM, "done", "z", {"town": t.name_zh}, None, office
            )
        assert wrong.value.code == "wrong_office"

        def ours(session: Any, number: str = mine) -> tuple[str | None, str]:
            case = find_case_by_number(session, number)
            assert case is not None
            row = get_item_result(session, case.id, ITEM)
            assert row is not None
            return row.office_code, row.status

        assert await db.run(ours) == (office, "pending"), t.code  # accepted: at its town
        await db.run(platform.answer, mine, ITEM, "done", "z", {"town": t.name_zh}, None, office)
        assert await db.run(ours) == (office, "done"), t.code
    # The generic code is nobody's inbox: nothing waits there.
    assert await db.run(platform.queue, "account:z", "town_government") == []


ASSIGNED = [  # what the clerk types -> the town
    ("阿镇", "altan_xire"),
    ("扎萨克", "jasag"),
    ("红庆河镇", "hongqinghe"),
    ("suburga", "suburga"),
    ("town_narin_taohai", "narin_taohai"),
]


@pytest.mark.parametrize(("typed", "code"), ASSIGNED)
async def test_not_sure_goes_to_the_clerk_who_routes_it_and_the_town_answers(
    db: Database, clock: FakeClock, typed: str, code: str
) -> None:
    platform = EmbeddedPlatform(db, now=clock)
    number = await _accepted(db, clock, platform, "u1", OTHER.name_zh)
    office = f"town_{code}"
    assert await db.run(platform.queue, "account:z", office) == []
    tasks = await db.run(lambda s: list(s.scalars(select(StaffTask))))
    route = [t for t in tasks if t.kind == "route_town"]
    assert len(route) == 1 and route[0].detail["case_number"] == number
    assert route[0].applicant_id is not None  # the clerk may phone to ask

    for wrong in ("北京", OTHER.name_zh, "其他", ""):
        with pytest.raises(StaffError) as refused:
            await db.run(platform.route_to_town, number, wrong, "account:li")
        assert refused.value.code == "unknown_town", wrong
    event = await db.run(platform.route_to_town, number, typed, "account:li")
    assert event.office == office and event.due_at is not None

    queue = await db.run(platform.queue, f"account:z@{office}", office)
    assert [r.case_number for r in queue] == [number]
    view = await db.run(platform.show, number, f"account:z@{office}", office)
    town = next(t for t in TOWNS if t.code == code)
    assert view.fields["town"] == town.name_zh  # what the town's office reads
    task = await db.run(lambda s: s.get(StaffTask, route[0].id))
    assert task.status == "done" and town.name_zh in task.detail["done_note"]
    await db.run(platform.answer, number, ITEM, "done", "z", {"town": town.name_zh}, None, office)
    with pytest.raises(StaffError) as late:
        await db.run(platform.route_to_town, number, "阿镇", "account:li")
    assert late.value.code == "already_answered"


@pytest.mark.parametrize(
    ("item_code", "office", "ok"),
    [
        (ITEM, "town_jasag", True),
        (ITEM, "town_government", True),  # accepted, waiting for the clerk
        (ITEM, "town_town_other", False),
        ("pension_claim", "town_jasag", False),
        ("pension_claim", "social_insurance_center", True),
    ],
)
def test_the_http_contract_knows_the_town_offices(item_code: str, office: str, ok: bool) -> None:
    if ok:
        assert _item_at_office(item_code, office) == item_code
    else:
        with pytest.raises(WireError):
            _item_at_office(item_code, office)
