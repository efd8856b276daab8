"""A case as the conversation writes it, seen by each office: every field an item names is on
the case (one vocabulary, nothing silently missing), and nothing more; the application form
shows the employer in the stamp box."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.settings import Settings
from cases.db import Database
from cases.models import Case
from cases.platform.delivery import drain_platform_outbox
from dialogs.service import ConversationService
from integrations.platform.embedded.platform import EmbeddedPlatform
from policy.items import load_items, route_office
from tests.dialogs.conftest import Person, id_number
from tests.dialogs.test_journeys import finish_uploads
from tests.platform.conftest import FakeClock

EMPLOYER = "伊金霍洛旗某煤业有限公司"
NUMBER = id_number("19650315")


async def journey_case(db: Database, clock: FakeClock) -> tuple[EmbeddedPlatform, str]:
    """A man with an employer, paid before 1995 (handbook lost), a lump sum (receipts kept),
    a veteran; submitted, delivered to the embedded platform and accepted by the clerk."""
    p = Person(ConversationService(db, Settings(), clock=clock))
    await p.through_identity(number=NUMBER)
    await p.tap("normal")
    await p.text("15年零3个月")
    assert p.question == "ask_town"
    await p.tap("ulan_mulun")
    await p.tap("yes")
    await p.text(EMPLOYER)
    for answer in ("yes", "yes", "lost", "yes", "have", "yes"):
        await p.tap(answer)
    await finish_uploads(p)
    out = await p.tap("submit")
    assert out.state == "submitted" and out.case_number
    platform = EmbeddedPlatform(db, now=clock)
    await drain_platform_outbox(db, platform, now=clock)
    await db.run(platform.accept, out.case_number, "staff:li")
    return platform, out.case_number


async def view(db: Database, platform: EmbeddedPlatform, number: str, office: str) -> Any:
    return await db.run(platform.show, number, f"staff:test@{office}", office)


async def test_every_office_sees_every_field_its_item_names(
    db: Database, clock: FakeClock
) -> None:
    platform, number = await journey_case(db, clock)
    for definition in load_items():
        if not definition.dispatched:
            continue
        # The town's item is at the office of the applicant's town (乌兰木伦镇).
        office = route_office(definition, {"town": "乌兰木伦镇"})
        assert office is not None
        seen = await view(db, platform, number, office)
        # Not asked: the birth date on file appears only when an office finds it differing.
        named = set(definition.fields) - {"archive_birth_date"}
        missing = named - set(seen.fields)
        assert not missing, f"{office} misses {sorted(missing)}"
        assert set(seen.fields) == named, office


async def test_the_town_office_sees_the_town_and_not_the_contribution_history(
    db: Database, clock: FakeClock
) -> None:
    platform, number = await journey_case(db, clock)
    town = await view(db, platform, number, "town_ulan_mulun")
    assert town.fields["town"] == "乌兰木伦镇"
    assert town.fields["name"] == "张建国" and town.fields["id_number"] == NUMBER
    assert town.fields["phone"]
    for private in ("contribution_months", "employer_name", "veteran", "birth_date"):
        assert private not in town.fields


async def test_the_pension_center_sees_category_contribution_and_birth_date(
    db: Database, clock: FakeClock
) -> None:
    platform, number = await journey_case(db, clock)
    pension = await view(db, platform, number, "social_insurance_center")
    assert pension.fields["category"] == "male"
    assert pension.fields["contribution_months"] == 183
    assert pension.fields["birth_date"] == "1965-03-15"  # from the ID number: provisional
    assert pension.fields["sex"] == "male"
    assert pension.fields["retirement_route"] == "statutory"
    assert pension.fields["employer_name"] == EMPLOYER
    assert pension.fields["handbook"] == "lost" and pension.fields["receipts"] == "have"
    assert "town" not in pension.fields and "veteran" not in pension.fields


async def test_the_veterans_bureau_sees_only_what_it_needs(db: Database, clock: FakeClock) -> None:
    platform, number = await journey_case(db, clock)
    veterans = await view(db, platform, number, "veterans_affairs_bureau")
    assert veterans.fields == {
        "name": "张建国",
        "id_number": NUMBER,
        "birth_date": "1965-03-15",
        "veteran": True,
    }
    # the ID number is enough to look a veteran up: no photo of the card (policy/items.toml)
    assert set(veterans.materials) == {"discharge_certificate"}


async def test_the_application_form_of_the_case_has_the_employer_in_the_stamp_box(
    db: Database, clock: FakeClock
) -> None:
    from aftercare.documents import form_pdf
    from tests.documents.conftest import pdf_text

    await journey_case(db, clock)
    form = await db.run(lambda s: dict(s.scalars(select(Case)).one().form))
    text = pdf_text(form_pdf(form, case_number="YJ-1"))
    assert "加盖参保单位公章" in text
    stamp_box = text[text.index("加盖参保单位公章") - 40 :]
    assert EMPLOYER in stamp_box
    assert "乌兰木伦镇" in text and "1506**********" in text
    assert NUMBER not in text  # the PDF travels through a chat: masked
