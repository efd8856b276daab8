"""The birth date on file (档案出生日期) against the ID card's.

The pre-check and the form take the birth date from the ID number; the personnel archive
decides (以档案记载为准). When an office answers an archive birth date (the archive office, or
the pension office) or the clerk enters one, and it differs from the ID card's, the statutory
retirement month is computed again from it, and the clerk gets a task with both dates and both
months, to check and to tell the pension office and the worker.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy.orm import Session

from cases.models import Case, StaffTask
from cases.repositories.audit import audit
from cases.repositories.tasks import add_staff_task
from locales import Translator, when
from policy.items import item as item_def
from policy.retirement import CATEGORIES, Category, statutory_retirement_month

TASK_KIND = "birth_date_differs"  # cases.task_kinds labels it for the clerk
_ZH = Translator("zh_CN")


def answered_in(item_code: str) -> str:
    """Where the date came from, as the clerk reads it: the office and its item."""
    try:
        definition = item_def(item_code)
    except KeyError:
        return item_code
    return f"{definition.office_name_zh}（{definition.name_zh}）"


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _category(form: dict[str, Any]) -> Category | None:
    category = form.get("category")
    if category in CATEGORIES:
        return cast(Category, category)
    return "male" if form.get("sex") == "male" else None  # a woman's post decides: unknown


def archive_birth_date_found(
    session: Session, case: Case, archive: Any, source: str, actor: str, *, at: datetime
) -> StaffTask | None:
    """Compare the archive birth date with the ID card's; the clerk's task when they differ
    (None when they agree or either cannot be read). One task per case: a later answer
    updates its figures."""
    on_file, on_id = _day(archive), _day((case.form or {}).get("birth_date"))
    if on_file is None or on_id is None or on_file == on_id:
        return None
    category = _category(case.form or {})
    figures: dict[str, Any] = {
        "case_number": case.number,
        "身份证出生日期": when.text(_ZH, when.day(on_id)),
        "档案出生日期": when.text(_ZH, when.day(on_file)),
        "来源": source,
    }
    moved = None
    if category is not None:
        before = statutory_retirement_month(category, on_id)
        after = statutory_retirement_month(category, on_file)
        moved = before != after
        figures["法定退休时间（按身份证）"] = when.text(_ZH, when.month(before))
        figures["法定退休时间（按档案）"] = when.text(_ZH, when.month(after))
        figures["archive_statutory_month"] = str(after)
    figures["说明"] = (
        "法定退休时间随档案出生日期变动，"
        if moved
        else ("法定退休时间不变，" if moved is False else "人员类别待确认，")
    ) + "请核对并告知旗就业和社会保险事业中心（养老保险待遇核定）和申请人。"
    task = add_staff_task(session, TASK_KIND, case_id=case.id, applicant_id=case.applicant_id)
    task.detail = {**(task.detail or {}), **figures}
    audit(
        session,
        actor,
        "case.archive_birth_date_differs",
        case_id=case.id,
        detail={"source": source, "statutory_month_moved": moved},
        at=at,
    )
    return task
