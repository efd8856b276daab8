"""The process flowchart the plan asks for (申请登记 → 受理登记 → 事项办理 → 结果反馈), drawn
from the items data (`policy/items.toml`): the offices work in parallel after acceptance, an
item that waits on another (the medical office after the pension) hangs below it, and an item
the applicant does online follows the result. A seventh item appears with no code change."""

from __future__ import annotations

from collections.abc import Sequence

from documents.flowchart_graph import Edge, Graph
from locales import Translator
from policy.items import ItemDef, load_items

APPLY, ACCEPT, RESULT = "apply", "accept", "result"


def _limit(item: ItemDef, tr: Translator) -> str:
    clock = item.clock
    if clock.kind == "hours":
        return tr("documents.flow.process.hours", hours=f"{clock.hours:g}")
    if clock.kind == "working_days_after":
        return tr("documents.flow.process.days_after", days=clock.working_days)
    return tr("documents.flow.process.online")


def process_graph(tr: Translator, items: Sequence[ItemDef] | None = None) -> Graph:
    items = load_items() if items is None else items
    p = "documents.flow.process"
    edges = [Edge(APPLY, ACCEPT, tr(f"{p}.submit"))]
    for i in items:
        if i.clock.kind == "working_days_after" and i.clock.after is not None:
            edges.append(Edge(i.clock.after, i.code, tr(f"{p}.after")))
        elif not i.dispatched:
            edges.append(Edge(RESULT, i.code, tr(f"{p}.told")))
            continue
        else:
            edges.append(Edge(ACCEPT, i.code, tr(f"{p}.dispatch")))
        edges.append(Edge(i.code, RESULT, tr(f"{p}.answer")))
    labels = {
        APPLY: tr(f"{p}.apply"),
        ACCEPT: tr(f"{p}.accept"),
        RESULT: tr(f"{p}.result"),
    }
    labels |= {
        i.code: f"{tr(i.name_key)}（{tr(i.office_name_key)}，{_limit(i, tr)}）" for i in items
    }
    return Graph(
        name="process",
        title=tr(f"{p}.title"),
        initial=APPLY,
        states=[APPLY, ACCEPT, *(i.code for i in items), RESULT],
        edges=edges,
        labels=labels,
    )
