"""What staff see, with least privilege: the clerk's queue and whole case; an office's queue
and case view hold only its items' fields and materials. Every view is audited with the
fields shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from cases.keyset import FIRST, Position
from cases.models.platform import EmbCase
from cases.platform.port import ItemState
from integrations.platform.embedded.core import audit, case_stage
from integrations.platform.embedded.dispatch import Dispatch
from integrations.platform.embedded.errors import CLERK, StaffError
from integrations.platform.embedded.materials import supplementable
from integrations.platform.embedded.sealing import unseal
from integrations.platform.embedded.staff_queue import QueueRow, StaffPage, staff_queue_page
from policy.items import ItemDef


@dataclass(frozen=True)
class CaseView:
    """What one viewer may see of a case: the clerk everything, an office its item only."""

    case_number: str
    status: str
    viewer: str  # "clerk" or an office code
    fields: dict[str, Any]
    materials: dict[str, Any]
    items: tuple[ItemState, ...] = field(default_factory=tuple)
    # item -> its supplement rounds (what was asked, what came back): see `EmbItem.rounds`
    rounds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The case's own status (cases/lifecycle.py): what staff read as its state, past the
    # platform's last word (`results_ready`) to the notice, signature and rating.
    stage: str = ""
    # What an office may ask the applicant to send again (`materials.supplementable`): the
    # case's materials by code, whether or not this viewer sees their pages.
    supplementable: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"CaseView({self.case_number!r}, viewer={self.viewer!r})"


class Views(Dispatch):
    def queue(
        self,
        session: Session,
        actor: str,
        office: str | None = None,
        *,
        page: int = 1,
        size: int = 50,
    ) -> list[QueueRow]:
        """One page of the clerk's queue (overdue first, then oldest) or of an office's items."""
        return self.queue_page(session, actor, office, at=Position(page=page), size=size).rows

    def queue_page(
        self,
        session: Session,
        actor: str,
        office: str | None = None,
        *,
        at: Position = FIRST,
        size: int = 50,
    ) -> StaffPage:
        """The same from a position (`cases.keyset`), with the count and whether rows come
        before and after (`staff_queue.py`); the view is audited."""
        return staff_queue_page(
            session, actor, office, self.items, now=self.now(), at=at, size=size
        )

    def show(
        self, session: Session, case_number: str, actor: str, office: str | None = None
    ) -> CaseView:
        """One case as the viewer may see it; the view is audited."""
        case = self._case(session, case_number)
        states = self._item_states(session, case)
        rounds = {
            i.item: [dict(r) for r in i.rounds]
            for i in self._items_of(session, case.case_number)
            if i.rounds
        }
        stage = case_stage(session, case)
        if office is None:
            view = CaseView(
                case.case_number,
                case.status,
                CLERK,
                unseal(session, case.form),
                dict(case.materials),
                states,
                rounds,
                stage,
                supplementable(case.materials),
            )
        else:
            view = self._office_view(session, case, office, states, rounds, stage)
        seen_items = [s.item for s in view.items]
        audit(
            session,
            actor,
            "platform.view_case",
            case.case_number,
            seen_items[0] if len(seen_items) == 1 else None,
            {
                "viewer": view.viewer,
                "fields": sorted(view.fields),
                "materials": sorted(view.materials),
            },
        )
        return view

    def _office_view(
        self,
        session: Session,
        case: EmbCase,
        office: str,
        states: tuple[ItemState, ...],
        rounds: dict[str, list[dict[str, Any]]],
        stage: str,
    ) -> CaseView:
        """Only the fields and materials of the office's own items in this case."""
        self._check_office(office)
        # The items at this office in this case: a town's office only its own residents'.
        at_office = {s.item for s in states if s.office == office}
        mine = [d for d in self.items if d.code in at_office]
        if not mine:
            raise StaffError(
                "not_for_office",
                f"办件 {case.case_number} 没有分派给经办机构 {office} 的事项。",
            )
        fields, materials = _visible_to(session, case, mine, rounds)
        seen_items = [d.code for d in mine]
        return CaseView(
            case.case_number,
            case.status,
            office,
            fields,
            materials,
            tuple(s for s in states if s.item in seen_items),
            {k: v for k, v in rounds.items() if k in seen_items},
            stage,
            supplementable(case.materials),
        )


def _visible_to(
    session: Session,
    case: EmbCase,
    mine: list[ItemDef],
    rounds: dict[str, list[dict[str, Any]]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fields, materials) that the office of these items may see of the case."""
    fields: dict[str, Any] = {}
    materials: dict[str, Any] = {}
    for d in mine:
        fields.update(d.visible_fields(unseal(session, case.form)))
        # Its own materials, and whatever it asked the applicant for on top of them.
        asked = {c for r in rounds.get(d.code, []) for c in r.get("materials", [])}
        materials.update(
            {k: v for k, v in case.materials.items() if k in d.materials or k in asked}
        )
    return fields, materials
