"""The real OCR reader on generated phone photos of cards (issue 18): numbers read exactly or
not at all, the name only offered; the model in a pool of worker processes beside the bot,
loaded once per worker and lazily, the bot's own process never loading it, the pool bounded
(busy, time-out) and a dead worker replaced."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from dialogs.card_reader import CardReaderUnavailable
from integrations.idcard.ocr import OcrEngine, TooMuchText
from integrations.idcard.reader import OcrCardReader
from integrations.idcard.worker import read
from tests.dialogs.test_console_typed_journey import page
from tests.idcard import cards
from tests.idcard.cards import Shot

TODAY = date(2026, 11, 26)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reader() -> Iterator[OcrCardReader]:
    """One reader for the module: its worker loads the model once, as in the bot."""
    reader = OcrCardReader(today=lambda: TODAY)
    asyncio.run(reader.warm_up())  # its worker started and the model loaded, once
    yield reader
    reader.close()


@pytest.mark.parametrize(
    ("card", "shot"),
    [
        (cards.man(), Shot()),
        (cards.woman(), Shot(angle=9, blur=1.0, quality=45, seed=1)),
        (cards.man("巴特尔·朝鲁"), Shot(angle=-11, quality=60, scale=0.8, seed=2)),
        (cards.woman("乌云其木格"), Shot(glare=0.85, blur=0.6, quality=50, scale=1.2, seed=3)),
    ],
    ids=["upright", "tilted_blurred_jpeg45", "mongolian_name_small", "glare"],
)
async def test_a_phone_photo_of_the_front_gives_the_number_and_what_the_card_says(
    reader: OcrCardReader, card: cards.Card, shot: Shot
) -> None:
    front = await reader.read(cards.photo(cards.front(card), shot))
    assert front.outcome == "read"
    assert front.number is not None and front.number.number == card.number
    assert front.birth_date == card.birth
    assert front.sex == ("male" if card.sex == "男" else "female")
    assert front.name == card.name


async def test_a_rare_name_character_comes_back_as_a_look_alike_so_names_are_only_offered(
    reader: OcrCardReader,
) -> None:
    """赟 is not in the model's dictionary: the number is exact, the name is not. This is why
    the conversation shows the name read and never records it by itself."""
    card = cards.man("张赟")
    front = await reader.read(cards.photo(cards.front(card), Shot(angle=4, seed=4)))
    assert front.number is not None and front.number.number == card.number
    assert front.name != "张赟"


async def test_ever_blurrier_photos_give_the_exact_number_or_none_never_a_wrong_one(
    reader: OcrCardReader,
) -> None:
    card = cards.man()
    found = []
    for blur in (3.0, 5.0, 7.0):
        front = await reader.read(cards.photo(cards.front(card), Shot(blur=blur, quality=40)))
        assert front.number is None or front.number.number == card.number, blur
        found.append(front.number is not None)
    assert found[-1] is False  # past what can be read: nothing, so the worker is asked again


async def test_the_back_and_a_photo_of_something_else_are_told_apart(
    reader: OcrCardReader,
) -> None:
    assert (await reader.read(cards.photo(cards.back(), Shot(angle=3)))).outcome == "back"
    assert (await reader.read(cards.something_else())).outcome == "no_card"


def test_a_page_of_text_is_no_card_said_before_its_lines_are_read(tmp_path: Path) -> None:
    """A page of 55 lines: the detection finds more lines than a card has, and the reading
    stops there (recognising each line would take tens of seconds)."""
    dense = page(tmp_path / "page.jpg", 1).read_bytes()
    with pytest.raises(TooMuchText):
        OcrEngine(threads=1).lines(dense)
    assert read(dense, TODAY).outcome == "no_card"  # as the worker process answers it


async def test_a_photo_taken_in_portrait_is_turned_upright_by_its_exif_orientation(
    reader: OcrCardReader,
) -> None:
    card = cards.woman()
    taken = Image.open(io.BytesIO(cards.photo(cards.front(card)))).rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 8  # "rotate 90 CW to view": the phone held sideways
    out = io.BytesIO()
    taken.save(out, "JPEG", quality=85, exif=exif)
    front = await reader.read(out.getvalue())
    assert front.number is not None and front.number.number == card.number


async def test_bytes_that_are_no_picture_are_refused_as_such(reader: OcrCardReader) -> None:
    with pytest.raises(CardReaderUnavailable) as caught:
        await reader.read(b"%PDF-1.7 not a photo")
    assert caught.value.reason == "not_an_image"


async def test_the_model_loads_in_a_worker_process_at_the_first_photo_never_in_the_bot() -> None:
    """A fresh process plays the bot: building the reader starts nothing, the first photo
    starts one worker, the second photo is read by the same worker, and the bot's process
    has not imported onnxruntime or OpenCV (its memory is the same with OCR on or off)."""
    code = f"""
