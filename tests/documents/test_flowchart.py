"""The committed flowcharts are drawn from the very transitions tables that run the service."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from documents import flowchart
from locales import Translator


def test_committed_flowcharts_match_the_tables() -> None:
    stale = flowchart.stale()
    assert not stale, f"redraw with `python main.py docs flowchart`: {stale}"


def test_a_changed_table_makes_the_drawing_stale(tmp_path: Path) -> None:
    flowchart.write_all(tmp_path)
    assert flowchart.stale(tmp_path) == []
    prints = tmp_path / "flowchart.json"
    prints.write_text(prints.read_text("utf-8").replace('"case": "', '"case": "0'), "utf-8")
    assert flowchart.stale(tmp_path) == ["case"]


def test_every_state_and_move_of_the_lifecycle_is_drawn() -> None:
    from cases.lifecycle import TABLE, CaseState

    graph = flowchart.lifecycle_graph(Translator("zh_CN"))
    assert set(graph.states) == {s.value for s in CaseState}
    described = graph.describe()
    for trigger, sources, dest in TABLE:
        if len(sources) <= flowchart.MAX_DRAWN_SOURCES:
            for src in sources:
                assert f"edge {src.value} -> {dest.value} : {trigger}" in described
        else:
            assert trigger in described and dest.value in described
    assert graph.labels["signed"] == "签字确认"


def test_the_image_is_a_readable_png_with_ink() -> None:
    graph = flowchart.lifecycle_graph(Translator("zh_CN"))
    image = Image.open(io.BytesIO(flowchart.render_png(graph))).convert("L")
    assert image.width >= 400 and image.height >= 600
    pixels = image.get_flattened_data()
    dark = sum(1 for v in pixels if v < 128) / len(pixels)
    assert 0.005 < dark < 0.3


def test_the_process_chart_is_drawn_from_the_items_data() -> None:
    """The plan's 申请登记 → 受理登记 → 事项办理 (offices in parallel) → 结果反馈."""
    from pathlib import Path

    from locales import Translator
    from policy.items import load_items

    tr = Translator("zh_CN")
    graph = flowchart.process_graph(tr)
    six = load_items()
    assert graph.states == ["apply", "accept", *(i.code for i in six), "result"]
    parallel = {e.dst for e in graph.edges if e.src == "accept"}
    assert parallel == {i.code for i in six if i.clock.kind == "hours"}
    assert ("pension_claim", "medical_insurance") in {(e.src, e.dst) for e in graph.edges}
    assert ("result", "housing_fund") in {(e.src, e.dst) for e in graph.edges}
    assert "旗医疗保障局，5个工作日内" in graph.labels["medical_insurance"]
    seven = Path(__file__).parents[1] / "policy" / "fixtures" / "items_seven.toml"
    assert "annuity_claim" in flowchart.process_graph(tr, load_items(seven)).states
