"""The JSON chat (`main.py chat --json`): with OCR on (the default) the card's photo answers
the ID-number question (issue 18), through the real runtime, as a subprocess; with
OCR__ENABLED=false the question is as it always was."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.dialogs.test_console import ROOT
from tests.idcard import cards
from tests.idcard.cards import Shot

CARD = cards.man("巴特尔·朝鲁", date(1964, 6, 9))


def chat(lines: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`main.py chat --json` as an operator runs it: OCR as the defaults have it unless
    `env` says otherwise."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "chat", "--json", "--user", "7"],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(ROOT)} | env,
    )


def test_the_json_chat_reads_the_card_and_takes_the_confirmed_number(tmp_path: Path) -> None:
    photo = cards.photo(cards.front(CARD), Shot(angle=8, blur=0.6, quality=55))
    lines = [
        json.dumps({"command": "start"}),
        json.dumps({"choice": "zh_CN"}),
        json.dumps({"choice": "agree"}),
        json.dumps({"text": "巴特尔·朝鲁"}),
        json.dumps({"file": {"name": "card.jpg", "base64": base64.b64encode(photo).decode()}}),
        json.dumps({"choice": "card_yes"}),
    ]
    done = chat(lines, tmp_path)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    asked, shown, confirmed = out[3], out[4], out[5]
    assert "也可以直接拍一张身份证正面" in asked["replies"][-1]["text"]
    n = CARD.number
    text = shown["replies"][-1]["text"]
    assert f"{n[:6]} {n[6:14]} {n[14:]}" in text and "巴特尔·朝鲁" in text
    assert [c["id"] for c in shown["replies"][-1]["choices"]] == ["card_yes", "card_no"]
    assert "号码已记下" in confirmed["replies"][0]["text"]
    assert confirmed["replies"][-1]["expects"] == "contact"  # on to the phone number
    assert n not in done.stderr  # the log never holds the number in clear


def test_with_ocr_switched_off_the_number_question_is_as_before(tmp_path: Path) -> None:
    photo = cards.photo(cards.front(CARD))
    lines = [
        json.dumps({"command": "start"}),
        json.dumps({"choice": "zh_CN"}),
        json.dumps({"choice": "agree"}),
        json.dumps({"text": "巴特尔·朝鲁"}),
        json.dumps({"file": {"name": "card.jpg", "base64": base64.b64encode(photo).decode()}}),
        json.dumps({"text": CARD.number}),
    ]
    done = chat(lines, tmp_path, OCR__ENABLED="false")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    asked, sent, typed = out[3], out[4], out[5]
    assert "拍" not in asked["replies"][-1]["text"]  # no photo offered
    assert "请直接打字回答" in sent["replies"][0]["text"]  # as before: a file is not an answer
    assert not sent["replies"][-1].get("choices")
    assert typed["replies"][-1]["expects"] == "contact"  # the typed number taken, on we go
    assert "card photo read" not in done.stderr  # no worker was asked
