"""Free text never keeps an ID number or a mobile number in clear.

Two kinds of free text, two answers:
- A field of the application (the employer's name, which goes on the form, to the offices and
  into the printed notice) refuses a number, politely, and asks again: a masked name would be
  no one's name, and a number there is almost always an answer typed at the wrong question.
  The worker's numbers are already registered (encrypted) at their own questions.
- The worker's own words to a person (an objection or a hand-over at signing, a rating
  comment) keep what was said with the numbers masked, and the worker is told so: refusing
  would lose their words, and staff call back on the registered phone anyway.
The numbers are those the log mask hides (`app.personal_numbers`): any common spelling of an
18- or 15-character ID number and a mainland mobile, full-width digits and separators too.
"""

from __future__ import annotations

from app.personal_numbers import find_numbers, mask_numbers
from dialogs.engine.asking import fail
from dialogs.engine.turn import Turn

WORDS_LIMIT = 500  # characters of a worker's words kept for staff


def refused_for_numbers(t: Turn, text: str) -> bool:
    """True when `text` holds an ID or mobile number: the worker is told why, and asked again."""
    if not find_numbers(text):
        return False
    fail(t, "dialogs.hint.no_numbers_in_name")
    return True


def masked_words(text: str) -> tuple[str, bool]:
    """The worker's words as kept for staff (numbers masked, at most WORDS_LIMIT characters)
    and whether a number was hidden (then the worker is told)."""
    words = text.strip()
    hidden = bool(find_numbers(words))
    return (mask_numbers(words) if hidden else words)[:WORDS_LIMIT], hidden
