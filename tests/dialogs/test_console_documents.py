"""A document the conversation sends (result notice, signed copy, form) is visible in the
terminal: it is decrypted from the store into the documents folder, and the applicant is told
where the file was saved. The data folder keeps only the encrypted copy."""

import io
import shutil
import stat
from pathlib import Path
from typing import Any

from cases.crypto import Vault
from cases.files import FileStore
from console.rendering import print_human, reply_json
from console.session import Console
from locales import Translator
from locales.replies import Document, Msg, Reply
from tests.bot import images


def _console(tmp_path: Path) -> Console:
    store = FileStore(tmp_path / "data" / "files", 1_000_000, vault=Vault(b"k" * 32))
    fake: Any = None  # saving a document needs neither the conversation nor the database
    return Console(fake, fake, store, "u1", 1_000_000, documents=tmp_path / "documents")


def test_the_terminal_names_the_saved_file_of_a_document(tmp_path: Path):
    console = _console(tmp_path)
    pdf = images.real_pdf(pages=1)
    address = console.files.put(pdf).address
    reply = Reply(Msg("dialogs.console.push"), document=Document(address, "结果告知单.pdf"))
    out = io.StringIO()
    print_human([reply], "zh_CN", out, save=console.save_document)
    saved = tmp_path / "documents" / "结果告知单.pdf"
    assert str(saved) in out.getvalue()
    assert reply_json(reply, Translator("zh_CN"), console.save_document)["document"] == str(saved)
    assert saved.read_bytes() == pdf  # the applicant's own copy opens
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "documents").stat().st_mode) == 0o700


def test_without_a_folder_documents_go_to_a_private_temporary_one(tmp_path: Path):
    console = _console(tmp_path)
    console.documents = None
    address = console.files.put(images.real_pdf(pages=1)).address
    saved = Path(console.save_document(Document(address, "申请表.pdf")))
    assert saved.read_bytes().startswith(b"%PDF-") and tmp_path not in saved.parents
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    shutil.rmtree(saved.parent)


def test_a_reply_without_a_document_mentions_no_file():
    out = io.StringIO()
    print_human([Reply(Msg("dialogs.console.push"))], "zh_CN", out)
    assert "文件已保存" not in out.getvalue()
