"""What a flowchart draws: states, moves (edges) and notes, read off a `transitions` table.

Kept apart from the tables (`documents/flowchart.py`), the layout and the drawing so that each
of those depends on this shape and none on another. The fingerprint is taken over the
canonical text of the graph, not over the image: a table change makes the drawing stale even
when Pillow would draw it the same.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


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
