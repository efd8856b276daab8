"""How the staff commands print: statuses in Chinese, local times, an item's rounds, and the
JSON shapes of the queue and of a case."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.clock import LOCAL_TZ
from cases.keyset import Position
from locales import Translator, when

if TYPE_CHECKING:  # types only: `staff queue` must not load the platform's case views
    from integrations.platform.embedded.staff_queue import QueueRow
    from integrations.platform.embedded.views import CaseView

STATUS = {
    "received": "待受理",
    "returned": "已退回补正",
    "accepted": "已受理，办理中",
    "results_ready": "结果已就绪",
    "withdrawn": "已撤回",
    "pending": "办理中",
    "waiting": "等待前置事项",
    "done": "已办结",
    "supplement": "需补充",
    "refused": "不予办理",
    "online": "申请人网上自办",
}


def round_lines(item: str, office: str, r: dict[str, Any]) -> list[str]:
    """One supplement round in plain words: who asked what and why, what came back. The item
    and office by their Chinese names; the account only when it is a person's, not the
    office's own ("经办-<office>")."""
    name = material_name
    asked = "、".join(name(c) for c in r.get("materials", []))
    asked_at, account = local(parse_time(r.get("asked_at"))), person(r.get("asked_by"))
    asked_by = office_name(office)
    if account and office not in account:
        asked_by += f" {account}"
    lines = [
        f"{item_name(item)} 第{r['round']}轮：{asked_at}，{asked_by}"
        f"要求补充：{asked}（原因：{r.get('reason') or '-'}）"
    ]
    received = r.get("received") or {}
    for code in r.get("materials", []):
        got = received.get(code)
        if got is None:
            lines.append(f"    {name(code)}：等待申请人补充")
        elif got.get("lost"):
            at = local(parse_time(got["at"]))
            lines.append(f"    {name(code)}：申请人称已遗失，请经办机构查询（{at}）")
        else:
            at = local(parse_time(got["at"]))
            lines.append(f"    {name(code)}：已补交 {got['pages']} 页（{at}）")
    if r.get("back_at"):
        lines.append(
            f"    材料已齐，{local(parse_time(r['back_at']))} 退回经办机构重新计时，"
            f"截止 {local(parse_time(r.get('due_at')))}"
        )
    return lines


def position_of(args: Any) -> Position:
    """The page `--page N`, `--after ROW` and `--last` ask for (`cases.keyset`): after a row,
    the number is the label the footer printed (none without `--page`); alone, a jump."""
    page = getattr(args, "page", None)
    if getattr(args, "last", False):
        return Position(last=True, page=None)
    after = getattr(args, "after", None)
    return Position(after=after, page=page) if after else Position(page=page or 1)


def nothing_on(page: int | None) -> str:
    """What an empty page past the list's start says."""
    return f"第 {page} 页没有内容。" if page else "这一页没有内容。"


def page_footer(
    page: int | None, size: int, total: int, more: bool = False, *, after: str | None = None
) -> str:
    """ "第 1/3 页，共 120 件；下一页：--page 2 --after YJ-…" (with "1000+" where the count
    stopped): `after`, the page's last row, when more rows follow."""
    counted = f"{total}+" if more else str(total)
    pages = f"{-(-total // size)}+" if more else str(max(1, -(-total // size)))
    line = f"第 {page}/{pages} 页，共 {counted} 件" if page else f"共 {counted} 件"
    if after:
        line += "；下一页：" + (f"--page {page + 1} " if page else "") + f"--after {after}"
    return line + "。"


def material_name(code: str) -> str:
    """A material's Chinese name (the code itself for one the catalog does not know)."""

    tr = Translator("zh_CN")
    key = f"material.{code}.name"
    return tr(key) if tr.has(key) else code


def item_name(code: str) -> str:
    """An item's Chinese name (the code itself for one the catalog does not know)."""
    tr = Translator("zh_CN")
    key = f"item.{code}.name"
    return tr(key) if tr.has(key) else code


def office_name(code: str) -> str:
    """An office's Chinese name (a town's government by its town)."""
    from integrations.platform.labels import Labels

    return Labels(Translator("zh_CN")).office(code)


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def person(actor: str | None) -> str:
    # "account:wufang@social_insurance_center" (or an older "staff:吴芳@...") -> "wufang"
    return (actor or "").removeprefix("account:").removeprefix("staff:").split("@")[0]


def local(value: datetime | None) -> str:
    return when.staff_moment(value, LOCAL_TZ)


def row_json(r: QueueRow) -> dict[str, Any]:
    return {
        "case_number": r.case_number,
        "status": r.status,
        "applicant": r.applicant,
        "received_at": r.received_at.isoformat(),
        "item": r.item,
        "office": r.office,
        "item_status": r.item_status,
        "due_at": r.due_at.isoformat() if r.due_at else None,
        "overdue": r.overdue,
    }


def view_json(view: CaseView) -> dict[str, Any]:
    return {
        "case_number": view.case_number,
        "status": view.status,
        "stage": view.stage,
        "viewer": view.viewer,
        "fields": view.fields,
        "materials": view.materials,
        "items": [
            {
                "item": i.item,
                "office": i.office,
                "status": i.status,
                "due_at": i.due_at.isoformat() if i.due_at else None,
            }
            for i in view.items
        ],
        "supplement_rounds": view.rounds,
    }