import asyncio, datetime, sys
sys.path.insert(0, {str(ROOT)!r})
from integrations.idcard.reader import OcrCardReader
from tests.idcard import cards

async def main():
    reader = OcrCardReader(today=lambda: datetime.date(2026, 11, 26))
    print(reader.started)
    card = cards.woman()
    front = await reader.read(cards.photo(cards.front(card)))
    first = await reader.call("pid")
    await reader.read(cards.something_else())
    print(front.number.number == card.number, first == await reader.call("pid"))
    print(sorted(m for m in ("onnxruntime", "cv2", "rapidocr_onnxruntime") if m in sys.modules))
    reader.close()

if __name__ == "__main__":
    asyncio.run(main())
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[:3] == ["False", "True True", "[]"]


async def test_photos_beyond_the_waiting_bound_are_refused_at_once(reader: OcrCardReader) -> None:
    await reader.read(cards.something_else())  # the pool is up
    reader.max_waiting = 1
    try:
        first = asyncio.ensure_future(reader.read(cards.something_else(seed=1)))
        await asyncio.sleep(0)  # the first photo is with the worker now
        with pytest.raises(CardReaderUnavailable) as caught:
            await reader.read(cards.something_else(seed=2))
        assert caught.value.reason == "busy"
        assert (await first).outcome == "no_card"
        assert (await reader.read(cards.something_else(seed=3))).outcome == "no_card"
    finally:
        reader.max_waiting = 4


async def test_a_reading_past_its_time_out_is_given_up_and_its_worker_replaced(
    reader: OcrCardReader,
) -> None:
    """A time-out of a millisecond: the reading (a card: its lines recognised) cannot be back
    before the pool's manager looks again. The worker still busy with it is killed by the
    pool itself, whatever the bot's event loop does; the next photo is read by a new one."""
    await reader.read(cards.something_else())
    stuck = await reader.call("pid")
    reader.timeout = 0.001
    try:
        with pytest.raises(CardReaderUnavailable) as caught:
            await reader.read(cards.photo(cards.front(cards.woman())))
        assert caught.value.reason == "timeout"
    finally:
        reader.timeout = 20.0
    card = cards.man()
    front = await reader.read(cards.photo(cards.front(card)))
    assert front.number is not None and front.number.number == card.number
    assert await reader.call("pid") != stuck
    assert not _alive(stuck)


async def test_a_worker_killed_while_idle_is_replaced_and_the_next_photo_read(
    reader: OcrCardReader,
) -> None:
    await reader.read(cards.something_else())
    dead = await reader.call("pid")
    os.kill(dead, signal.SIGKILL)
    card = cards.woman()
    front = await reader.read(cards.photo(cards.front(card)))
    assert front.number is not None and front.number.number == card.number
    assert await reader.call("pid") != dead


async def test_a_worker_killed_while_reading_leaves_the_photo_to_its_replacement(
    reader: OcrCardReader,
) -> None:
    await reader.read(cards.something_else())
    dead = await reader.call("pid")
    card = cards.man()
    reading = asyncio.ensure_future(reader.read(cards.photo(cards.front(card))))
    await asyncio.sleep(0)  # submitted: the worker has it
    os.kill(dead, signal.SIGKILL)
    front = await reading
    assert front.number is not None and front.number.number == card.number
    assert await reader.call("pid") != dead


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0
