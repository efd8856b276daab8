"""A worker who never taps a button can finish (issue 13): over the JSON chat, every answer is
typed as words a worker would write, pages are sent as files (the ID card as photos of its
two sides, read with OCR on, as by default), and the case is submitted."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from tests.idcard import cards

ROOT = Path(__file__).resolve().parents[2]
# (the question's state, what the worker types), in the order the bot asks.
TYPED = [
    ("ask_language", "中文"),
    ("ask_consent", "同意"),
    ("ask_name", "冯十三"),
    ("ask_id_number", "我的身份证号是150627196503151218"),
    ("ask_phone", "手机13904771234"),
    ("ask_retirement_type", "正常退休"),
    ("ask_contribution", "交了二十年"),
    ("ask_town", "阿镇"),
    ("ask_has_employer", "有单位"),
    ("ask_employer_name", "伊金霍洛旗宏达煤矿有限公司"),
    ("ask_name_matches_archive", "一样的"),
    ("ask_paid_before_1995_07", "不知道"),
    ("ask_lump_sum_before_1996", "没有"),
    ("ask_veteran", "不是"),
]

# The worker's own card: its number is the one typed above.
CARD = cards.man("冯十三", date(1965, 3, 15), sequence="121")


def page(path: Path, n: int) -> Path:
    img = Image.new("RGB", (1400, 1000), "white")
    draw = ImageDraw.Draw(img)
    for y in range(0, 1000, 18):
        draw.text((10, y), f"第{n}页 PAGE {n} 1506 2719 6503 " * 4, fill="black")
    img.save(path, quality=92)
    return path


def picture(question: str, path: Path, n: int, sides: Iterator[Image.Image]) -> str:
    """The file sent at `question`: a photo of the card's next side where the ID card is
    asked, else a page of text; its name in the inbox."""
    if question == "dialogs.ask_upload_id_card":
        path.write_bytes(cards.photo(next(sides)))
    else:
        page(path, n)
    return path.name


class Chat:
    """`main.py chat --json`, one line in and exactly one line out."""

    def __init__(self, cwd: Path) -> None:
        args = ["chat", "--json", "--user", "typist", "--today", "2026-11-26", "--inbox", "inbox"]
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            # OCR as the defaults have it (on): the pages sent as the ID card are read too.
            env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(ROOT)},
        )

    def send(self, line: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> str:
        _, err = self.proc.communicate(timeout=120)
        return err


def asked(out: dict[str, Any]) -> str:
    keys = [r["key"] for r in out["replies"] if r["expects"] != "none"]
    return keys[-1] if keys else ""


def test_typing_every_answer_reaches_submission(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    chat = Chat(tmp_path)
    try:
        out = chat.send({"text": "你好，我要办退休"})
        for question, words in TYPED:
            assert out["state"] == question, (words, out)
            if question == "ask_id_number":  # OCR on: a photo of the card is offered
                assert "也可以直接拍一张身份证正面" in out["replies"][-1]["text"]
            out = chat.send({"text": words})
            assert "error" not in out
        n = 0
        sides = iter((cards.front(CARD), cards.back()))
        for _ in range(30):  # the uploads: a page, a second one for the card, then "完成"
            question = asked(out)
            if not question.startswith("dialogs.ask_upload_"):
                break
            n += 1
            out = chat.send({"file": picture(question, inbox / f"p{n}.jpg", n, sides)})
            if asked(out) == question:
                out = chat.send({"text": "好了，传完了"})
                if asked(out) == question:  # two pages needed (the ID card)
                    n += 1
                    out = chat.send({"file": picture(question, inbox / f"p{n}.jpg", n, sides)})
        assert asked(out) == "dialogs.ask_review", out
        out = chat.send({"text": "提交"})
        assert out["state"] == "submitted" and out["case_number"], out
    finally:
        err = chat.close()
    assert chat.proc.returncode == 0, err
