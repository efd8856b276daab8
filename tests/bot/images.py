"""Generated pages for upload tests: a sharp text-like page, its blurred twin, a tiny one,
a decompression-bomb header, a truncated JPEG, a real PDF and a fake one."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image, ImageDraw, ImageFilter

PAPER = (235, 230, 220)


def page_image(width: int = 1200, height: int = 1600, seed: int = 1) -> Image.Image:
    """Dark word-like strokes on paper, like a photographed form."""
    rnd = random.Random(seed)
    img = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(img)
    for y in range(80, height - 80, 40):
        x = 60
        while x < width - 100:
            word = rnd.randint(20, 90)
            draw.rectangle([x, y, x + word, y + 18], fill=(30, 30, 30))
            for k in range(0, word, 7):  # letter gaps
                draw.line([x + k, y, x + k, y + 18], fill=PAPER, width=2)
            x += word + 15
    return img


def encode(img: Image.Image, fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, quality=90) if fmt == "JPEG" else img.save(out, fmt)
    return out.getvalue()


def sharp_jpeg(seed: int = 1, width: int = 1200, height: int = 1600) -> bytes:
    return encode(page_image(width, height, seed))


def blurred_jpeg(seed: int = 1) -> bytes:
    return encode(page_image(seed=seed).filter(ImageFilter.GaussianBlur(5)))


def tiny_png() -> bytes:
    return encode(page_image(300, 400), "PNG")


def bomb_png(side: int = 30_000) -> bytes:
    """A valid PNG header claiming side x side pixels, with almost no data behind it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    data = sharp_jpeg()
    return data[: len(data) // 3]


def real_pdf(pages: int = 2) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(text=f"Page {n + 1} of the retirement form")
    return bytes(pdf.output())


def fake_pdf() -> bytes:
    return b"%PDF-1.7\nthis is not really a PDF, just a renamed text file\n"


def heic_header() -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
