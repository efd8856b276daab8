"""Plain Chinese for what staff see: form fields and their values, materials, items, offices,
statuses and times. Never a key or a hash: a name the catalogs do not know is shown as given
only for data the applicant typed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from app.clock import LOCAL_TZ
from locales import Translator, when
from policy.idcard import mask_number
from policy.items import form_fields
from policy.towns import town_of_office

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # a day as the form keeps it


def _inner(text: str) -> str:
    """Quotes inside quotes as Chinese writes them: “…‘企业职工退休’…”, never “…“…”…”."""
    return text.replace("“", "‘").replace("”", "’")


class Labels:
    def __init__(self, tr: Translator) -> None:
        self.tr = tr

    def _first(self, *keys: str, default: str) -> str:
        for key in keys:
            if self.tr.has(key):
                return self.tr(key)
        return default

    def field(self, name: str) -> str:
        return self._first(f"web.field.{name}", f"documents.form.field.{name}", default=name)

    def value(self, name: str, value: Any) -> str:
        if value is None or value == "":
            return self.tr("web.value.unknown")
        if isinstance(value, bool):
            return self.tr("web.value.yes") if value else self.tr("web.value.no")
        if name == "contribution_months" and isinstance(value, int):
            return when.counted_months(self.tr, value)
        if isinstance(value, str) and _ISO_DAY.fullmatch(value):  # 1965-05-15 → 1965年5月15日
            return when.text(self.tr, when.day(date.fromisoformat(value)))
        return self._first(f"documents.form.value.{name}.{value}", default=str(value))

    def form_rows(self, fields: Mapping[str, Any], *, mask_id: bool) -> list[tuple[str, str]]:
        """(label, value) in reading order; the ID number masked when `mask_id`."""
        order = form_fields()  # policy/items.toml [form]: the declared order
        names = [n for n in order if n in fields]
        names += sorted(n for n in fields if n not in order)
        rows = []
        for name in names:
            value = fields[name]
            if name == "id_number" and value and mask_id:
                value = mask_number(str(value))
            rows.append((self.field(name), self.value(name, value)))
        return rows

    def material(self, code: str) -> str:
        return self._first(f"material.{code}.name", default=code)

    def task_context(self, detail: Mapping[str, Any]) -> str:
        """Where a hand-over was asked and the worker's words, for the clerk's task list:
        "已提交后：“养老金怎么算的”" or "提交前，在“身份证号”一步"."""
        stage = str(detail.get("stage") or "")
        if not stage:
            return ""
        step = str(detail.get("question") or "")
        # At signing, "question" holds the worker's words; elsewhere the open question.
        words = step if stage == "signing" else str(detail.get("words") or "")
        where = self._first(f"web.tasks.stage.{stage}", default=stage)
        if stage != "signing" and step:
            code = step.removeprefix("ask_upload_")
            name = (
                self.material(code)
                if code != step
                else self._first(f"documents.flow.state.{step}", default="")
            )
            if name:
                where += self.tr("web.tasks.at_step", step=_inner(name))
        if words:
            where += self.tr("web.tasks.words", words=_inner(words))
        if earlier := str(detail.get("earlier") or ""):
            where += self.tr("web.tasks.earlier", words=_inner(earlier))
        return where

    def item(self, code: str) -> str:
        return self._first(f"item.{code}.name", default=code)

    def office(self, code: str) -> str:
        town = town_of_office(code)  # each town's government is its own office
        return (
            town.office_name_zh
            if town is not None
            else self._first(f"office.{code}.name", default=code)
        )

    def role(self, role: str) -> str:
        if town_of_office(role) is not None:
            return self.office(role)
        return self._first(f"web.role.{role}", f"office.{role}.name", default=role)

    def status(self, status: str) -> str:
        return self._first(f"web.status.{status}", default=status)

    def case_stage(self, stage: str) -> str:
        """A case's state (its status in cases/lifecycle.py), one wording everywhere."""
        return self._first(f"web.case_stage.{stage}", default=stage)

    def result_field(self, code: str) -> str:
        return self._first(f"web.result.{code}", default=code)

    def unit(self, code: str, kind: str) -> str:
        return self._first(f"web.unit.{code}", f"web.unit_type.{kind}", default="")


def local(value: datetime | None) -> str:
    return when.staff_moment(value, LOCAL_TZ)
