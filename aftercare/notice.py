"""From the case store to the result notice: what `documents.result_notice` renders.

`build_notice(session, case, tr, region)` reads the case, its applicant and its item results;
items configured but without a result row (the veteran check for a non-veteran) show as "not
applicable". The notice's date is the day its last result arrived, so re-rendering an
unchanged case gives the same bytes and the same sha256.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from aftercare.region import region_texts
from app.clock import LOCAL_TZ
from cases import repositories as repo
from cases.result import applicant_name
from documents.result_notice import NOT_APPLICABLE, NoticeData, NoticeItem
from locales import Translator
from policy.items import load_items
from policy.towns import find_town

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cases.models import Applicant, Case, ItemResult


def masked_id(case: Case, applicant: Applicant | None) -> str:
    ident = case.form.get("id_number")
    if isinstance(ident, dict) and ident.get("masked"):
        return str(ident["masked"])  # the conversation's masked form: 1506**********123X
    if isinstance(ident, str) and "*" in ident:
        return ident  # the one form keeps the number masked
    if applicant is not None and applicant.masked_id_number:
        return applicant.masked_id_number
    return str(case.form.get("id_number_masked") or "")


def build_notice(
    session: Session, case: Case, tr: Translator, region: str = "ejin_horo"
) -> NoticeData:
    applicant = repo.get_applicant(session, case.applicant_id)
    results = {r.item_code: r for r in repo.item_results(session, case.id)}
    items: list[NoticeItem] = []
    for definition in load_items():
        result = results.get(definition.code)
        office_name = _office_name(case, definition.office, definition.office_routed_by, tr)
        items.append(_item(definition.code, definition.name_key, office_name, result, tr))
    texts = region_texts(tr, region)
    return NoticeData(
        case_number=case.number or "",
        applicant_name=applicant_name(case, applicant),
        id_number_masked=masked_id(case, applicant),
        issued_on=_issued_on(case, list(results.values())),
        items=tuple(items),
        medical_payment_howto=texts.medical,
        housing_fund_howto=texts.housing_fund,
        contacts=texts.contacts,
    )


def _office_name(case: Case, office: str, routed_by: str | None, tr: Translator) -> str:
    """The office by name: for an item routed by the worker's town, that town's government
    (阿勒腾席热镇人民政府…), not "the town you live in" (in Chinese, where the name is known)."""
    if routed_by == "town" and tr.language == "zh_CN":
        town = find_town(str((case.form or {}).get("town") or ""))
        if town is not None and town.office is not None:
            return town.office_name_zh
    return tr(f"office.{office}.name")


def _item(
    code: str, name_key: str, office_name: str, result: ItemResult | None, tr: Translator
) -> NoticeItem:
    if result is None:
        return NoticeItem(code, tr(name_key), office_name, NOT_APPLICABLE)
    data = dict(result.data or {})
    return NoticeItem(code, tr(name_key), office_name, result.status, data, result.reason)


def _issued_on(case: Case, results: list[ItemResult]) -> date:
    moments = [r.answered_at for r in results if r.answered_at is not None]
    if case.results_ready_at is not None:
        moments.append(case.results_ready_at)
    if not moments:
        moments = [case.created_at]
    return max(moments).astimezone(LOCAL_TZ).date()
