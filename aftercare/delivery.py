"""Delivering the result: render the result notice, keep it in the file store (its keyed hash
is its version and its file name), move the case results_ready -> notified, push the notice
with the online-step guides, hand the conversation the news (it asks for the signature), and
schedule the online-step check.

Called again after a result changed: a new version goes out, and a signed case needs a new
signature (renotify). The sweep (`due_notice_cases` + `deliver_case`) lists the due cases
first and then handles each in a transaction of its own (aftercare/worker.py), so that one
case that fails holds up no other (aftercare/failures.py records it and retries it alone).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from aftercare.config import AftercareConfig, NoticeRenderer
from aftercare.failures import NOTICE, clear_failure
from aftercare.notice import build_notice
from aftercare.online_checks import CHECK_KIND
from aftercare.paperwork import NOTICE_LANGUAGE, notice_file_name
from aftercare.region import region_texts
from app.clock import LOCAL_TZ
from cases import repositories as repo
from cases.files import FileStore
from cases.models import Case, ItemResult
from dialogs.after_result import happen
from dialogs.happenings import ResultDelivered
from documents.result_notice import NoticeData, back_payment_due, render_result_notice
from locales import Translator
from locales.replies import Document, Msg, Reply, to_json

ACTOR = "aftercare"
DELIVERABLE = ("results_ready", "notified", "signed", "rated")


def deliver_result(
    session: Session,
    case: Case,
    files: FileStore,
    config: AftercareConfig,
    *,
    at: datetime,
    render: NoticeRenderer = render_result_notice,
) -> str | None:
    """Deliver the current notice; returns its sha256, or None when that version was already
    delivered (nothing to do). Only for cases whose results are in."""
    if case.status not in DELIVERABLE:
        return None
    tr = Translator(NOTICE_LANGUAGE)
    notice = build_notice(session, case, tr, config.region)
    data = render(notice, tr)
    sha = files.address_of(data)  # the version: a keyed hash, like every stored file's name
    if sha == case.notice_sha256 and case.status != "results_ready":
        return None
    stored = files.put(data)
    changed = case.notice_sha256 is not None
    case.notice_sha256 = sha
    _move_case(session, case, sha, at)
    applicant = repo.get_applicant(session, case.applicant_id)
    language = (applicant.language if applicant else None) or NOTICE_LANGUAGE
    replies = _result_replies(case, notice, stored.address, changed, config, Translator(language))
    replies += happen(
        session,
        case.applicant_id,
        ResultDelivered(changed),
        at=at,
        region=config.region,
        followup_days=config.rating_followup_working_days,
    )
    for n, reply in enumerate(replies):
        repo.enqueue_notification(
            session, case.applicant_id, to_json(reply), f"aftercare:{case.id}:{sha[:16]}:{n}"
        )
    if not changed:
        due = at.astimezone(LOCAL_TZ).date() + timedelta(days=config.online_step_check_days)
        repo.add_reminder(session, case.applicant_id, CHECK_KIND, due)
    return sha


def _move_case(session: Session, case: Case, sha: str, at: datetime) -> None:
    detail: dict[str, object] = {"notice": sha}
    if case.status == "results_ready":
        repo.move_case(session, case, "notify", at=at, actor=ACTOR, detail=detail)
    elif case.status in ("signed", "rated"):
        repo.move_case(session, case, "renotify", at=at, actor=ACTOR, detail=detail)
        case.signed_at = None
    else:  # notified, not signed yet: the new version simply replaces the old one
        repo.audit(session, ACTOR, "notice.replaced", case_id=case.id, detail=detail)


def _result_replies(
    case: Case,
    notice: NoticeData,
    address: str,
    changed: bool,
    config: AftercareConfig,
    tr: Translator,
) -> list[Reply]:
    """The result with its notice, then one message with what the applicant does online
    (the housing fund, and the back payment where one is due): the signature question that
    follows (the conversation's) is the last message, the one to answer."""
    texts = region_texts(tr, config.region)
    document = Document(address, notice_file_name(case))
    key = "aftercare.result.changed" if changed else "aftercare.result.ready"
    result = Msg(key, {"case_number": case.number, "highlights": highlights(notice)})
    online = Msg("aftercare.online.housing_fund", {"steps": texts.housing_fund})
    due = back_payment_due(notice)
    if due > 0:
        medical = Msg(
            "aftercare.online.medical", {"amount": f"{due:,.2f}", "steps": texts.medical}
        )
        online = Msg("aftercare.online.both", {"housing_fund": online, "medical": medical})
    return [Reply(result, document=document), Reply(online)]


def highlights(notice: NoticeData) -> list[Msg]:
    """The two figures an applicant looks for first: the pension and any back payment."""
    out: list[Msg] = []
    for item in notice.items:
        if item.code == "pension_claim" and item.data.get("monthly_pension") is not None:
            out.append(
                Msg("aftercare.result.pension", {"amount": _yuan(item.data["monthly_pension"])})
            )
    due = back_payment_due(notice)
    if due > 0:
        out.append(Msg("aftercare.result.back_payment", {"amount": f"{due:,.2f}"}))
    elif any(i.code == "medical_insurance" and i.status == "done" for i in notice.items):
        out.append(Msg("aftercare.result.no_back_payment"))
    return out


def _yuan(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def due_notice_cases(session: Session, *, at: datetime) -> list[int]:
    """The ids of the cases whose notice is due: every case whose results are in, and every
    case whose results changed after its notice went out; not those that failed and whose
    next try (aftercare/failures.py) is still ahead."""
    # A result answered after the case last changed may have changed the notice.
    newer = (
        select(ItemResult.case_id)
        .join(Case, Case.id == ItemResult.case_id)
        .where(
            Case.status.in_(("notified", "signed", "rated")),
            ItemResult.updated_at > Case.updated_at,
        )
    )
    query = (
        select(Case.id)
        .where(
            or_(Case.status == "results_ready", Case.id.in_(newer)),
            Case.id.not_in(repo.waiting_for_retry(NOTICE, at)),
        )
        .order_by(Case.id)
    )
    return list(session.scalars(query))


def deliver_case(
    session: Session,
    case_id: int,
    files: FileStore,
    config: AftercareConfig,
    *,
    at: datetime,
    render: NoticeRenderer = render_result_notice,
) -> str | None:
    """One case of the sweep, in its own transaction: deliver its notice when due. Returns
    the case number when a notice went out. Success forgets the case's earlier failures."""
    case = repo.get_case(session, case_id)
    if case is None:
        return None
    sha = deliver_result(session, case, files, config, at=at, render=render)
    if sha is None:
        case.updated_at = at  # looked at: not again until a result changes
    clear_failure(session, NOTICE, case_id, at=at)
    session.flush()
    return (case.number or "") if sha is not None else None
