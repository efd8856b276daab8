"""An office: its inbox (its own pending items only, due time, overdue flagged), the item page
with only what its item may see, and the answer form generated from the item's declared result
fields in `policy/items.toml` (typed, validated, with units): done, supplement, refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from integrations.platform.embedded.errors import StaffError
from policy.items import ItemDef, offices_of
from staffweb.core import (
    Refused,
    console_of,
    done_notice,
    need,
    pager,
    position_of,
    refusal_for,
    render,
)
from staffweb.materials import material_views


@dataclass(frozen=True)
class Input:
    """One input of an answer form."""

    code: str
    kind: str  # money | date | integer | number | boolean | text
    required: bool
    label: str
    unit: str

    @property
    def html_type(self) -> str:
        # Days and months are text in the form's own order (1965-05-15): a date picker shows
        # the browser's language ("mm/dd/yyyy"), not the clerk's.
        return {"money": "number", "integer": "number", "number": "number"}.get(self.kind, "text")

    @property
    def pattern(self) -> str | None:
        return {"date": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}"}.get(self.kind)

    @property
    def step(self) -> str | None:
        return {"money": "0.01", "integer": "1", "number": "any"}.get(self.kind)


def answer_inputs(definition: ItemDef, labels: Any) -> list[Input]:
    return [
        Input(f.code, f.type, f.required, labels.result_field(f.code), labels.unit(f.code, f.type))
        for f in definition.result
    ]


async def inbox_page(request: web.Request) -> web.StreamResponse:
    who = need(request, "office")
    console = console_of(request)
    inbox = await console.db.run(
        console.platform.queue_page,
        who.actor,
        who.office,
        at=position_of(request),
        size=console.settings.page_size,
    )
    rows = inbox.rows
    edges = (rows[0].case_number, rows[-1].case_number) if rows else None
    links = pager("/inbox", {}, inbox, edges, inbox.pages, inbox.more)
    return render(request, "inbox.html", inbox=inbox, pager=links)


async def case_page(
    request: web.Request,
    *,
    error: str | None = None,
    error_item: str | None = None,
    typed: dict[str, str] | None = None,
) -> web.StreamResponse:
    who = need(request, "office")
    console = console_of(request)
    number = request.match_info["number"]
    try:
        view = await console.db.run(console.platform.show, number, who.actor, who.office)
    except StaffError as exc:
        raise refusal_for(exc, office=True, tr=console.tr) from exc
    by_code = {d.code: d for d in console.platform.items}
    forms = [
        {
            "item": state.item,
            "inputs": answer_inputs(by_code[state.item], console.labels),
        }
        for state in view.items
        if state.status == "pending" and state.item in by_code
    ]
    return render(
        request,
        "office_case.html",
        status=400 if error else 200,
        view=view,
        form_rows=console.labels.form_rows(view.fields, mask_id=False),
        materials=await material_views(request, view),
        forms=forms,
        supplement_codes=view.supplementable,  # the case's own materials only
        error=error,
        done=None if error else done_notice(request),
        error_item=error_item,
        typed=typed or {},
    )


async def answer(request: web.Request) -> web.StreamResponse:
    who = need(request, "office")
    console = console_of(request)
    number = request.match_info["number"]
    item = request.match_info["item"]
    definition = next((d for d in console.platform.items if d.code == item), None)
    if definition is None or who.office not in offices_of(definition):
        raise Refused(403, console.tr("web.error.not_yours"))
    form = await request.post()
    outcome = str(form.get("outcome", ""))
    reason = str(form.get("reason", "")).strip() or None
    typed = {
        f.code: str(form.get(f"result.{f.code}", "")).strip()
        for f in definition.result
        if str(form.get(f"result.{f.code}", "")).strip()
    }
    data: dict[str, Any] = {}
    if outcome == "done":
        data = dict(typed)
    elif outcome == "supplement":
        data = {"materials": [str(v) for v in form.getall("materials", [])]}
        if not data["materials"]:
            return await case_page(
                request,
                error=console.tr("web.office.supplement_pick"),
                error_item=item,
                typed=typed,
            )
    elif outcome != "refused":
        return await case_page(
            request, error=console.tr("web.office.pick_outcome"), error_item=item, typed=typed
        )
    if outcome != "done" and not reason:
        return await case_page(
            request, error=console.tr("web.office.reason_needed"), error_item=item, typed=typed
        )
    try:
        await console.db.run(
            console.platform.answer,
            number,
            item,
            outcome,
            who.actor,
            data,
            reason,
            who.office,
        )
    except StaffError as exc:
        if exc.code in ("bad_data", "unknown_material", "no_material"):
            message = _data_problem(exc.message, console, definition)
            return await case_page(request, error=message, error_item=item, typed=typed)
        if exc.code in ("already_answered", "not_dispatched", "awaiting_supplement", "withdrawn"):
            return await case_page(request, error=exc.message, error_item=item, typed=typed)
        raise refusal_for(exc, office=True, tr=console.tr) from exc
    raise web.HTTPSeeOther(f"/cases/{number}?done={item}")


def _data_problem(message: str, console: Any, definition: ItemDef) -> str:
    """The platform names a field by its code: show its Chinese label instead."""
    for f in definition.result:
        message = message.replace(f.code, f"“{console.labels.result_field(f.code)}”")
    return message
