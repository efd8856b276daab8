"""The offices answer their items: done (with the office's data, typed and validated against
`policy/items.toml`), needs supplement, or refused with a reason. Each answer is audited; it
may start a waiting item's clock, and the last one makes the case `results_ready`."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models.platform import EmbItem
from cases.platform.events import AllAnswered, ItemAnswered, ItemOutcome, PlatformEvent
from integrations.platform.embedded.birth_date import FIELD as ARCHIVE_FIELD
from integrations.platform.embedded.birth_date import note_archive_birth_date
from integrations.platform.embedded.core import (
    FINAL,
    STATE_ERRORS,
    STATUS_ZH,
    audit,
    new_event_id,
)
from integrations.platform.embedded.dispatch import Dispatch
from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.materials import named_materials, supplementable
from locales import Translator
from policy.items import ItemDef, offices_of


class OfficeDesk(Dispatch):
    def answer(
        self,
        session: Session,
        case_number: str,
        item: str,
        result: ItemOutcome,
        actor: str,
        data: Mapping[str, Any] | None = None,
        reason: str | None = None,
        office: str | None = None,
    ) -> list[PlatformEvent]:
        """An office answers its item; returns the events it caused (in order)."""
        definition = self._item_def(item)
        item = definition.code  # typed by its Chinese name, perhaps
        if office is not None:
            self._check_office(office)
            if office not in offices_of(definition):
                raise _wrong_office(definition, office)
        case = self._case(session, case_number)
        if case.status == "withdrawn":
            raise StaffError("withdrawn", STATE_ERRORS["withdrawn"])
        row = session.scalar(
            select(EmbItem).where(EmbItem.case_number == case.case_number, EmbItem.item == item)
        )
        if row is not None and office is not None and row.office != office:
            raise _wrong_office(definition, office)  # another town's resident
        _check_answerable(row, definition, case.case_number)
        assert row is not None
        clean = _answer_data(definition, result, data, reason, supplementable(case.materials))
        if result == "done" and clean.get(ARCHIVE_FIELD):
            note_archive_birth_date(case, clean[ARCHIVE_FIELD])  # for the pension office
        now = self.now()
        row.status = result
        row.answered_at = now
        row.answered_by = actor
        row.data = clean
        row.reason = reason
        detail: dict[str, Any] = {
            "result": result,
            "office": row.office,
            "fields": sorted(clean),
        }
        if result == "supplement":
            # One more round: what is asked and why; what comes back is added to it
            # (intake.py), and the item returns to the office when all of it has.
            rounds = list(row.rounds or [])
            rounds.append(
                {
                    "round": len(rounds) + 1,
                    "asked_at": now.isoformat(),
                    "asked_by": actor,
                    "reason": reason,
                    "materials": clean["materials"],
                    "received": {},
                    "back_at": None,
                    "due_at": None,
                }
            )
            row.rounds = rounds
            detail.update(round=len(rounds), materials=clean["materials"], reason=reason)
        audit(session, actor, "platform.answer", case.case_number, item, detail)
        events: list[PlatformEvent] = [
            ItemAnswered(
                case.case_number,
                new_event_id(),
                now,
                item=item,
                office=row.office,
                result=result,
                data=clean,
                reason=reason,
            )
        ]
        events += self._follow_answer(session, case.case_number, definition, result, now)
        session.flush()
        if all(i.status in FINAL for i in self._items_of(session, case.case_number)):
            case.status = "results_ready"
            events.append(AllAnswered(case.case_number, new_event_id(), now))
        for event in events:
            self.sink(session, event)
        return events


def _wrong_office(definition: ItemDef, office: str) -> StaffError:
    return StaffError(
        "wrong_office",
        f"事项“{definition.name_zh}”由{definition.office_name_zh}办理，不属于经办机构 {office}。",
    )


def _check_answerable(row: EmbItem | None, definition: ItemDef, case_number: str) -> None:
    if row is None:
        raise StaffError(
            "item_not_in_case", f"办件 {case_number} 不含事项“{definition.name_zh}”。"
        )
    if row.status in FINAL:
        raise StaffError(
            "already_answered",
            f"事项“{definition.name_zh}”已经答复过（{STATUS_ZH[row.status]}），不能重复答复。",
        )
    if row.status == "waiting":
        raise StaffError(
            "not_dispatched", f"事项“{definition.name_zh}”还在等待前置事项办结，暂不能答复。"
        )
    if row.status == "supplement":
        raise StaffError(
            "awaiting_supplement", f"事项“{definition.name_zh}”正在等申请人补充材料。"
        )


def _answer_data(
    definition: ItemDef,
    result: str,
    data: Mapping[str, Any] | None,
    reason: str | None,
    case_materials: tuple[str, ...],
) -> dict[str, Any]:
    if result not in ("done", "supplement", "refused"):
        raise StaffError(
            "bad_result",
            "答复结果只能是 done（办结）、supplement（需补充）或 refused（不予办理）。",
        )
    if result == "done":
        clean = coerce_result(definition, data or {})
        problems = definition.validate_result(clean)
        if problems:
            raise StaffError("bad_data", _data_problems_zh(definition, problems))
        return clean
    if not (reason or "").strip():
        raise StaffError("no_reason", "需补充或不予办理时，请用 --reason 写明原因。")
    clean = dict(data or {})
    if result == "supplement":
        clean["materials"] = named_materials(clean.get("materials"), case_materials)
    return clean


def coerce_result(definition: ItemDef, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed answer data from what staff typed (`key=value` strings); unknown keys are kept
    for `validate_result` to name, values it cannot read are kept as typed (then invalid)."""
    types = {f.code: f.type for f in definition.result}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        kind = types.get(key)
        if not isinstance(value, str) or kind is None:
            out[key] = value
            continue
        text = value.strip()
        try:
            if kind == "integer":
                out[key] = int(text)
            elif kind == "number":
                out[key] = float(Decimal(text))
            elif kind == "boolean":
                lowered = text.lower()
                if lowered in ("true", "yes", "1", "是"):
                    out[key] = True
                elif lowered in ("false", "no", "0", "否"):
                    out[key] = False
                else:
                    out[key] = text
            else:
                out[key] = text  # money stays a decimal string; dates ISO strings
        except (ValueError, ArithmeticError):
            out[key] = text
    return out


def _data_problems_zh(definition: ItemDef, problems: tuple[str, ...]) -> str:
    """What is wrong, by the fields' Chinese names (and the codes typed after --data), then
    every field this item's "done" takes, with the kind of value each expects."""
    tr = Translator("zh_CN")

    def name(code: str) -> str:
        return tr(f"web.result.{code}") if tr.has(f"web.result.{code}") else code

    kinds = {f.code: f.type for f in definition.result}
    said = []
    for problem in problems:
        kind, _, code = problem.partition(":")
        kind_of = tr(f"web.result_type.{kinds[code]}") if code in kinds else ""
        what = {"field": name(code), "code": code, "kind": kind_of}
        said.append(tr(f"web.result_problem.{kind}", **what))
    fields = [
        tr(
            "web.result_problem.field" if f.required else "web.result_problem.optional_field",
            field=name(f.code),
            code=f.code,
            kind=tr(f"web.result_type.{f.type}"),
        )
        for f in definition.result
    ]
    return tr(
        "web.result_problem.summary",
        problems="；".join(said),
        item=definition.name_zh,
        fields="、".join(fields),
    )
