"""Drawing a laid-out flowchart as a PNG with Pillow, in the same CJK face as the PDFs.

One function per layer of ink, in the order they are painted: the lines first, so that boxes
and labels sit on top of them. The committed drawings under docs/ are compared byte for byte
when this changes, so the painting order and every coordinate are kept as they were.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from documents.flowchart_graph import Graph
from documents.flowchart_layout import LANE, MARGIN, NODE_H, ROW_GAP, Fonts, Layout, lay_out

INK = (30, 40, 60)
BACK = (150, 90, 40)
NODE_FILL = (232, 240, 252)
START_FILL = (214, 238, 214)
END_FILL = (238, 232, 214)

Point = tuple[float, float]
Colour = tuple[int, int, int]
Label = tuple[Point, str, Colour]


def render_png(graph: Graph) -> bytes:
    fonts = Fonts.load()
    layout = lay_out(graph, fonts)
    image = Image.new("RGB", (layout.width, layout.height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN), graph.title, font=fonts.title, fill=INK)
    _long_edges(image, draw, layout, fonts.label)
    labels = _forward_edges(draw, graph, layout)
    _back_edges(image, draw, graph, layout, fonts.label)
    _boxes(draw, graph, layout, fonts)
    _labels(draw, labels, fonts.label)
    y = layout.notes_top
    for note in graph.notes:
        draw.text((MARGIN, y), "• " + note, font=fonts.label, fill=INK)
        y += 22
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _long_edges(
    image: Image.Image, draw: ImageDraw.ImageDraw, layout: Layout, font: ImageFont.FreeTypeFont
) -> None:
    """Forward moves that skip rows, in lanes on the left instead of through the boxes."""
    for n, e in enumerate(layout.long_edges):
        lane = layout.left_w + MARGIN - LANE * (n + 1)
        x0, y0, _, _ = layout.box[e.src]
        a0, b0, _, _ = layout.box[e.dst]
        src_y, dst_y = y0 + NODE_H * 0.7, b0 + NODE_H * 0.3
        points = [(x0, src_y), (lane, src_y), (lane, dst_y), (a0, dst_y)]
        draw.line(points, fill=INK, width=2)
        _arrow(draw, points[-2], points[-1], INK)
        _vertical_label(image, e.label, font, (lane, (src_y + dst_y) / 2), INK)


def _forward_edges(draw: ImageDraw.ImageDraw, graph: Graph, layout: Layout) -> list[Label]:
    """Moves one row down, straight; their labels are returned to be written over the boxes."""
    labels: list[Label] = []
    fanout: dict[str, int] = {}
    for e in graph.edges:
        if e in layout.back_edges or e in layout.long_edges:
            continue
        x0, _, x1, y1 = layout.box[e.src]
        a0, b0, a1, _ = layout.box[e.dst]
        start, end = ((x0 + x1) / 2, y1), ((a0 + a1) / 2, b0)
        draw.line([start, end], fill=INK, width=2)
        _arrow(draw, start, end, INK)
        # Labels of edges leaving the same state are staggered so they do not overlap.
        n = fanout[e.src] = fanout.get(e.src, -1) + 1
        t = min(0.25 + 0.25 * n, 0.75) * ROW_GAP / max(end[1] - start[1], 1)
        at = (start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
        labels.append((at, e.label, INK))
    return labels


def _back_edges(
    image: Image.Image,
    draw: ImageDraw.ImageDraw,
    graph: Graph,
    layout: Layout,
    font: ImageFont.FreeTypeFont,
) -> None:
    """Moves back or sideways, dashed, in lanes on the right, in table order."""
    right = layout.left_w + MARGIN + layout.content_w + LANE
    for n, e in enumerate(sorted(layout.back_edges, key=graph.edges.index)):
        lane = right + LANE * n
        _, y0, x1, _ = layout.box[e.src]
        _, b0, a1, _ = layout.box[e.dst]
        src_y, dst_y = y0 + NODE_H * 0.7, b0 + NODE_H * 0.3
        points = [(x1, src_y), (lane, src_y), (lane, dst_y), (a1, dst_y)]
        _dashed(draw, points, BACK)
        _arrow(draw, points[-2], points[-1], BACK)
        _vertical_label(image, e.label, font, (lane, (src_y + dst_y) / 2), BACK)


def _boxes(draw: ImageDraw.ImageDraw, graph: Graph, layout: Layout, fonts: Fonts) -> None:
    """A box per state: green where it starts, sand where nothing leads on; the reader's name,
    and the code under it when the name differs."""
    has_out = {e.src for e in graph.edges}
    for s, (x0, y0, x1, y1) in layout.box.items():
        fill = START_FILL if s == graph.initial else (NODE_FILL if s in has_out else END_FILL)
        draw.rounded_rectangle((x0, y0, x1, y1), radius=10, fill=fill, outline=INK, width=2)
        name = graph.labels.get(s, s)
        draw.text(((x0 + x1) / 2, y0 + 17), name, font=fonts.name, fill=INK, anchor="mm")
        if name != s:
            draw.text(((x0 + x1) / 2, y0 + 37), s, font=fonts.code, fill=(90, 90, 90), anchor="mm")


def _labels(draw: ImageDraw.ImageDraw, labels: list[Label], font: ImageFont.FreeTypeFont) -> None:
    """Edge labels on a white patch, so a line under them does not cross the words."""
    for (cx, cy), text, colour in labels:
        left, upper, right, lower = draw.textbbox((cx, cy), text, font=font, anchor="mm")
        draw.rectangle((left - 2, upper - 1, right + 2, lower + 1), fill="white")
        draw.text((cx, cy), text, font=font, fill=colour, anchor="mm")


def _vertical_label(
    image: Image.Image,
    text: str,
    font: ImageFont.FreeTypeFont,
    centre: Point,
    colour: Colour,
) -> None:
    """A label written along a vertical lane, so that lanes side by side stay readable."""
    w, h = int(font.getlength(text)) + 6, 15
    tile = Image.new("RGB", (w, h), "white")
    ImageDraw.Draw(tile).text((w / 2, h / 2), text, font=font, fill=colour, anchor="mm")
    tile = tile.rotate(90, expand=True)
    image.paste(tile, (int(centre[0] - tile.width / 2), int(centre[1] - tile.height / 2)))


def _arrow(draw: ImageDraw.ImageDraw, start: Point, end: Point, colour: Colour) -> None:
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    size = 9
    left = (end[0] - size * math.cos(angle - 0.4), end[1] - size * math.sin(angle - 0.4))
    right = (end[0] - size * math.cos(angle + 0.4), end[1] - size * math.sin(angle + 0.4))
    draw.polygon([end, left, right], fill=colour)


def _dashed(draw: ImageDraw.ImageDraw, points: Sequence[Point], colour: Colour) -> None:
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
