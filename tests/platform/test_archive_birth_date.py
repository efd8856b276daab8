"""An archive birth date that differs from the ID card's moves the statutory month: the
clerk gets a task with both dates and both months, and the pension office reads the date on
file in its view. Expected months computed by hand from POLICY §1 (male: 60 years and one
month per 4 birth months from 1965-01; female worker: 50 years and one month per 2 from
1975-01)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cases.db import Database
from cases.models import StaffTask
from cases.platform.delivery import drain_platform_outbox
from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.platform import EmbeddedPlatform
from tests.platform.conftest import FORM, FakeClock, submitted_case

ARCHIVE_OTHER = {"first_employment_date": "1985-07-01"}
PENSION = {"monthly_pension": "3520.50"}

# (sex/category, ID birth date, item that answers, date on file, expected task figures or None)
CASES: list[tuple[str, str, str, str, dict[str, str] | None]] = [
    # the example: 1970-10-15 on the ID, 1970-08-01 on file: 61y6m -> 61y5m
    ("male", "1970-10-15", "archive_certificate", "1970-08-01",
     {"法定退休时间（按身份证）": "2032年4月", "法定退休时间（按档案）": "2032年1月",
      "身份证出生日期": "1970年10月15日", "档案出生日期": "1970年8月1日"}),
    ("male", "1966-01-15", "archive_certificate", "1965-11-20",
     {"法定退休时间（按身份证）": "2026年5月", "法定退休时间（按档案）": "2026年2月"}),
    # the pension office answers it: 50y8m -> 50y6m
    ("female_worker", "1976-03-01", "pension_claim", "1975-12-01",
     {"法定退休时间（按身份证）": "2026年11月", "法定退休时间（按档案）": "2026年6月"}),
    # another day in the same month: flagged, the month stays
    ("male", "1966-01-15", "archive_certificate", "1966-01-03",
     {"法定退休时间（按身份证）": "2026年5月", "法定退休时间（按档案）": "2026年5月"}),
    ("male", "1966-01-15", "archive_certificate", "1966-01-15", None),  # the same: nothing
]  # fmt: skip


async def _tasks(db: Database) -> list[StaffTask]:
    return await db.run(
        lambda s: list(s.scalars(select(StaffTask).where(StaffTask.kind == "birth_date_differs")))
    )


@pytest.mark.parametrize(("category", "on_id", "item", "on_file", "expected"), CASES)
async def test_a_birth_date_on_file_that_differs_moves_the_statutory_month(
    db: Database,
    clock: FakeClock,
    category: str,
    on_id: str,
    item: str,
    on_file: str,
    expected: dict[str, str] | None,
) -> None:
    platform = EmbeddedPlatform(db, now=clock)
    sex = "male" if category == "male" else "female"
    form = {**FORM, "birth_date": on_id, "category": category, "sex": sex}
    _, number = await db.run(submitted_case, "u1", clock(), form)
    await drain_platform_outbox(db, platform, now=clock)
    await db.run(platform.accept, number, "account:li")
    data: dict[str, Any] = {
        "archive_certificate": {**ARCHIVE_OTHER, "archive_birth_date": on_file},
        "pension_claim": {**PENSION, "archive_birth_date": on_file},
    }[item]
    await db.run(platform.answer, number, item, "done", "account:o", data)

    tasks = await _tasks(db)
    pension = await db.run(platform.show, number, "account:p", "social_insurance_center")
    if expected is None:
        assert tasks == [] and "archive_birth_date" not in pension.fields
        return
    (task,) = tasks
    assert task.case_id is not None and task.applicant_id is not None
    for label, value in expected.items():
        assert task.detail[label] == value, label
    moved = expected["法定退休时间（按身份证）"] != expected["法定退休时间（按档案）"]
    assert ("随档案出生日期变动" in task.detail["说明"]) is moved
    assert "旗就业和社会保险事业中心" in task.detail["说明"]
    assert pension.fields["archive_birth_date"] == on_file  # the pension office reads it
    assert pension.fields["birth_date"] == on_id


async def test_the_clerk_enters_the_date_on_file(db: Database, clock: FakeClock) -> None:
    platform = EmbeddedPlatform(db, now=clock)
    _, number = await db.run(submitted_case, "u1", clock())
    await drain_platform_outbox(db, platform, now=clock)
    with pytest.raises(StaffError) as bad:
        await db.run(platform.enter_archive_birth_date, number, "1965年11月", "account:li")
    assert bad.value.code == "bad_date"
    assert await db.run(platform.enter_archive_birth_date, number, "1965-11-20", "account:li")
    await db.run(platform.accept, number, "account:li")
    pension = await db.run(platform.show, number, "account:p", "social_insurance_center")
    assert pension.fields["archive_birth_date"] == "1965-11-20"
