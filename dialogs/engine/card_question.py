"""The questions' words where the ID card's photo changes them (issue 18): the ID-number
question offers the photo when cards are read, and the ID card material asks for the back
only once a confirmed reading made the front its first page (`card_photo.py`).

Apart from `card_photo.py` because `asking` calls it: this module imports nothing of the
engine, so no import cycle.
"""

from __future__ import annotations

from dialogs.engine.turn import Turn
from locales.replies import Msg

FRONT = "id_card_front"  # answers: the page that a confirmed reading made the card's front


def question_message(t: Turn, q: str) -> Msg | None:
    """The question's words where the card's photo changes them, else None."""
    if q == "ask_id_number" and t.ctx.reads_cards:
        return Msg("card_photo.ask_id_number")
    if q == "ask_upload_id_card":
        m = t.d.materials.get("id_card", {})
        if m.get("pages") == 1 and m.get("hashes", [None])[0] == t.d.answers.get(FRONT):
            return Msg("card_photo.ask_back")
    return None
