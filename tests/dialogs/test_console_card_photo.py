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
from tests.dialogs.test_console_typed_journey import TYPED, page
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


def test_a_page_of_text_at_the_id_step_and_as_the_card_is_answered_and_the_chat_goes_on(
    tmp_path: Path,
) -> None:
    """A dense page (55 lines) is no card: at the ID number and as the ID card material it is
    answered as such, not read line by line, and each next line is answered."""
    dense = page(tmp_path / "page.jpg", 1).read_bytes()
    sent = json.dumps({"file": {"name": "page.jpg", "base64": base64.b64encode(dense).decode()}})
    typed = [json.dumps({"text": words}) for _, words in TYPED]
    form = json.dumps({"file": {"name": "form.jpg", "base64": base64.b64encode(dense).decode()}})
    done_typing = json.dumps({"text": "好了，传完了"})
    lines = [json.dumps({"text": "你好，我要办退休"}), *typed[:3], sent, *typed[3:]]
    lines += [form, done_typing, sent, done_typing]
    done = chat(lines, tmp_path)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == len(lines)
    at_number, number_typed = out[4], out[5]
    assert at_number["state"] == "ask_id_number"
    assert "没有找到身份证号码" in at_number["replies"][0]["text"]
    assert number_typed["state"] == "ask_phone"  # the next line answered: the number taken
    as_card, after = out[-2], out[-1]
    assert "好像没有身份证" in as_card["replies"][0]["text"]
    assert as_card["replies"][-1]["key"] == "dialogs.ask_upload_id_card"  # asked again
    assert after["replies"][-1]["key"] == "dialogs.ask_upload_id_card"  # answered, no page kept


def test_a_reading_past_its_time_out_is_answered_type_it_instead(tmp_path: Path) -> None:
    """OCR__TIMEOUT_SECONDS of a millisecond: no reading finishes in time, its worker is
    killed; the worker is asked to type the number, and the typed number is taken."""
    photo = cards.photo(cards.front(CARD))
    lines = [
        json.dumps({"command": "start"}),
        json.dumps({"choice": "zh_CN"}),
        json.dumps({"choice": "agree"}),
        json.dumps({"text": "巴特尔·朝鲁"}),
        json.dumps({"file": {"name": "card.jpg", "base64": base64.b64encode(photo).decode()}}),
        json.dumps({"text": CARD.number}),
    ]
    done = chat(lines, tmp_path, OCR__TIMEOUT_SECONDS="0.001")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    sent, typed = out[4], out[5]
    assert "现在暂时读不了照片，请直接输入18位身份证号码" in sent["replies"][0]["text"]
    assert typed["replies"][-1]["expects"] == "contact"  # the typed number taken: the phone
