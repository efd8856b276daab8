"""The `nlu` command as a subprocess, and jieba loaded once per process under ./data."""

import json
import subprocess
import sys
from pathlib import Path

from dialogs import nlu, nlu_jieba

ROOT = Path(__file__).resolve().parents[2]


def run(args, stdin=b"", cwd=ROOT):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "nlu", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        timeout=60,
        check=True,
    )


def test_one_text_human_readable():
    out = run(["养老保险手册丢了怎么办"]).stdout.decode()
    assert out.startswith("lost_document")
    assert "底卡" in out  # the FAQ answer follows


def test_one_text_as_json():
    answer = json.loads(run(["--json", "公积金怎么取"]).stdout)
    assert answer["intent"] == "housing_fund"
    assert answer["text"] == "公积金怎么取"
    assert 0 < answer["confidence"] <= 1 and "公积金" in answer["keywords"]


def test_stdin_gives_one_json_line_per_line_in_order_even_blank_and_broken_ones():
    stdin = "转人工\n\n".encode() + b"\xff\xfe\n" + "今天天气怎么样\n我要投诉".encode()
    result = run([], stdin=stdin)
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [x["intent"] for x in lines] == [
        "human_agent",
        "unknown",
        "unknown",
        "unknown",
        "complaint",
    ]
    assert lines[0]["text"] == "转人工" and lines[1]["text"] == ""
    assert set(lines[0]) == {"text", "intent", "confidence", "keywords", "best"}
    assert result.stderr == b""  # jieba's start-up chatter is quieted


def test_jieba_loads_once_however_often_we_classify():
    nlu.classify("要带什么材料")
    assert nlu_jieba.load_count() == 1
    nlu.classify("公积金怎么提取")
    nlu.understand("丢了", ("have", "lost"))
    nlu.warm_up()
    assert nlu_jieba.load_count() == 1


def test_jieba_is_loaded_lazily_and_caches_under_the_working_directory_data(tmp_path):
    script = (
        "from dialogs import nlu, nlu_jieba;"
        "assert nlu_jieba.load_count() == 0;"
        "nlu.classify('你好'); nlu.classify('转人工');"
        "print(nlu_jieba.load_count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, timeout=60, check=True
    )
    assert result.stdout.strip() == b"1"
    assert (tmp_path / "data" / "jieba.cache").is_file()


def test_classifying_never_imports_the_tools_that_fit_the_weights(tmp_path):
    """scikit-learn and pypinyin are development dependencies (`python -m dialogs.nlu_train`):
    the service classifies, pinyin included, with neither installed."""
    script = (
        "import sys; from dialogs import nlu;"
        "print(nlu.classify('gongjijin zenme qu').name,"
        "[m for m in ('sklearn', 'pypinyin') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, timeout=60, check=True
    )
    assert result.stdout.split() == [b"housing_fund", b"[]"]
