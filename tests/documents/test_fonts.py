"""The documents' font comes from a source that lasts (Debian's fonts-noto-cjk, or the PyPI
copy as a fallback), and is the release the documents were laid out with."""

from __future__ import annotations

from PIL import ImageFont

from documents.fonts import SC_FACE_INDEX, font_is_the_known_release, font_path


def test_the_font_is_the_known_noto_cjk_release_with_the_chinese_face() -> None:
    path = font_path()
    assert font_is_the_known_release(path), path
    face = ImageFont.truetype(str(path), size=12, index=SC_FACE_INDEX)
    assert face.getname() == ("Noto Sans CJK SC", "Regular")
