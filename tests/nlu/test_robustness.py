"""Whatever an applicant types, understanding never fails and answers in range."""

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import nlu

CHOICES = ("have", "lost", "yes", "no", "done", "later")
# Text near the domain (numerals, units, choice words) plus anything else at all.
nearby = st.text(
    alphabet="零一二两三四五六七八九十百千万年个月半零又有没丢是否不同意好了0123456789. "
)
anything = st.text(max_size=300)


@settings(max_examples=300, deadline=None)
@given(st.one_of(nearby, anything, st.text(min_size=4000, max_size=6000)))
def test_understanding_never_raises_and_stays_in_range(text):
    assert nlu.interpret_choice(text, CHOICES) in (*CHOICES, None)
    number = nlu.parse_number(text)
    assert number is None or (isinstance(number, int) and number >= 0)
    months = nlu.parse_contribution_months(text)
    assert months in (None, "unknown") or 0 <= months <= 720
    intent = nlu.classify(text)
    assert intent.name in nlu.INTENTS and 0.0 <= intent.confidence <= 1.0
    assert nlu.understand(text, CHOICES).kind in ("choice", "number", "intent")
