"""The ID card's photo in the conversation (issue 18).

At the ID-number question the worker may send the card's front instead of typing 18 digits.
A number read (valid, agreeing with the printed birth date and sex) is shown in full with the
name read, and held until the worker confirms it: "yes" records it exactly as if typed (the
same `record_id_number`, every check again) and the photo becomes the first page of the ID
card material, so only the back is asked for later (sent as an album with the back, both
sides are kept: the material is complete); "no" asks them to type it. A photo with
no valid number gets a retake request with tips and the offer to type. The name read is only
shown (the model swaps rare characters for look-alikes), never recorded.

At the ID card material, a front whose number differs from the one recorded is held, not
counted, until the worker says which is right: retake the photo, change the typed number, or
keep both as they are; kept, the difference is on the review and on the clerk's case page (the
form's `card_number_differs`). A photo that shows no card at all is asked again.

The service reads the photos before the event (`dialogs/card_reader.py`); here, only what to
say and record. Hooks: `dispatch` calls `handles` first; `asking` asks
`card_question.question_message` for the words of the two questions.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from dialogs import answers as read
from dialogs import choice_words
from dialogs.card_reader import CardPhoto
from dialogs.engine.answering import accept
from dialogs.engine.asking import ask, fail
from dialogs.engine.card_question import FRONT
from dialogs.engine.review import edit
from dialogs.engine.turn import Turn
from dialogs.engine.uploads import upload
from dialogs.events import Choice, Event, Files, StoredFile, Text
from dialogs.state import AddPages, HoldCardNumber
from locales.replies import Msg, Option, Reply
from policy.idcard import mask_number
from policy.idcard_front import CardFront

HELD = "card_read"  # answers: the reading waiting for "yes" (masked number, name, photo)
YES, NO = "card_yes", "card_no"
DIFFERS = "card_differs"  # answers: photos of a card not the worker's number, held unsettled
DIFFERS_CHOICES = ("card_retake", "card_fix", "card_keep")
KEPT = "card_number_differs"  # answers (and the form): the number on the photo kept, masked
_NOT_READ = {
    "unclear": "card_photo.unclear",
    "back": "card_photo.back_side",
    "no_card": "card_photo.no_card",
}


def handles(t: Turn, event: Event) -> bool:
    """Whether this event was about the card's photo (and is answered here)."""
    q = t.question()
    if q == "ask_id_number":
        if isinstance(event, CardPhoto):
            photo_for_number(t, event)
            return True
        if t.d.answers.get(HELD) is not None:
            return held_answer(t, event)
        if isinstance(event, Choice) and event.id in (YES, NO):  # an answered reading's
            ask(t, lead=Msg("dialogs.stale_button"))
            return True
        return False
    if q == "ask_upload_id_card" and t.d.answers.get(DIFFERS) is not None:
        return differs_answer(t, event)
    if q == "ask_upload_id_card" and isinstance(event, CardPhoto):
        return card_pages(t, event)
    return False


def photo_for_number(t: Turn, event: CardPhoto) -> None:
    reading = event.best()
    if reading is None:
        return fail(t, "card_photo.unavailable")
    if reading.outcome != "read" or reading.number is None:
        return fail(t, _NOT_READ[reading.outcome], tips=Msg("card_photo.tips"))
    number = reading.number
    photo = event.files[event.readings.index(reading)]
    back = [f for f, r in zip(event.files, event.readings, strict=False) if _is_back(r)]
    t.d.answers[HELD] = {
        "masked": number.masked,
        "name": reading.name,
        "file": asdict(photo),
        "back": asdict(back[0]) if back else None,  # the album's other side, when it was one
    }
    t.do(HoldCardNumber(number.number))
    t.replies.append(confirm_reply(t, number.number, reading.name))


def confirm_reply(t: Turn, number: str, name: str | None) -> Reply:
    # In full (the worker's private chat), grouped as the card's parts: region, birth, rest.
    shown = f"{number[:6]} {number[6:14]} {number[14:]}"
    typed = t.d.answers.get("name")
    if name is None:
        said = Msg("card_photo.name_unread")
    elif typed and typed != name:
        said = Msg("card_photo.name_differs", {"read": name, "typed": typed})
    else:
        said = Msg("card_photo.name_read", {"name": name})
    options = (Option(YES, Msg("card_photo.choice.yes")), Option(NO, Msg("card_photo.choice.no")))
    message = Msg("card_photo.confirm", {"number": shown, "name": said})
    return Reply(message, options, "choice", question="ask_id_number")


def held_answer(t: Turn, event: Event) -> bool:
    """An answer while a reading waits: yes, no, or anything else (a typed number, a
    question...), which forgets the reading and is answered as usual."""
    choice: str | None = None
    if isinstance(event, Choice) and event.question in (None, "ask_id_number"):
        choice = {YES: "yes", NO: "no"}.get(event.id)
    elif isinstance(event, Text):
        choice = read.interpret_choice(event.text, ["yes", "no"])
    held: dict[str, Any] = t.d.answers.pop(HELD)
    t.do(HoldCardNumber(None))
    if choice == "yes":
        confirmed(t, held)
        return True
    if choice == "no":
        ask(t, lead=Msg("card_photo.type_instead"))
        return True
    return False


def confirmed(t: Turn, held: dict[str, Any]) -> None:
    number = t.ctx.card_number
    if number is None:  # the held number is gone (a reset elsewhere): ask for it again
        return ask(t, lead=Msg("card_photo.type_instead"))
    before = len(t.replies)
    accept(t, "ask_id_number", number)  # exactly as if typed
    if (t.d.answers.get("id_number") or {}).get("masked") != held["masked"]:
        return None  # refused by the usual checks: their reply has been said
    m = t.d.materials.setdefault("id_card", {"pages": 0, "status": "pending"})
    back = held.get("back")
    said = "card_photo.confirmed_both" if back and m["pages"] == 0 else "card_photo.confirmed"
    t.replies.insert(before, Reply(Msg(said)))
    if m["pages"] == 0:  # the card's pages sent already (an edit from the review) stay
        keep_pages(t, m, StoredFile(**held["file"]), StoredFile(**back) if back else None)


