"""The applicant's case as the record stands: what the conversation may say about it.

After submission the database is the record, not the conversation: which materials were
returned and are still open, how far each item is, and what an office asked for that the
applicant has not sent yet. `case_view` reads it in the event's transaction; the engine gets
the plain `CaseView` and never touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cases.models import Case, ItemResult, MaterialPage, PageStatus
from cases.repositories.pages import pages_of
from cases.repositories.results import item_results
from policy.materials import requested_materials


@dataclass(frozen=True)
class Rejection:
    material: str
    reason: str
    pages: tuple[str, ...] = ()  # sha256 of the rejected pages: the same photo is refused
    kept: int = 0  # pages of the material still good (the clerk returned some pages only)


@dataclass(frozen=True)
class ItemProgress:
    code: str
    status: str
    due_at: datetime | None = None  # when the office's answer is due, while its clock runs


@dataclass(frozen=True)
class SupplementAsk:
    """An office asked for more material on its item; `materials` are those still to send
    (named by the office, or "other material"), `reason` the office's words."""

    item: str
    reason: str
    materials: tuple[str, ...]


@dataclass(frozen=True)
class CaseView:
    """The applicant's case as the database records it (the record, not the conversation)."""

    number: str
    status: str
    rejected: tuple[Rejection, ...] = ()
    items: tuple[ItemProgress, ...] = ()
    asks: tuple[SupplementAsk, ...] = ()  # offices' requests with something still to send


def case_view(session: Session, case: Case) -> CaseView:
    """The case, its open rejections and its items' progress, read in one go."""
    pages = pages_of(session, case.id)
    # A rejected material is still open until a supplement page replaces it.
    replaced = {p.material_code for p in pages if p.supplement and p.status == PageStatus.ok.value}
    # An office's request is answered, material by material, by new pages or by "lost"
    # (what the material had before the request was refused when it came).
    answered = replaced | {p.material_code for p in pages if p.status == PageStatus.lost.value}
    items, asks = _progress(item_results(session, case.id), answered)
    return CaseView(
        number=case.number or "",
        status=case.status,
        rejected=_open_rejections(pages, replaced),
        items=items,
        asks=asks if case.status == "processing" else (),
    )


def _open_rejections(pages: list[MaterialPage], replaced: set[str]) -> tuple[Rejection, ...]:
    """Per material returned and not yet replaced: the first reason, every refused page."""
    reasons: dict[str, str] = {}
    hashes: dict[str, list[str]] = {}
    for p in pages:
        if p.status == PageStatus.rejected.value and p.material_code not in replaced:
            reasons.setdefault(p.material_code, p.reject_reason or "")
            hashes.setdefault(p.material_code, []).append(p.sha256 or "")
    kept: dict[str, int] = {}
    for p in pages:
        if p.material_code in reasons and p.status == PageStatus.ok.value:
            kept[p.material_code] = kept.get(p.material_code, 0) + max(1, p.page_count or 1)
    return tuple(
        Rejection(code, reason, tuple(hashes.get(code, ())), kept.get(code, 0))
        for code, reason in reasons.items()
    )


def _progress(
    results: list[ItemResult], answered: set[str]
) -> tuple[tuple[ItemProgress, ...], tuple[SupplementAsk, ...]]:
    """Each item's status, and the offices' requests with something still to send (a request
    fully answered shows as `supplement_sent` until the office takes it up)."""
    items: list[ItemProgress] = []
    asks: list[SupplementAsk] = []
    for r in results:
        status = r.status
        if status == "supplement":
            wanted = requested_materials((r.data or {}).get("materials"))
            missing = tuple(c for c in wanted if c not in answered)
            if missing:
                asks.append(SupplementAsk(r.item_code, r.reason or "", missing))
            else:
                status = "supplement_sent"  # sent; the office has not taken it up yet
        items.append(ItemProgress(r.item_code, status, r.due_at))
    return tuple(items), tuple(asks)
