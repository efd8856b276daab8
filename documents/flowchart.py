"""The flowchart (流程图), drawn from the very `transitions` tables that run the service.

Two drawings: the case lifecycle (`cases/lifecycle.py`) and the applicant conversation
(`dialogs/machine.py`). Each is a PNG drawn with Pillow in the same CJK face as the PDFs (no
graphviz: nothing to install beyond the wheels), committed under docs/ with a fingerprint of
the table it was drawn from. `tests/documents/test_flowchart.py` fails when a table changes
and the drawing was not redrawn: `python main.py docs flowchart --write`.

The layout is a plain layered one: a state's row is its distance from the initial state;
moves forward go down, moves back or sideways run in lanes on the right, dashed.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from cases.lifecycle import TABLE as CASE_TABLE
from cases.lifecycle import CaseState
from dialogs.machine import TABLE as CONVERSATION_TABLE
from dialogs.machine import State
from documents.fonts import pil_font
from locales import Translator

DOCS = Path(__file__).resolve().parent.parent / "docs"
FINGERPRINTS = DOCS / "flowchart.json"
# A row with more sources than this is drawn as a note ("from any state before ...").
MAX_DRAWN_SOURCES = 4


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    label: str


@dataclass
class Graph:
    name: str  # file stem: docs/flowchart-<name>.png
    title: str
    initial: str
    states: list[str]
    edges: list[Edge]
    notes: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # state -> reader's name

    def describe(self) -> str:
        """The canonical text of the table: what the fingerprint is taken over."""
        lines = [f"initial {self.initial}", *(f"state {s}" for s in self.states)]
        lines += [f"edge {e.src} -> {e.dst} : {e.label}" for e in self.edges]
        lines += [f"note {n}" for n in self.notes]
        return "\n".join(lines) + "\n"

    def fingerprint(self) -> str:
        return hashlib.sha256(self.describe().encode("utf-8")).hexdigest()


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
    return [lifecycle_graph(tr), conversation_graph(tr)]


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


# -- drawing --------------------------------------------------------------------------------

NODE_H = 50
ROW_GAP = 70
COL_GAP = 34
MARGIN = 40
LANE = 14
INK = (30, 40, 60)
BACK = (150, 90, 40)
NODE_FILL = (232, 240, 252)
START_FILL = (214, 238, 214)
END_FILL = (238, 232, 214)


def _back_edges(graph: Graph) -> set[Edge]:
    """Edges that close a cycle, found by a depth-first walk from the initial state in table
    order: the rest is acyclic and can be laid out top to bottom."""
    out: dict[str, list[Edge]] = {st: [] for st in graph.states}
    for edge in graph.edges:
        out[edge.src].append(edge)
    back: set[Edge] = set()
    done: set[str] = set()
    for root in [graph.initial, *graph.states]:
        if root in done:
            continue
        on_path = {root}
        stack = [(root, iter(out[root]))]
        while stack:
            node, edges = stack[-1]
            e = next(edges, None)
            if e is None:
                stack.pop()
                on_path.discard(node)
                done.add(node)
            elif e.dst in on_path:
                back.add(e)
            elif e.dst not in done:
                on_path.add(e.dst)
                stack.append((e.dst, iter(out[e.dst])))
    return back


def _layers(graph: Graph, back: set[Edge]) -> dict[str, int]:
    """Row of each state: the longest path to it over the acyclic edges."""
    forward = [e for e in graph.edges if e not in back]
    indegree = {st: 0 for st in graph.states}
    for e in forward:
        indegree[e.dst] += 1
    layer = dict.fromkeys(graph.states, 0)
    ready = deque(st for st in graph.states if indegree[st] == 0)
    while ready:
        node = ready.popleft()
        for e in forward:
            if e.src == node:
                layer[e.dst] = max(layer[e.dst], layer[node] + 1)
                indegree[e.dst] -= 1
                if indegree[e.dst] == 0:
                    ready.append(e.dst)
    # States nothing leads to (other than the initial one) go to the bottom row.
    reached = {e.dst for e in graph.edges} | {graph.initial}
    bottom = max(layer.values()) + 1
    return {st: (layer[st] if st in reached else bottom) for st in graph.states}


def _order(graph: Graph, layer: dict[str, int]) -> list[list[str]]:
    rows: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for s in graph.states:
        rows[layer[s]].append(s)
    parents: dict[str, list[str]] = {s: [] for s in graph.states}
    for e in graph.edges:
        if layer[e.dst] == layer[e.src] + 1:
            parents[e.dst].append(e.src)
    # Two barycentre sweeps: a state sits under the average place of its parents.
    for _ in range(2):
        for i in range(1, len(rows)):
            place = {s: n for n, s in enumerate(rows[i - 1])}
            rows[i].sort(
                key=lambda s: (
                    sum(place[p] for p in parents[s]) / len(parents[s])
                    if parents[s]
                    else len(place)
                )
            )
    return [r for r in rows if r]


def render_png(graph: Graph) -> bytes:

    title_font, name_font, code_font, label_font = (pil_font(s) for s in (26, 17, 12, 12))
    back_edges = _back_edges(graph)
    layer = _layers(graph, back_edges)
    # States placed at the bottom (nothing drawn leads to them) may point upwards too.
    back_edges |= {e for e in graph.edges if layer[e.dst] <= layer[e.src]}
    rows = _order(graph, layer)
    widths = {
        s: max(
            150,
            int(name_font.getlength(graph.labels.get(s, s))) + 24,
            int(code_font.getlength(s)) + 24,
        )
        for s in graph.states
    }
    row_w = [sum(widths[s] for s in r) + COL_GAP * (len(r) - 1) for r in rows]
    content_w = max(row_w)
    lanes_w = LANE * (len(back_edges) + 2)
    # Forward moves that skip rows run in lanes on the left instead of through the boxes.
    long_edges = [
        e for e in graph.edges if e not in back_edges and layer[e.dst] - layer[e.src] > 1
    ]
    left_w = LANE * (len(long_edges) + 1) if long_edges else 0
    width = left_w + max(
        MARGIN * 2 + content_w + lanes_w, MARGIN * 2 + int(title_font.getlength(graph.title))
    )
    top = MARGIN + 50
    note_h = 22 * len(graph.notes) + (30 if graph.notes else 0)
    height = top + len(rows) * (NODE_H + ROW_GAP) + note_h + MARGIN
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN), graph.title, font=title_font, fill=INK)

    box: dict[str, tuple[int, int, int, int]] = {}
    for i, row in enumerate(rows):
        x = left_w + MARGIN + (content_w - row_w[i]) // 2
        y = top + i * (NODE_H + ROW_GAP)
        for s in row:
            box[s] = (x, y, x + widths[s], y + NODE_H)
            x += widths[s] + COL_GAP

    has_out = {e.src for e in graph.edges}
    # Edges first, so that boxes and labels sit on top of the lines.
    labels: list[tuple[tuple[float, float], str, tuple[int, int, int]]] = []
    fanout: dict[str, int] = {}
    for n, e in enumerate(long_edges):
        lane = left_w + MARGIN - LANE * (n + 1)
        x0, y0, _, _ = box[e.src]
        a0, b0, _, _ = box[e.dst]
        src_y, dst_y = y0 + NODE_H * 0.7, b0 + NODE_H * 0.3
        points = [(x0, src_y), (lane, src_y), (lane, dst_y), (a0, dst_y)]
        draw.line(points, fill=INK, width=2)
        _arrow(draw, points[-2], points[-1], INK)
        _vertical_label(image, e.label, label_font, (lane, (src_y + dst_y) / 2), INK)
    for e in graph.edges:
        if e in back_edges or e in long_edges:
            continue
        x0, _, x1, y1 = box[e.src]
        a0, b0, a1, _ = box[e.dst]
        start, end = ((x0 + x1) / 2, y1), ((a0 + a1) / 2, b0)
        draw.line([start, end], fill=INK, width=2)
        _arrow(draw, start, end, INK)
        # Labels of edges leaving the same state are staggered so they do not overlap.
        n = fanout[e.src] = fanout.get(e.src, -1) + 1
        t = min(0.25 + 0.25 * n, 0.75) * ROW_GAP / max(end[1] - start[1], 1)
        at = (start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
        labels.append((at, e.label, INK))
    right = left_w + MARGIN + content_w + LANE
    ordered_back = sorted(back_edges, key=graph.edges.index)
    for n, e in enumerate(ordered_back):
        lane = right + LANE * n
        _, y0, x1, _ = box[e.src]
        _, b0, a1, _ = box[e.dst]
        src_y, dst_y = y0 + NODE_H * 0.7, b0 + NODE_H * 0.3
        points = [(x1, src_y), (lane, src_y), (lane, dst_y), (a1, dst_y)]
        _dashed(draw, points, BACK)
        _arrow(draw, points[-2], points[-1], BACK)
        _vertical_label(image, e.label, label_font, (lane, (src_y + dst_y) / 2), BACK)

    for s, (x0, y0, x1, y1) in box.items():
        fill = START_FILL if s == graph.initial else (NODE_FILL if s in has_out else END_FILL)
        draw.rounded_rectangle((x0, y0, x1, y1), radius=10, fill=fill, outline=INK, width=2)
        name = graph.labels.get(s, s)
        draw.text(((x0 + x1) / 2, y0 + 17), name, font=name_font, fill=INK, anchor="mm")
        if name != s:
            draw.text(((x0 + x1) / 2, y0 + 37), s, font=code_font, fill=(90, 90, 90), anchor="mm")
    for (cx, cy), text, colour in labels:
        left, upper, right_, lower = draw.textbbox((cx, cy), text, font=label_font, anchor="mm")
        draw.rectangle((left - 2, upper - 1, right_ + 2, lower + 1), fill="white")
        draw.text((cx, cy), text, font=label_font, fill=colour, anchor="mm")

    y = top + len(rows) * (NODE_H + ROW_GAP)
    for note in graph.notes:
        draw.text((MARGIN, y), "• " + note, font=label_font, fill=INK)
        y += 22
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _vertical_label(
    image: Any, text: str, font: Any, centre: tuple[float, float], colour: Any
) -> None:
    """A label written along a vertical lane, so that lanes side by side stay readable."""

    w, h = int(font.getlength(text)) + 6, 15
    tile = Image.new("RGB", (w, h), "white")
    ImageDraw.Draw(tile).text((w / 2, h / 2), text, font=font, fill=colour, anchor="mm")
    tile = tile.rotate(90, expand=True)
    image.paste(tile, (int(centre[0] - tile.width / 2), int(centre[1] - tile.height / 2)))


def _arrow(draw: Any, start: tuple[float, float], end: tuple[float, float], colour: Any) -> None:

    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    size = 9
    left = (end[0] - size * math.cos(angle - 0.4), end[1] - size * math.sin(angle - 0.4))
    right = (end[0] - size * math.cos(angle + 0.4), end[1] - size * math.sin(angle + 0.4))
    draw.polygon([end, left, right], fill=colour)


def _dashed(draw: Any, points: Sequence[tuple[float, float]], colour: Any) -> None:
    dash = 7
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = max(abs(x1 - x0), abs(y1 - y0))
        steps = max(1, int(length // dash))
        for i in range(0, steps, 2):
            a, b = i / steps, min(1.0, (i + 1) / steps)
            draw.line(
                [
                    (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                    (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                ],
                fill=colour,
                width=2,
            )
