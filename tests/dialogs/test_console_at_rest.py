"""Uploads cleaned before they are stored, and nothing readable at rest, over the console's
JSON channel (`python main.py chat --json`, a process of its own as in production)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

from PIL import ExifTags, Image

from cases.crypto import Vault, decode_key
from cases.files import FileStore
from tests.bot import images
from tests.bot.test_cleaning import active_pdfs, photo_with_gps
from tests.dialogs.test_console import run
from tests.e2e.at_rest import documents_in_clear, readable_by_others

QUESTIONS = [
    {"command": "start"},
    {"choice": "zh_CN"},
    {"choice": "agree"},
    {"text": "张建国"},
    {"text": "150627196503151218"},
    {"contact": "13847712345"},
    {"choice": "normal"},
    {"text": "十五年"},
    {"choice": "altan_xire"},
    {"choice": "yes"},
    {"text": "伊金霍洛旗某煤业有限公司"},
    {"choice": "yes"},
    {"choice": "no"},
    {"choice": "no"},
    {"choice": "no"},
]


def upload(name: str, data: bytes) -> dict[str, object]:
    return {"file": {"name": name, "base64": base64.b64encode(data).decode()}}


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.exe", b"MZ" + b"\0" * 1000)
    return out.getvalue()


def test_uploads_are_cleaned_active_pdfs_refused_and_nothing_is_readable_at_rest(
    tmp_path: Path,
) -> None:
    front = photo_with_gps(seed=11) + zip_bytes()  # a photo carrying a ZIP
    back = photo_with_gps(seed=12) + b"\0junk" * (19 * 1024 * 1024 // 5)  # 19 MB after it
    pdfs = active_pdfs()
    lines = [json.dumps(q) for q in QUESTIONS]
    lines += [json.dumps(upload(f"{kind}.pdf", pdf)) for kind, pdf in pdfs.items()]
    lines += [json.dumps(upload("front.jpg", front)), json.dumps(upload("back.jpg", back))]
    lines += [json.dumps(upload("statement.pdf", images.real_pdf(pages=2)))]
    args = ["chat", "--json", "--user", "at-rest", "--today", "2026-11-26"]
    result = run(args, lines, tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert out[len(QUESTIONS) - 1]["state"] == "uploading"

    # Every active PDF is refused with the reply that says why and what to do.
    refused = out[len(QUESTIONS) : len(QUESTIONS) + len(pdfs)]
    for kind, answer in zip(pdfs, refused, strict=True):
        first = answer["replies"][0]
        assert first["key"] == "dialogs.retake.active_pdf", kind
        assert "不能接收" in first["text"] and "拍照" in first["text"]
    # The two photos are taken (two pages of the form); the two-page PDF adds two pages more.
    photos, statement = out[-3:-1], out[-1]
    assert [len(a["replies"]) for a in photos] == [1, 1]  # one message per photo
    assert "已收到2页" in photos[1]["replies"][0]["text"]
    # The form takes no more than four: the receipt says so on top of the next material's
    # question, in one message.
    received = [r for r in statement["replies"] if "已收到" in r["text"] and "共4页" in r["text"]]
    assert [r["key"] for r in received] == ["dialogs.ask_upload_id_card"], statement

    data = tmp_path / "data"
    vault = Vault(decode_key((data / "secret.key").read_text()))
    store = FileStore(data / "files", 20 * 1024 * 1024, vault=vault)
    kept = [store.read(address) for address in store.all_hashes()]
    jpegs = [k for k in kept if k.startswith(b"\xff\xd8")]
    # The two photos, the statement, and the pre-filled form sent at the form's step.
    assert len(jpegs) == 2 and len(kept) == 4
    assert sum(k.startswith(b"%PDF-") for k in kept) == 2
    for jpeg in jpegs:
        assert len(jpeg) < 2 * 1024 * 1024  # the 19 MB tail is gone
        assert b"PK\x03\x04" not in jpeg and b"junk" not in jpeg  # and so is the ZIP
        with Image.open(io.BytesIO(jpeg)) as img:
            exif = img.getexif()
            assert img.size == (1600, 1200)  # turned upright as the camera said
            assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {} and "PhoneCo" not in str(exif)

    # At rest: no document in clear, nothing open to other users (database included).
    assert (data / "app.db").is_file()
    assert documents_in_clear(data) == []
    assert readable_by_others(data) == []
