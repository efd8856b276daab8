"""The terminal hands a typed path of an existing file to the conversation as a file, at any
step, so that a file sent where none was asked gets its specific answer."""

from __future__ import annotations

from pathlib import Path

from tests.dialogs.test_console import run, sharp_page


def test_a_path_typed_at_a_text_question_is_answered_as_a_file(tmp_path: Path) -> None:
    page = sharp_page(tmp_path / "photo.jpg")
    lines = ["1", "同意", str(page), "张建国", "/exit"]
    result = run(["chat", "--today", "2026-11-26"], lines, tmp_path)
    assert result.returncode == 0, result.stderr
    after_path = result.stdout.split("请输入您的姓名", 1)[1]
    assert "这一步不需要文件" in after_path
    assert "请输入您的姓名" in after_path  # the same question again
    assert "请输入您的18位身份证号码" in after_path  # and the name was taken afterwards
    assert "姓名请只写汉字" not in result.stdout  # the path was never read as a name


def test_a_slash_in_an_answer_is_still_text_when_no_such_file_exists(tmp_path: Path) -> None:
    lines = ["1", "同意", "张建国", "150627196503151218", "13847712345", "1", "15年/180个月"]
    result = run(["chat", "--today", "2026-11-26"], lines, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "找不到文件" not in result.stdout
