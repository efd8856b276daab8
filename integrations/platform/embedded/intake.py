"""The adapter side (`PlatformAdapter`): what our bot's outbox calls — submit, withdraw, send
a supplement, fetch the status — and the platform's record of each, idempotent on its key.

The async methods are the adapter; `record_*` and `case_status` are the synchronous use cases
behind them (`fn(session, ...)`), which `platform serve` runs for its HTTP endpoints too.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.models.platform import EmbCase, EmbSupplement
from cases.platform.port import (
    PlatformRejected,
    PlatformStatus,
    SubmitReceipt,
    SubmitRequest,
    SupplementReceipt,
    SupplementRequest,
)
from integrations.platform.embedded.core import FINAL
from integrations.platform.embedded.dispatch import Dispatch
from integrations.platform.embedded.sealing import seal


class Intake(Dispatch):
    # --- the adapter (PlatformAdapter) ----------------------------------------------------

    async def submit(self, request: SubmitRequest) -> SubmitReceipt:
        try:
            return await self.db.run(self.record_submission, request)
        except IntegrityError:
            # Two deliveries of one key raced; the loser finds the winner's row.
            return await self.db.run(self.record_submission, request)

    async def withdraw(self, case_number: str, reason: str) -> None:
        await self.db.run(self.record_withdrawal, case_number, reason)

    async def supplement(self, request: SupplementRequest) -> SupplementReceipt:
        try:
            return await self.db.run(self.record_supplement, request)
        except IntegrityError:
            return await self.db.run(self.record_supplement, request)

    async def status(self, case_number: str) -> PlatformStatus:
        return await self.db.run(self.case_status, case_number)

    # --- platform side of the calls (sync use cases) -------------------------------------

    def record_submission(
        self, session: Session, request: SubmitRequest, local: Mapping[str, str] | None = None
    ) -> SubmitReceipt:
        """`local`: where pages fetched by URL are in this side's own store (by wire address);
        the staff console shows a page from there."""
        existing = session.scalar(
            select(EmbCase).where(EmbCase.idempotency_key == request.idempotency_key)
        )
        if existing is not None:
            return SubmitReceipt(
                existing.case_number, existing.platform_ref, existing.received_at, duplicate=True
            )
        if session.get(EmbCase, request.case_number) is not None:
            raise PlatformRejected("case_exists", request.case_number)
        received = self.now()
        row = EmbCase(
            case_number=request.case_number,
            idempotency_key=request.idempotency_key,
            platform_ref="P" + secrets.token_hex(8),
            form=seal(session, dict(request.form)),
            materials={
                m.code: {
                    "sha256": list(m.sha256),
                    "mime": m.mime,
                    "pages": m.pages,
                    "lost": m.lost,
                    **_local(m.sha256, local),
                }
                for m in request.materials
            },
            received_at=received,
        )
        session.add(row)
        session.flush()
        return SubmitReceipt(row.case_number, row.platform_ref, received)

    def record_withdrawal(self, session: Session, case_number: str, reason: str) -> None:
        case = self._case(session, case_number, rejected=True)
        if case.status == "withdrawn":
            return
        case.status = "withdrawn"
        case.withdrawn_reason = reason
        for item in self._items_of(session, case_number):
            if item.status not in FINAL:
                item.status = "refused"
                item.reason = "withdrawn"

    def record_supplement(
        self,
        session: Session,
        request: SupplementRequest,
        local: Mapping[str, str] | None = None,
    ) -> SupplementReceipt:
        existing = session.scalar(
            select(EmbSupplement).where(EmbSupplement.idempotency_key == request.idempotency_key)
        )
        if existing is not None:
            return SupplementReceipt(existing.case_number, existing.material_code, True)
        case = self._case(session, request.case_number, rejected=True)
        if not request.pages and not request.lost:
            raise PlatformRejected("no_pages", "a supplement needs pages or the material lost")
        session.add(
            EmbSupplement(
                idempotency_key=request.idempotency_key,
                case_number=case.case_number,
                material_code=request.material_code,
                pages={"pages": [{"sha256": p.sha256, "mime": p.mime} for p in request.pages]},
                received_at=self.now(),
            )
        )
        materials = dict(case.materials)
        entry = dict(materials.get(request.material_code, {}))
        entry["sha256"] = [p.sha256 for p in request.pages]
        entry["pages"] = len(request.pages)
        if request.pages:
            entry["mime"] = request.pages[0].mime
        entry["lost"] = request.lost and not request.pages
        entry.pop("local", None)
        entry.update(_local(entry["sha256"], local))
        entry.pop("returned", None)
        entry.pop("returned_files", None)
        materials[request.material_code] = entry
        case.materials = materials
        if case.status == "returned" and not any("returned" in m for m in materials.values()):
            case.status = "received"  # back on the clerk's desk
        events = self._supplement_arrived(
            session,
            case.case_number,
            request.material_code,
            len(request.pages),
            entry["lost"],
            self.now(),
        )
        session.flush()
        for event in events:
            self.sink(session, event)
        return SupplementReceipt(case.case_number, request.material_code)

    def case_status(self, session: Session, case_number: str) -> PlatformStatus:
        case = self._case(session, case_number, rejected=True)
        return PlatformStatus(case.case_number, case.status, self._item_states(session, case))


def _local(addresses: Iterable[str], local: Mapping[str, str] | None) -> dict[str, Any]:
    """The `local` field of a material entry: wire address -> this side's store address."""
    found = {a: local[a] for a in addresses if local and a in local}
    return {"local": found} if found else {}
