"""The OCR engine: RapidOCR (PP-OCRv4 detection and recognition on onnxruntime), loaded once.

The models travel inside the `rapidocr_onnxruntime` wheel (Apache-2.0, see docs/NOTICES.md):
nothing is downloaded at run time. Loading takes about 0.3 s and ~110 MiB; it happens once in
each OCR worker process as it starts (`worker.py`), never at import. Importing this module
pulls in onnxruntime and OpenCV (~0.4 s): only the worker processes import it, never the bot.

The photo is decoded here with Pillow, not by RapidOCR, for three reasons: a phone's EXIF
orientation is applied (a card shot in portrait arrives sideways otherwise), a decompression
bomb is refused before any pixel is allocated, and a large document scan is brought down to
the size of a Telegram photo (1280 px), which reads as well and several times faster.

The work is bounded before the costly part: recognition reads every line the detection found,
one by one (a page of text, 50 lines, takes tens of seconds), while a card's front has about a
dozen. A photo with more than MAX_LINES lines is no card, and is answered so at once
(`TooMuchText`). And onnxruntime uses every core but one, so the bot keeps a core to answer.
"""

from __future__ import annotations

import ctypes
import io
import os
import threading
from typing import Any

import numpy as np
from PIL import Image, ImageOps
from rapidocr_onnxruntime import RapidOCR

from policy.idcard_front import TextLine

try:  # glibc only (the Linux servers this runs on); elsewhere memory is simply not trimmed
    _LIBC: ctypes.CDLL | None = ctypes.CDLL("libc.so.6")
except OSError:
    _LIBC = None

MAX_SIDE = 1280  # Telegram's own photo size: a card filling the frame reads well at this size
MAX_PIXELS = 40_000_000  # a 40 MP phone photo is the largest real input; beyond: not a photo
# A card's front has ~12 lines (measured on the test cards); a card on a cluttered table a few
# more. A page of text has 50 and more.
MAX_LINES = 40


class NotAnImage(ValueError):
    """The bytes are not a picture Pillow can read (or are a decompression bomb)."""


class TooMuchText(ValueError):
    """More lines of text than a card has: a page, not a card. Said before any is read."""


class OcrEngine:
    """`lines(photo)` -> the text lines of a photo. Thread-safe; the model loads on first use.

    `threads` bounds onnxruntime's threads per call (None: every core but one, at least one)."""

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads or max(1, (os.cpu_count() or 1) - 1)
        self._engine: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def load(self) -> None:
        """Load the models now (a warm-up for who wants the cost at start-up)."""
        with self._lock:
            if self._engine is None:
                engine = RapidOCR(intra_op_num_threads=self._threads)
                engine.auto_text_det = _at_most(MAX_LINES, engine.auto_text_det)
                self._engine = engine

    def lines(self, photo: bytes) -> list[TextLine]:
        """The text lines found on the photo, in the engine's reading order; raises
        NotAnImage, TooMuchText."""
        image = decode(photo)
        self.load()
        try:
            found, _ = self._engine(image)
        finally:
            _give_back_memory()
        return [
            TextLine(str(text), tuple((float(x), float(y)) for x, y in box), float(score))  # type: ignore[arg-type]
            for box, text, score in found or ()
        ]


def _at_most(most: int, detect: Any) -> Any:
    """RapidOCR's detection step, stopping the reading when it found more than `most` lines
    (RapidOCR has no such option; its call runs detection, then reads every line found)."""

    def detect_lines(image: np.ndarray) -> Any:
        boxes, seconds = detect(image)
        if boxes is not None and len(boxes) > most:
            raise TooMuchText(f"{len(boxes)} lines")
        return boxes, seconds

    return detect_lines


def _give_back_memory() -> None:
    """Return the reading's freed buffers to the system. A reading allocates a few hundred
    MiB of short-lived arrays; glibc keeps the freed pages, so without this the bot's process
    would stay ~400 MiB larger after its first photo (measured: 407 MiB -> 137 MiB)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def decode(photo: bytes) -> np.ndarray:
    """RGB pixels of the photo, upright, at most MAX_SIDE on its longer side, in the BGR
    order the engine expects."""
    try:
        with Image.open(io.BytesIO(photo)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise NotAnImage("too many pixels")
            opened.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced scale
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise NotAnImage(type(exc).__name__) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
