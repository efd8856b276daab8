"""A document the conversation sends (result notice, signed copy, form) is visible in the
terminal: the applicant is told where the file was saved."""

import io

from dialogs.console import print_human, reply_json
from dialogs.replies import Document, Msg, Reply
from locales import Translator


def test_the_terminal_names_the_saved_file_of_a_document():
    reply = Reply(Msg("dialogs.console.push"), document=Document("data/notices/n.pdf", "n.pdf"))
    out = io.StringIO()
    print_human([reply], "zh_CN", out)
    assert "data/notices/n.pdf" in out.getvalue()
    assert reply_json(reply, Translator("zh_CN"))["document"] == "data/notices/n.pdf"


def test_a_reply_without_a_document_mentions_no_file():
    out = io.StringIO()
    print_human([Reply(Msg("dialogs.console.push"))], "zh_CN", out)
    assert "文件已保存" not in out.getvalue()
