"""The shared page checks: real types from bytes, and a specific problem for each bad page."""

from __future__ import annotations

from cases.filecheck import JPEG, PDF, PNG, check_file
from tests.bot import images


def test_a_sharp_photo_of_a_form_is_accepted_with_its_size():
    result = check_file(images.sharp_jpeg(), "form.jpg", "image/jpeg")
    assert result.problem is None
    assert (result.mime_type, result.width, result.height) == (JPEG, 1200, 1600)


def test_a_blurred_photo_is_refused_as_blurred():
    assert check_file(images.blurred_jpeg()).problem == "blurred"


def test_a_tiny_image_is_refused_as_too_small():
    result = check_file(images.tiny_png())
    assert (result.mime_type, result.problem) == (PNG, "too_small")


def test_a_decompression_bomb_header_is_refused_without_decoding():
    result = check_file(images.bomb_png())
    assert result.problem == "decompression_bomb"


def test_a_bomb_below_pillows_own_limit_is_still_refused_by_ours():
    assert check_file(images.bomb_png(side=8_000)).problem == "decompression_bomb"


def test_a_truncated_jpeg_is_not_decodable():
    result = check_file(images.truncated_jpeg())
    assert (result.mime_type, result.problem) == (JPEG, "not_decodable")


def test_a_real_pdf_reports_its_page_count():
    result = check_file(images.real_pdf(pages=3), "form.pdf")
    assert (result.mime_type, result.page_count, result.problem) == (PDF, 3, None)


def test_a_renamed_text_file_is_a_bad_pdf():
    assert check_file(images.fake_pdf(), "form.pdf").problem == "bad_pdf"


def test_an_encrypted_pdf_is_refused():
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(images.real_pdf())))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    assert check_file(out.getvalue()).problem == "bad_pdf"


def test_the_type_comes_from_the_bytes_not_the_name():
    result = check_file(images.sharp_jpeg(), "scan.pdf", "application/pdf")
    assert (result.mime_type, result.problem) == (JPEG, None)


def test_heic_is_refused_with_its_own_code():
    assert check_file(images.heic_header(), "IMG_0001.HEIC").problem == "heic"


def test_a_file_over_the_limit_is_too_large_before_any_decoding():
    assert check_file(images.sharp_jpeg(), max_bytes=1000).problem == "too_large"


def test_other_types_are_unsupported():
    assert check_file(b"GIF89a" + b"\x00" * 100, "cat.gif").problem == "unsupported_type"
    assert check_file(b"").problem == "unsupported_type"
