"""What runs inside an OCR worker process (`reader.py` starts them): the model, loaded once per
process by `start`, and `read`, one photo's reading.

The bot's own process never imports this module: it imports onnxruntime and OpenCV, whose
cost in memory is what the worker processes are there to keep out of the bot. `reader.py`
names these functions and the worker process imports them (`reader.in_worker`).

Whatever `read` raises crosses back to the bot by pickling, which would import the exception's
module there: only `CardReaderUnavailable` (from the conversation's port) ever leaves.
"""

from __future__ import annotations

import logging
import os
from datetime import date

from dialogs.card_reader import CardReaderUnavailable
from integrations.idcard.ocr import NotAnImage, OcrEngine, TooMuchText
from policy.idcard_front import CardFront, read_front

log = logging.getLogger(__name__)

_engine: OcrEngine | None = None  # this process's model, loaded by `start`


def start(threads: int | None) -> None:
    """The pool's initializer: load the model now, once for the life of this process."""
    global _engine
    _engine = OcrEngine(threads)
    _engine.load()


def read(photo: bytes, today: date) -> CardFront:
    """The front's fields on one photo ("no_card" for a page of text, unread); raises
    CardReaderUnavailable (not_an_image, failed)."""
    engine = _engine or OcrEngine()  # started without the initializer: loads on first use
    try:
        lines = engine.lines(photo)
    except NotAnImage:
        raise CardReaderUnavailable("not_an_image") from None
    except TooMuchText:  # a page of text: no card, said without reading it line by line
        return CardFront("no_card")
    except Exception:
        # Logged here with its traceback (the process's stderr is the bot's); the photo's
        # content is not in it. The bot is told only that this reading failed.
        log.exception("the OCR engine failed on a photo")
        raise CardReaderUnavailable("failed") from None
    return read_front(lines, today=today)


def pid() -> int:
    """This worker's process id (tests kill it to see it replaced)."""
    return os.getpid()
