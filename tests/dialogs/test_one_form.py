"""One vocabulary: the case form the conversation writes uses only the fields that
`policy/items.toml [form]` declares, and items name only declared fields; otherwise the
offices' least-privilege views silently miss what they need."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from cases.db import Database
from cases.models import Case
from dialogs.engine.one_form import one_form
from documents.application_form import FORM_FIELDS, SPECIAL_FIELDS
from policy.items import ItemsFileError, form_fields, load_items, parse_items
from tests.dialogs.conftest import Person, id_number
from tests.dialogs.test_journeys import finish_uploads

DECLARED = frozenset(form_fields())


def test_every_item_names_only_declared_fields() -> None:
    for definition in load_items():
        undeclared = set(definition.fields) - DECLARED
        assert not undeclared, f"{definition.code}: {sorted(undeclared)}"


def test_an_item_naming_an_undeclared_field_is_refused(tmp_path: Path) -> None:
    text = Path("policy/items.toml").read_text(encoding="utf-8")
    bad = tmp_path / "items.toml"
    bad.write_text(text.replace('"town"]', '"town", "address"]', 1), encoding="utf-8")
    with pytest.raises(ItemsFileError, match="address"):
        parse_items(bad)


def test_the_application_form_shows_only_declared_fields() -> None:
    assert set(FORM_FIELDS) | set(SPECIAL_FIELDS) <= DECLARED


def test_every_answer_the_engine_keeps_maps_to_a_declared_field() -> None:
    """All the keys the conversation may hold at submission, at once."""
    answers = {
        "language": "zh_CN",
        "consent": "2026-11-v1",
        "name": "张建国",
        "id_number": {"masked": "1506**********1218", "birth_date": "1965-03-15", "sex": "male"},
        "phone": "138****2345",
        "category": "male",
        "retirement_type": "normal",
        "contribution_months": 180,
        "early": True,
        "town": "altan_xire",
        "has_employer": True,
        "employer_name": "伊金霍洛旗某煤业有限公司",
        "name_matches_archive": True,
        "paid_before_1995_07": True,
        "handbook": "lost",
        "lump_sum_before_1996": True,
        "receipts": "have",
        "veteran": True,
    }
    form = one_form(answers)
    assert set(form) <= DECLARED, sorted(set(form) - DECLARED)
    assert form["retirement_route"] == "early"
    assert form["town"] == "阿勒腾席热镇"
    assert (form["sex"], form["birth_date"]) == ("male", "1965-03-15")
    assert one_form(form) == form  # the case's form passes through unchanged


async def submitted_form(db: Database) -> dict:
    def read(session):  # type: ignore[no-untyped-def]
        return dict(session.scalars(select(Case)).one().form)

    return await db.run(read)


async def test_a_submitted_journey_writes_only_declared_fields(
    person: Person, db: Database
) -> None:
    await person.through_identity(name="王秀英", number=id_number("19700115", male=False))
    await person.tap("female_worker")
    await person.tap("normal")
    await person.text("15年零3个月")
    await answer_special_cases(person, employer="伊金霍洛旗某煤业有限公司")
    await finish_uploads(person)
    out = await person.tap("submit")
    assert out.state == "submitted"
    form = await submitted_form(db)
    assert set(form) <= DECLARED, sorted(set(form) - DECLARED)
    assert form["contribution_months"] == 183
    assert form["category"] == "female_worker"
    assert form["sex"] == "female" and form["birth_date"] == "1970-01-15"
    assert form["retirement_route"] == "statutory"


async def answer_special_cases(p: Person, employer: str | None = None) -> None:
    """From the verdict to the uploads: town, employer (and its name), archive, the 1995 and
    1996 questions with their documents, a veteran."""
    assert p.question == "ask_town", p.question
    await p.tap("hongqinghe")
    await p.tap("yes" if employer else "no")
    if employer:
        await p.text(employer)
    await p.tap("yes")  # name matches the archive
    await p.tap("yes")  # paid before 1995-07
    await p.tap("lost")  # handbook lost
    await p.tap("yes")  # lump sum before 1996
    await p.tap("have")  # receipts
    await p.tap("yes")  # veteran


def test_a_journey_saved_before_the_town_question_is_asked_it_before_the_review() -> None:
    """Conversations stored by the previous version reach the review without a town or an
    employer's name: both are asked once, then the review."""
    from datetime import date

    from dialogs.engine import handle
    from dialogs.events import Choice, Text
    from dialogs.state import Context, ConversationData

    done = {"pages": 1, "status": "uploaded"}
    old = ConversationData(
        state="ask_veteran",
        language="zh_CN",
        answers={
            "name": "张建国",
            "id_number": {
                "masked": "1506**********1218",
                "birth_date": "1965-03-15",
                "sex": "male",
            },
            "phone": "138****2345",
            "category": "male",
            "retirement_type": "normal",
            "contribution_months": 180,
            "has_employer": True,
            "name_matches_archive": True,
            "paid_before_1995_07": False,
            "lump_sum_before_1996": False,
        },
        materials={c: dict(done) for c in ("application_form", "id_card", "social_security_card")},
    )
    ctx = Context(today=date(2026, 11, 26))
    first = handle(old, Choice("no", "ask_veteran"), ctx)
    assert first.data.state == "ask_town"
    second = handle(first.data, Choice("jasag", "ask_town"), ctx)
    assert second.data.state == "ask_employer_name"
    third = handle(second.data, Text("某煤业公司"), ctx)
    assert third.data.state == "ask_review"
    assert one_form(third.data.answers)["town"] == "札萨克镇"
