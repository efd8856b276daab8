"""What staff read: the ratings with their follow-ups, and one case's notice and signature."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from app.clock import LOCAL_TZ
from cases import repositories as repo
from cases.keyset import FIRST, Position, Window, plan, window
from cases.online_steps import online_step_statuses
from cases.paging import Counted
from cases.ratings import rating_of
from cases.result import SIGNING_TASKS, call_day, open_objection, signature_of
from cases.result_commands import BAD_LEVELS
from locales import Translator, when

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

LEVEL_ZH = {
    "very_satisfied": "非常满意",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
    "very_dissatisfied": "非常不满意",
}
STEP_ZH = {"housing_fund": "住房公积金提取", "medical_payment": "医保费补缴"}
STEP_STATUS_ZH = {"done": "已办", "not_yet": "未办", "help_requested": "未办，已安排协助"}


@dataclass(frozen=True)
class RatingRow:
    case_number: str
    level: str
    rated_at: str
    comment: str | None
    followup_task: int | None
    followup_status: str | None  # open | done; None for a good rating
    followup_due: str | None
    followup_overdue: bool
    followup_outcome: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    # As staff read them on a page or in the terminal (2026年12月3日 12:56); ISO in the JSON.
    @property
    def rated(self) -> str:
        return _zh(self.rated_at)

    @property
    def followup_by(self) -> str:
        return _zh(self.followup_due)


def _local(value: datetime | None) -> str | None:
    """A moment for the JSON views: 2026-12-03 12:56, China time."""
    return None if value is None else value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _zh(local: str | None) -> str:
    """A moment of `_local` as staff read it in the text views: 2026年12月3日 12:56."""
    if not local:
        return "-"
    moment = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=LOCAL_TZ)
    return when.staff_moment(moment, LOCAL_TZ)


def ratings(session: Session, *, now: datetime, case_number: str | None = None) -> list[RatingRow]:
    """Every rating given (declines left out), or the case's, newest first, with the
    follow-up of the bad ones: one statement, without building a case."""
    found = repo.ratings_given(session, case_number=case_number)
    return [_rating_row(rating, number, task, now) for rating, number, task in found]


def ratings_page(
    session: Session, *, now: datetime, at: Position = FIRST, size: int = 50, total: int = 0
) -> Window[RatingRow]:
    """One page of them from a position (`cases.keyset`: after or before a case number), in
    two statements however many ratings and however deep the page: the position's rating
    and the page. `total`, the count of ratings (`rating_summary`, from their tallies),
    sizes the last page so that it closes the numbering of the pages before it."""
    anchor = repo.rating_position(session, at.anchor) if at.anchor else None
    seek = plan(at, size, anchor, Counted(total, more=False))
    read = window(repo.ratings_given(session, seek=seek), seek)
    return read.map(lambda line: _rating_row(*line, now))


def _rating_row(rating: Any, number: str, task: Any, now: datetime) -> RatingRow:
    open_ = task is not None and task.status == "open"
    return RatingRow(
        case_number=number,
        level=rating.level_code or "",
        rated_at=_local(rating.rated_at) or "",
        comment=rating.comment,
        followup_task=task.id if task else None,
        followup_status=task.status if task else None,
        followup_due=_local(task.due_at) if task else None,
        followup_overdue=bool(open_ and task.due_at and task.due_at < now),
        followup_outcome=(task.detail or {}).get("outcome") if task else None,
    )


def rating_summary(session: Session, *, now: datetime) -> dict[str, Any]:
    """`summary` of every rating, in two statements at any size: the counts by level from
    their tally, the follow-ups' counts stopping at "1000+" (`Counted`)."""
    by_level, open_, overdue = repo.rating_counts(session, now=now)
    counts = {level: by_level.get(level, 0) for level in LEVEL_ZH}
    return {
        "total": sum(by_level.values()),
        "by_level": counts,
        "bad": sum(n for level, n in by_level.items() if level in BAD_LEVELS),
        "followups_open": open_,
        "followups_overdue": overdue,
    }


def summary(rows: list[RatingRow]) -> dict[str, Any]:
    counts = {level: 0 for level in LEVEL_ZH}
    for r in rows:
        counts[r.level] = counts.get(r.level, 0) + 1
    bad = [r for r in rows if r.level in BAD_LEVELS]
    return {
        "total": len(rows),
        "by_level": counts,
        "bad": len(bad),
        "followups_open": sum(1 for r in bad if r.followup_status == "open"),
        "followups_overdue": sum(1 for r in bad if r.followup_overdue),
    }


