"""The flowchart (流程图), drawn from the very `transitions` tables that run the service.

Three drawings: the process the plan asks for, from the items data
(`documents/flowchart_process.py`, the one the chat sends); the case lifecycle
(`cases/lifecycle.py`) and the applicant conversation (`dialogs/machine.py`). Each is a PNG
drawn with Pillow in the same CJK face as the PDFs (no graphviz: nothing to install beyond the
wheels), committed under docs/ with a fingerprint of the table it was drawn from.
`tests/documents/test_flowchart.py` fails when a table changes and the drawing was not
redrawn: `python main.py docs flowchart --write`.

This module reads the tables into graphs (`documents/flowchart_graph.py`) and keeps the
files; `documents/flowchart_layout.py` places the boxes (a plain layered layout: a state's
row is its distance from the initial state; moves forward go down, moves back or sideways run
in lanes on the right, dashed) and `documents/flowchart_draw.py` paints them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cases.lifecycle import TABLE as CASE_TABLE
from cases.lifecycle import CaseState
from dialogs.machine import TABLE as CONVERSATION_TABLE
from dialogs.machine import State
from documents.flowchart_draw import render_png
from documents.flowchart_graph import Edge, Graph
from documents.flowchart_process import process_graph
from locales import Translator

# Re-exported: callers draw a graph through this module.
__all__ = [
    "DOCS",
    "FINGERPRINTS",
    "MAX_DRAWN_SOURCES",
    "Edge",
    "Graph",
    "conversation_graph",
    "graphs",
    "image_path",
    "lifecycle_graph",
    "process_graph",
    "render_png",
    "stale",
    "write_all",
]

DOCS = Path(__file__).resolve().parent.parent / "docs"
FINGERPRINTS = DOCS / "flowchart.json"
# A row with more sources than this is drawn as a note ("from any state before ...").
MAX_DRAWN_SOURCES = 4


# -- the two tables ------------------------------------------------------------------------


def lifecycle_graph(tr: Translator) -> Graph:

    edges: list[Edge] = []
    notes: list[str] = []
    for trigger, srcs, dest in CASE_TABLE:
        if len(srcs) > MAX_DRAWN_SOURCES:
            notes.append(
                tr("documents.flow.note_many", trigger=trigger, dest=dest.value, n=len(srcs))
            )
            continue
        edges += [Edge(src.value, dest.value, trigger) for src in srcs]
    states = [s.value for s in CaseState]
    return Graph(
        name="case",
        title=tr("documents.flow.case_title"),
        initial=CaseState.draft.value,
        states=states,
        edges=edges,
        notes=notes,
        labels=_labels(tr, "documents.flow.case", states),
    )


def conversation_graph(tr: Translator) -> Graph:

    edges: list[Edge] = []
    notes: list[str] = []
    for row in CONVERSATION_TABLE:
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        label = str(row["trigger"])
        if cond := row.get("conditions"):
            label += f" [{cond}]"
        if unless := row.get("unless"):
            label += f" [not {unless}]"
        dest = str(State(row["dest"]).value)
        if len(sources) > MAX_DRAWN_SOURCES:
            notes.append(tr("documents.flow.note_many", trigger=label, dest=dest, n=len(sources)))
            continue
        edges += [Edge(str(State(s).value), dest, label) for s in sources]
    states = [s.value for s in State]
    return Graph(
        name="conversation",
        title=tr("documents.flow.conversation_title"),
        initial=State.start.value,
        states=states,
        edges=edges,
        notes=notes,
        labels=_labels(tr, "documents.flow.state", states),
    )


def graphs(tr: Translator | None = None) -> list[Graph]:
    tr = tr or Translator("zh_CN")
    return [process_graph(tr), lifecycle_graph(tr), conversation_graph(tr)]


def _labels(tr: Translator, prefix: str, states: list[str]) -> dict[str, str]:
    return {s: tr(f"{prefix}.{s}") for s in states if tr.has(f"{prefix}.{s}")}


# -- files -----------------------------------------------------------------------------------


def image_path(graph: Graph, docs: Path = DOCS) -> Path:
    return docs / f"flowchart-{graph.name}.png"


def write_all(docs: Path = DOCS) -> list[Path]:
    """Redraw every flowchart and record the fingerprints of the tables drawn."""
    docs.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    prints: dict[str, str] = {}
    for graph in graphs():
        path = image_path(graph, docs)
        path.write_bytes(render_png(graph))
        prints[graph.name] = graph.fingerprint()
        written.append(path)
    target = docs / FINGERPRINTS.name
    target.write_text(json.dumps(prints, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return [*written, target]


def stale(docs: Path = DOCS) -> list[str]:
    """Names of the drawings whose committed image no longer matches its table."""
    path = docs / FINGERPRINTS.name
    recorded: dict[str, Any] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    return [
        g.name
        for g in graphs()
        if recorded.get(g.name) != g.fingerprint() or not image_path(g, docs).exists()
    ]
