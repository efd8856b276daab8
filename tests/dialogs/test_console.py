"""The console channel as a subprocess: the JSON contract, and the Chinese terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], lines: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        # The ID card's photo unread: this chat's pictures are not cards (tests/conftest.py).
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(ROOT)}
        | {"OCR__ENABLED": "false"},
    )


def sharp_page(path: Path) -> Path:
    img = Image.new("RGB", (1400, 1000), "white")
    draw = ImageDraw.Draw(img)
    for y in range(0, 1000, 18):
        draw.text((10, y), "居民身份证 ID 1506 2719 6503 1512 18 " * 4, fill="black")
    img.save(path, quality=92)
    return path


def test_json_mode_answers_each_line_with_exactly_one_line(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    form = sharp_page(tmp_path / "form.jpg")
    Image.new("RGB", (120, 90), "white").save(inbox / "tiny.png")
    lines = [
        json.dumps({"command": "start"}),
        json.dumps({"choice": "zh_CN"}),
        "this is not json",
        json.dumps({"choice": "agree"}),
        json.dumps({"text": "张建国"}),
        json.dumps({"text": "150627196503151218"}),
        json.dumps({"contact": "13847712345"}),
        json.dumps({"choice": "normal"}),
        json.dumps({"text": "十五年"}),
        json.dumps({"choice": "altan_xire"}),
        json.dumps({"choice": "yes"}),
        json.dumps({"text": "伊金霍洛旗某煤业有限公司"}),
        json.dumps({"choice": "yes"}),
        json.dumps({"choice": "no"}),
        json.dumps({"choice": "no"}),
        json.dumps({"choice": "no"}),
        json.dumps({"file": "tiny.png"}),  # a name inside the inbox
        json.dumps({"file": {"name": "form.jpg", "base64": b64(form)}}),  # or the bytes
        json.dumps({"file": "missing.jpg"}),
        json.dumps({"command": "nonsense"}),
        "",
    ]
    args = ["chat", "--json", "--user", "script-1", "--today", "2026-11-26", "--inbox", "inbox"]
    result = run(args, lines, tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    for obj in out:
        assert set(obj) >= {"state", "case_number", "replies"}
        for reply in obj["replies"]:
            # "document" (a sent file's path, or null) since the console shows saved documents
            assert set(reply) - {"document"} == {"key", "text", "choices", "expects"}
            assert reply["expects"] in ("text", "choice", "file", "contact", "none")
    assert out[0]["state"] == "ask_language"
    assert "仅供参考，以人社部门审核为准" in out[0]["replies"][0]["text"]
    assert out[1]["replies"][-1]["choices"] == [
        {"id": "agree", "label": "同意"},
        {"id": "decline", "label": "不同意"},
        {"id": "full_text", "label": "完整说明"},
    ]
    assert out[2]["error"] == "dialogs.console.bad_json"
    assert out[8]["state"] == "ask_town"
    assert out[8]["replies"][-1]["choices"][0] == {"id": "altan_xire", "label": "阿勒腾席热镇"}
    assert out[9]["state"] == "ask_has_employer"
    assert out[10]["state"] == "ask_employer_name"
    assert out[15]["state"] == "uploading"
    assert out[15]["replies"][-1]["expects"] == "file"
    assert out[16]["replies"][0]["key"] == "dialogs.retake.too_small"
    # A page taken: one message, the question again saying what it has and what is next.
    (answer,) = out[17]["replies"]
    assert answer["key"] == "dialogs.ask_upload_application_form"
    assert "已收到1页" in answer["text"] and "拍完点“完成”" in answer["text"]
    assert out[18]["error"] == "dialogs.console.file_refused"
    assert out[19]["error"] == "dialogs.console.unknown_command"
    assert out[20]["error"] == "dialogs.console.bad_json"  # a blank line is answered too
    # The embedded defaults were created under ./data of the working directory.
    assert (tmp_path / "data" / "app.db").is_file()
    assert "150627196503151218" not in result.stderr


def b64(path: Path) -> str:
    import base64

    return base64.b64encode(path.read_bytes()).decode()


def test_json_mode_reads_no_file_of_the_server_outside_its_inbox(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "secret.key").write_text("k" * 44)
    (inbox / "link.jpg").symlink_to(tmp_path / "secret.key")
    with (inbox / "huge.jpg").open("wb") as sparse:  # 3 GB on paper, nothing on disk
        sparse.truncate(3 * 1024**3)
    start = [
        json.dumps({"command": "start"}),
        json.dumps({"choice": "zh_CN"}),
    ]
    tries = [
        {"file": "/etc/passwd"},
        {"file": "../secret.key"},
        {"file": "link.jpg"},  # a symlink out of the inbox
        {"file": str(tmp_path / "secret.key")},
        {"file": "/proc/self/environ"},
        {"file": "nothing-here.jpg"},
        {"file": {"name": "x.jpg", "base64": "%%% not base64"}},
    ]
    lines = start + [json.dumps(t) for t in tries] + [json.dumps({"file": "huge.jpg"})]
    result = run(["chat", "--json", "--user", "probe", "--inbox", "inbox"], lines, tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    refused = out[2 : 2 + len(tries)]
    # One and the same answer, whether the path is missing, forbidden or unreadable.
    assert {o.get("error") for o in refused} == {"dialogs.console.file_refused"}
    assert len({json.dumps(o["replies"], ensure_ascii=False) for o in refused}) == 1
    assert "kkkk" not in result.stdout
    # The sparse file inside the inbox is taken as a file (read only just over the limit:
    # about 170 MB of memory for the whole process, not 3 GB), and answered as one.
    (answer,) = out[-1]["replies"]  # what this step needs, on top of its question
    assert answer["key"] == "dialogs.ask_consent" and answer["text"].startswith("这一步")
    assert not any(p.name != "inbox" for p in (tmp_path / "data" / "files").rglob("*.jpg"))


def test_json_mode_picks_up_where_the_last_run_stopped(tmp_path: Path) -> None:
    first = run(
        ["chat", "--json", "--user", "u7"],
        [json.dumps({"command": "start"}), json.dumps({"choice": "zh_CN"})],
        tmp_path,
    )
    assert first.returncode == 0, first.stderr
    again = run(["chat", "--json", "--user", "u7"], [json.dumps({"command": "start"})], tmp_path)
    last = json.loads(again.stdout.splitlines()[-1])
    assert last["state"] == "ask_consent"
    assert last["replies"][0]["key"] == "dialogs.welcome_back"


def test_terminal_mode_takes_numbers_labels_and_paths_in_chinese(tmp_path: Path) -> None:
    page = sharp_page(tmp_path / "page.jpg")
    lines = ["1", "同意", "张建国", "150627196503151218", "13847712345", "1", "15年"]
    lines += ["1", "1", "某煤业公司", "1", "2", "2", "2", str(page), "/status"]
    result = run(["chat", "--today", "2026-11-26"], lines, tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "请选择语言" in text and "  1. 中文" in text
    assert "预审结果" in text
    assert "  1. 阿勒腾席热镇" in text and "其他或不确定" in text
    assert "申请表（须加盖参保单位公章）。已收到1页。拍完点“完成”。" in text
    assert "材料已完成" in text
    assert "再见" in text  # end of input ends the session politely
