"""Uploads cleaned before they are kept: images re-encoded upright without metadata or hidden
tails; PDFs with anything active refused; the true page count of a PDF."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from cases.filecheck import JPEG, PDF, PNG, check_file
from tests.bot import images


def photo_with_gps(seed: int = 1, fmt: str = "JPEG") -> bytes:
    """A sharp 1200x1600 page, stored sideways with orientation 6 ("turn 90° clockwise"),
    the phone's make and a GPS position in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 35.0, 12.0)
    out = io.BytesIO()
    images.page_image(seed=seed).save(
        out, fmt, exif=exif, **({"quality": 95} if fmt == "JPEG" else {})
    )
    return out.getvalue()


def _name(text: str) -> NameObject:
    return NameObject(text)


def _writer() -> PdfWriter:
    return PdfWriter(clone_from=PdfReader(io.BytesIO(images.real_pdf(pages=2))))


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def active_pdfs() -> dict[str, bytes]:
    """Two-page PDFs, each carrying one active thing."""
    found: dict[str, bytes] = {}
    w = _writer()
    script = DictionaryObject(
        {_name("/S"): _name("/JavaScript"), _name("/JS"): TextStringObject("app.alert(1)")}
    )
    names = DictionaryObject(
        {_name("/Names"): ArrayObject([TextStringObject("x"), w._add_object(script)])}
    )
    w._root_object[_name("/Names")] = DictionaryObject({_name("/JavaScript"): names})
    found["javascript"] = _bytes(w)
    w = _writer()
    w.add_attachment("setup.exe", b"MZ\x90\x00 a program")
    found["embedded_file"] = _bytes(w)
    w = _writer()
    w._root_object[_name("/OpenAction")] = DictionaryObject(
        {_name("/S"): _name("/Launch"), _name("/F"): TextStringObject("calc.exe")}
    )
    found["launch"] = _bytes(w)
    w = _writer()
    uri = DictionaryObject(
        {_name("/S"): _name("/URI"), _name("/URI"): TextStringObject("http://x")}
    )
    w.pages[0][_name("/AA")] = DictionaryObject({_name("/O"): uri})
    found["page_open_action"] = _bytes(w)
    w = _writer()
    w._root_object[_name("/AcroForm")] = DictionaryObject({_name("/XFA"): ArrayObject()})
    found["xfa"] = _bytes(w)
    # The name written with an escape (#61 is "a"): the same name to a reader.
    found["escaped_name"] = found["javascript"].replace(b"/JavaScript", b"/J#61vaScript")
    return found


def test_a_photo_loses_its_gps_and_exif_and_is_turned_upright():
    data = photo_with_gps()
    result = check_file(data, "photo.jpg")
    assert result.problem is None and result.cleaned is not None
    assert (result.width, result.height) == (1600, 1200)
    with Image.open(io.BytesIO(result.cleaned)) as img:
        assert (img.format, img.size) == ("JPEG", (1600, 1200))
        exif = img.getexif()
        assert exif.get(ExifTags.Base.Orientation) is None and exif.get_ifd(0x8825) == {}
    assert b"PhoneCo" not in result.cleaned and b"Exif" not in result.cleaned


def test_a_png_loses_its_metadata_and_stays_a_png():
    result = check_file(photo_with_gps(fmt="PNG"), "scan.png")
    assert result.problem is None and result.cleaned is not None
    assert result.mime_type == PNG and result.cleaned.startswith(b"\x89PNG")
    assert b"PhoneCo" not in result.cleaned and b"eXIf" not in result.cleaned


@pytest.mark.parametrize(
    "tail",
    [b"PK\x03\x04 a zip archive " * 100, b"\0" * (19 * 1024 * 1024)],
    ids=["zip_appended", "19_mb_of_junk"],
)
def test_whatever_follows_the_image_is_not_kept(tail: bytes):
    photo = images.sharp_jpeg()
    result = check_file(photo + tail, "photo.jpg")
    assert result.problem is None and result.cleaned is not None
    assert result.size == len(photo) + len(tail)  # what was sent
    assert len(result.cleaned) < 2 * len(photo)  # what is kept
    assert b"PK\x03\x04" not in result.cleaned
    with Image.open(io.BytesIO(result.cleaned)) as img:
        assert img.size == (1200, 1600)


@pytest.mark.parametrize("kind", list(active_pdfs()))
def test_a_pdf_with_anything_active_is_refused(kind: str):
    result = check_file(active_pdfs()[kind], "statement.pdf")
    assert (result.mime_type, result.problem) == (PDF, "active_pdf")
    assert result.cleaned is None


def test_a_pdf_that_only_opens_at_its_first_page_is_fine():
    w = _writer()
    w._root_object[_name("/OpenAction")] = ArrayObject(
        [w.pages[0].indirect_reference, _name("/Fit")]
    )
    result = check_file(_bytes(w), "statement.pdf")
    assert (result.problem, result.page_count) == (None, 2)


def test_a_two_page_pdf_counts_two_pages_and_is_kept_as_sent():
    pdf = images.real_pdf(pages=2)
    result = check_file(pdf, "statement.pdf")
    assert (result.mime_type, result.page_count, result.problem) == (PDF, 2, None)
    assert result.cleaned == pdf


def test_a_refused_image_has_nothing_to_keep():
    assert check_file(images.blurred_jpeg()).cleaned is None
    assert check_file(images.sharp_jpeg()).mime_type == JPEG
