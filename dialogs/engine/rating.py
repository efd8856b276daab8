"""Rating the service (好差评): five levels, voluntary, asked once; then an optional comment.
A bad level is followed up by the clerk, and the worker is told by when.

Whether the case can still be rated is read from the record (`ctx.result`); the rating,
the comment and a decline are commands (`cases.ratings`).
"""

from __future__ import annotations

from cases.result_commands import (
    BAD_LEVELS,
    RATING_LEVELS,
    CommentOnRating,
    DeclineRating,
    RateService,
    followup_due,
)
from dialogs import rating_words
from dialogs.engine.free_text import masked_words
from dialogs.engine.result_questions import ask, chosen, stash
from dialogs.engine.turn import Turn
from dialogs.events import Event, Text
from dialogs.machine import State
from locales import when
from locales.replies import Msg

S = State


def _level(event: Event) -> str | None:
    choice = chosen(event, S.ask_rating)
    if choice is None and isinstance(event, Text):
        return rating_words.level(event.text)  # "挺好的，满意" (dialogs/rating_words.py)
    return choice


def rate(t: Turn, event: Event) -> None:
    """ask_rating: a level, or "skip"."""
    choice = _level(event)
    view = t.ctx.result
    if choice == "skip":
        t.do(DeclineRating())
        t.trigger("skip")
        return ask(t, lead=Msg("aftercare.rating.skipped"))
    if choice not in RATING_LEVELS or view is None:
        # Voluntary: one gentle reminder that it is optional, never a loop of questions.
        return ask(t, lead=Msg("aftercare.rating.optional"))
    if view.status != "signed" or view.rating is not None:
        # Rated before (another device, a double tap): asked once, the first one stands.
        t.say_above_next("aftercare.rating.already_rated")
        t.trigger("skip")
        return ask(t)
    due = followup_due(t.ctx.today, t.ctx.followup_days) if choice in BAD_LEVELS else None
    t.do(RateService(choice, due))
    stash(t)["rating"] = choice
    said_more = rating_words.comment(event.text) if isinstance(event, Text) else ""
    if said_more:  # "还行吧，就是补材料那块说得不清楚": the rest is the comment, not asked again
        t.say_above_next(
            "aftercare.rating.noted_with_comment", level=Msg(f"aftercare.rating.level.{choice}")
        )
    if due is not None:
        t.say_above_next("aftercare.rating.sorry", due_date=Msg(*when.day(due)))
    elif not said_more:
        t.say_above_next("aftercare.rating.thanks")
    t.trigger("rate")
    if said_more:
        return keep_comment(t, said_more)
    return ask(t)


def rated_in_words(t: Turn, event: Event) -> bool:
    """At the rating question, whether typed words give a level: then they are the rating,
    even when they name a document or ask something ("差评，还让我重新交申请表")."""
    return t.state is S.ask_rating and isinstance(event, Text) and _level(event) in RATING_LEVELS


def comment(t: Turn, event: Event) -> None:
    """ask_rating_comment: any words are the comment; "skip" (tapped, or its words typed:
    "没有了", "没意见") leaves none."""
    if chosen(event, S.ask_rating_comment) == "skip":
        t.trigger("skip")
        return ask(t)
    if isinstance(event, Text) and event.text.strip():
        t.say_above_next("aftercare.rating.comment_thanks")
        return keep_comment(t, event.text)
    return ask(t)


def keep_comment(t: Turn, text: str) -> None:
    """ask_rating_comment: the comment recorded, and the rating done."""
    words, hidden = masked_words(text)
    t.do(CommentOnRating(words))
    if hidden:  # ID or phone numbers in the comment: kept masked, and the worker told
        t.say_above_next("aftercare.numbers_hidden")
    t.trigger("next")
    return ask(t)


def already_rated(t: Turn, event: Event) -> bool:
    """A second rating (an old rating button, "满意" typed later) is answered politely, and
    the first one stands. False when this is no rating, or the first one."""
    level = _level(event)
    view = t.ctx.result
    if level not in RATING_LEVELS or view is None or t.state is S.ask_rating:
        return False
    if view.rating is None or view.rating == "declined":  # nothing to say about it
        return False
    ask(t, lead=Msg("aftercare.rating.already_rated"))
    return True