def keep_pages(t: Turn, m: dict[str, Any], front: StoredFile, back: StoredFile | None) -> None:
    """The confirmed photo as the ID card material's first page; with the back from the same
    album, both sides: the material is complete, as two pages uploaded make it."""
    photos = (front,) if back is None else (front, back)
    m["pages"] = len(photos)
    m["hashes"] = [photo.sha256 for photo in photos]
    if back is not None:
        m["status"] = "ok"
    t.d.answers[FRONT] = front.sha256
    t.do(AddPages("id_card", photos))


def _is_back(reading: CardFront | None) -> bool:
    return reading is not None and reading.outcome == "back"


def card_pages(t: Turn, event: CardPhoto) -> bool:
    """Pages of the ID card material: a photo of no card is refused (alone, asked again; in
    an album, named and left out); a number that is not the one recorded is told before the
    pages are taken."""
    cards = _without_no_card(t, event)
    if not cards.files:
        fail(t, "card_photo.not_a_card", tips=Msg("card_photo.tips"))
        return True
    rest = _without_second_front(t, cards)
    other = _other_number(t, event)
    if other is not None and rest.files:
        return held_differs(t, rest, other)
    if rest.files:
        upload(t, rest, "id_card")
    else:  # the front again, alone: the back is asked for again
        ask(t)
    return True


def _other_number(t: Turn, event: CardPhoto) -> str | None:
    """The masked number of a front whose number is not the one recorded, if one is."""
    for reading, same in zip(event.readings, event.same_as_typed, strict=False):
        if same is False and reading is not None and reading.number is not None:
            return mask_number(reading.number.number)
    return None


def held_differs(t: Turn, photos: Files, card: str) -> bool:
    """Someone else's card, or a typo in the number: the pages wait for the worker's word."""
    t.d.answers[DIFFERS] = {"card": card, "files": [asdict(f) for f in photos.files]}
    t.replies.append(differs_reply(t))
    return True


def differs_reply(t: Turn) -> Reply:
    held = t.d.answers[DIFFERS]
    typed = (t.d.answers.get("id_number") or {}).get("masked", "")
    options = tuple(Option(c, Msg(f"card_photo.choice.{c}")) for c in DIFFERS_CHOICES)
    message = Msg("card_photo.differs", {"card": held["card"], "typed": typed})
    return Reply(message, options, "choice", question="ask_upload_id_card")


def differs_answer(t: Turn, event: Event) -> bool:
    """The answer while the photos wait: retake, change the number, or keep them as they are;
    new photos replace the held ones; anything else asks again (nothing is counted meanwhile)."""
    if isinstance(event, CardPhoto):
        t.d.answers.pop(DIFFERS)
        return card_pages(t, event)
    choice: str | None = None
    if isinstance(event, Choice):
        choice = event.id if event.id in DIFFERS_CHOICES else None
    elif isinstance(event, Text):
        choice = _typed_choice(event.text)
    if choice is None:
        t.say("dialogs.hint.choose")
        t.replies.append(differs_reply(t))
        return True
    held = t.d.answers.pop(DIFFERS)
    if choice == "card_retake":
        ask(t, lead=Msg("card_photo.retake"))
    elif choice == "card_fix":
        t.say("card_photo.fix_number")
        edit(t, "ask_id_number")
    else:
        t.d.answers[KEPT] = held["card"]
        t.say("card_photo.kept")
        upload(t, Files(tuple(StoredFile(**f) for f in held["files"])), "id_card")
    return True


def _typed_choice(text: str) -> str | None:
    return (
        choice_words.exact(text, DIFFERS, DIFFERS_CHOICES)
        or choice_words.numbered(text, DIFFERS_CHOICES)
        or choice_words.contained(text, DIFFERS, DIFFERS_CHOICES)
    )


def _without_no_card(t: Turn, event: CardPhoto) -> CardPhoto:
    """The album without its photos that show no card, the worker told which they were (the
    first, the third...): an ordinary page beside the card's front is no second page of it."""
    keep = [r is None or r.outcome != "no_card" for r in event.readings]
    if all(keep) or len(keep) != len(event.files):
        return event
    if not any(keep):  # all refused: asked again as one, by the caller
        return replace(event, files=(), readings=(), same_as_typed=())
    for position, kept in enumerate(keep, 1):
        if not kept:
            t.say("card_photo.not_a_card_in_album", position=position)
    return replace(
        event,
        files=tuple(f for f, k in zip(event.files, keep, strict=False) if k),
        readings=tuple(r for r, k in zip(event.readings, keep, strict=False) if k),
        same_as_typed=tuple(s for s, k in zip(event.same_as_typed, keep, strict=False) if k),
    )


def _without_second_front(t: Turn, event: CardPhoto) -> CardPhoto:
    """With the front kept from the ID-number question, another front is no back: two fronts
    would fill the material's two pages and move on with the back missing."""
    kept = t.d.materials.get("id_card", {}).get("hashes", ())
    if t.d.answers.get(FRONT) not in kept:
        return event
    pairs = list(zip(event.files, event.readings, strict=False))
    rest = [(f, r) for f, r in pairs if r is None or r.outcome != "read"]
    if len(rest) == len(pairs):
        return event
    t.say("card_photo.front_again")
    return replace(event, files=tuple(f for f, _ in rest), readings=tuple(r for _, r in rest))