def format_ratings(rows: list[RatingRow], counted: dict[str, Any] | None = None) -> str:
    """The summary (of `rows`, or `counted` from `rating_summary`) and one line per rating."""
    s = counted or summary(rows)
    lines = [
        f"好差评共 {s['total']} 条："
        + "，".join(f"{LEVEL_ZH[k]} {v}" for k, v in s["by_level"].items()),
        f"差评 {s['bad']} 条，回访未完成 {s['followups_open']} 条，其中超期 "
        f"{s['followups_overdue']} 条。",
    ]
    for r in rows:
        line = f"{r.case_number}  {LEVEL_ZH.get(r.level, r.level)}  {r.rated}"
        if r.comment:
            line += f"  意见：{r.comment}"
        if r.followup_task is not None:
            state = "已回访" if r.followup_status == "done" else "待回访"
            late = "（已超期）" if r.followup_overdue else ""
            line += f"  回访#{r.followup_task} {state}，期限 {r.followup_by}{late}"
            if r.followup_outcome:
                line += f"，结果：{r.followup_outcome}"
        lines.append(line)
    return "\n".join(lines)


def notice_status(session: Session, case_number: str) -> dict[str, Any] | None:
    """The clerk's view of one case's end: notice version, signature, rating, online steps."""

    case = repo.find_case_by_number(session, case_number)
    if case is None:
        return None
    signature = signature_of(session, case)
    rating = rating_of(session, case)
    steps = online_step_statuses(session, case)
    objection = open_objection(session, case)
    return {
        "case_number": case.number,
        "status": case.status,
        "notice_sha256": case.notice_sha256,
        "signed": signature is not None,
        "signed_at": _local(signature.signed_at) if signature else None,
        "signed_notice_sha256": signature.notice_sha256 if signature else None,
        "signed_copy_sha256": signature.signed_copy_sha256 if signature else None,
        "signatures": len(repo.signatures_of(session, case.id)),  # one per version signed
        # The worker's objection while the clerk has not resolved it: their words (numbers
        # masked when they were said) and the day they were promised a call.
        "objection": None
        if objection is None
        else {
            "words": str(objection.detail.get("question") or ""),
            "call_by": str(call_day(objection) or ""),
        },
        "rating": rating.level_code if rating else None,
        "rating_declined": bool(rating and rating.declined),
        "rating_comment": rating.comment if rating else None,
        "online_steps": {step: status == "done" for step, status in steps.items()},
        "online_step_status": steps,
        "objections": [
            _objection(task) for task in repo.case_tasks(session, case.id, SIGNING_TASKS["object"])
        ],
    }


def _objection(task: Any) -> dict[str, Any]:
    """The worker's "有异议" at the signature: the words, when, and whether it was handled."""
    detail = task.detail or {}
    return {
        "raised_at": _local(task.created_at),
        "words": detail.get("question") or "",
        "done": task.status == "done",
        "note": detail.get("done_note"),
    }


def format_notice_status(view: dict[str, Any]) -> str:
    lines = [f"办件 {view['case_number']}：{_case_status(view['status'])}"]
    return "\n".join(lines + [f"{label}：{value}" for label, value in notice_rows(view)])


def notice_rows(view: dict[str, Any]) -> list[tuple[str, str]]:
    """The end of a case as the clerk reads it, label and value, on the command line and on
    the console's case page alike: the notice delivered or not, the signature and when, any
    objection in the worker's words, the rating, the online steps. No hashes: the version
    shows only as "signed the current one or not"."""
    if view["signed"]:
        signed = f"已签字（{_zh(view['signed_at'])}）"
    elif view.get("objection"):  # the worker's words are on the 有异议 row below
        call_by = view["objection"]["call_by"]  # ISO in the JSON view, in Chinese here
        signed = "有异议，待沟通"
        if call_by:
            day = when.text(Translator("zh_CN"), when.day(date.fromisoformat(call_by)))
            signed += f"（{day}前电话联系）"
    elif view["signatures"]:
        signed = "未签字（签过的旧版本已因结果变更作废，等待重新签字）"
    else:
        signed = "未签字"
    steps = view["online_step_status"]
    online = (
        "，".join(f"{STEP_ZH.get(k, k)}：{STEP_STATUS_ZH.get(v, v)}" for k, v in steps.items())
        if steps
        else "未回复"
    )
    if view["rating"]:
        rating = LEVEL_ZH.get(view["rating"], view["rating"])
        if view["rating_comment"]:
            rating += f"（意见：{view['rating_comment']}）"
    else:
        rating = "申请人选择不评价" if view["rating_declined"] else "未评价"
    notice = "已发给申请人" if view["notice_sha256"] else "未送达"
    rows = [("结果告知单", notice), ("签字", signed)]
    for o in view.get("objections", ()):
        state = f"已处理：{o['note']}" if o["done"] else "待电话沟通"
        rows.append(("有异议", f"{_zh(o['raised_at'])}“{o['words'] or '（未说明）'}”，{state}"))
    return [*rows, ("好差评", rating), ("网办事项", online)]


def _case_status(status: str) -> str:
    """The case's state in the words the worker's /status uses, the worker named: the clerk
    is not the "您" who signs."""

    tr = Translator("zh_CN")
    key = f"dialogs.case_status.{status}"
    text = tr(key)
    return status if text == key else text.replace("您", "申请人")
