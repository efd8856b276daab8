"""Where each box and lane of a flowchart goes: a plain layered layout, no graphviz.

A state's row is its longest distance from the initial state over the moves that do not close
a cycle; moves forward go down, moves that skip rows run in lanes on the left, and moves back
or sideways run in lanes on the right. Box widths are measured with the fonts the drawing
uses, so the layout takes them in; it draws nothing (`documents/flowchart_draw.py` does).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from PIL import ImageFont

from documents.flowchart_graph import Edge, Graph
from documents.fonts import pil_font

NODE_H = 50
ROW_GAP = 70
COL_GAP = 34
MARGIN = 40
LANE = 14

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Fonts:
    title: ImageFont.FreeTypeFont
    name: ImageFont.FreeTypeFont
    code: ImageFont.FreeTypeFont
    label: ImageFont.FreeTypeFont

    @classmethod
    def load(cls) -> Fonts:
        return cls(pil_font(26), pil_font(17), pil_font(12), pil_font(12))


@dataclass(frozen=True)
class Layout:
    rows: list[list[str]]
    box: dict[str, Box]
    back_edges: set[Edge]  # drawn dashed, in lanes on the right
    long_edges: list[Edge]  # forward moves that skip rows, in lanes on the left
    left_w: int
    content_w: int
    width: int
    height: int
    top: int

    @property
    def notes_top(self) -> int:
        return self.top + len(self.rows) * (NODE_H + ROW_GAP)


def lay_out(graph: Graph, fonts: Fonts) -> Layout:
    back = back_edges(graph)
    layer = layers(graph, back)
    # States placed at the bottom (nothing drawn leads to them) may point upwards too.
    back |= {e for e in graph.edges if layer[e.dst] <= layer[e.src]}
    rows = order_rows(graph, layer)
    widths = _box_widths(graph, fonts)
    row_w = [sum(widths[s] for s in r) + COL_GAP * (len(r) - 1) for r in rows]
    content_w = max(row_w)
    lanes_w = LANE * (len(back) + 2)
    long_edges = [e for e in graph.edges if e not in back and layer[e.dst] - layer[e.src] > 1]
    left_w = LANE * (len(long_edges) + 1) if long_edges else 0
    title_w = int(fonts.title.getlength(graph.title))
    top = MARGIN + 50
    note_h = 22 * len(graph.notes) + (30 if graph.notes else 0)
    box: dict[str, Box] = {}
    for i, row in enumerate(rows):
        x = left_w + MARGIN + (content_w - row_w[i]) // 2
        y = top + i * (NODE_H + ROW_GAP)
        for s in row:
            box[s] = (x, y, x + widths[s], y + NODE_H)
            x += widths[s] + COL_GAP
    return Layout(
        rows=rows,
        box=box,
        back_edges=back,
        long_edges=long_edges,
        left_w=left_w,
        content_w=content_w,
        width=left_w + max(MARGIN * 2 + content_w + lanes_w, MARGIN * 2 + title_w),
        height=top + len(rows) * (NODE_H + ROW_GAP) + note_h + MARGIN,
        top=top,
    )


def _box_widths(graph: Graph, fonts: Fonts) -> dict[str, int]:
    """Wide enough for the reader's name and the code under it, and never narrower than 150."""
    return {
        s: max(
            150,
            int(fonts.name.getlength(graph.labels.get(s, s))) + 24,
            int(fonts.code.getlength(s)) + 24,
        )
        for s in graph.states
    }


def back_edges(graph: Graph) -> set[Edge]:
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


def layers(graph: Graph, back: set[Edge]) -> dict[str, int]:
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


def order_rows(graph: Graph, layer: dict[str, int]) -> list[list[str]]:
    """The states of each row, left to right, so that few moves cross."""
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
