"""Understanding free text: typed choices, numbers, then the intent of a question.

The public API that the conversation calls:

    understand(text, choice_ids) -> Understanding   # choice, else number, else intent
    interpret_choice(text, choice_ids) -> str | None
    parse_number(text) -> int | None
    parse_contribution_months(text) -> int | None | "unknown"
    classify(text) -> Intent                          # INTENTS, "unknown" when out of scope
    faq_key(intent) -> str                            # "faq.<intent>" in locales/*/faq.toml
    warm_up(data_dir)                                 # optional: load jieba at start-up

jieba and the model load on first use, once per process (or at `warm_up`, so that the first
applicant does not wait ~0.7 s). Nothing here logs or keeps the text: it may hold an ID number.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dialogs import nlu_jieba
from dialogs.nlu_choices import interpret_choice
from dialogs.nlu_model import IntentModel, features, read_keywords, read_phrases, train
from dialogs.nlu_numbers import normalise, parse_contribution_months, parse_number

__all__ = [
    "INTENTS",
    "Intent",
    "Understanding",
    "classify",
    "faq_key",
    "interpret_choice",
    "parse_contribution_months",
    "parse_number",
    "tokenize",
    "understand",
    "warm_up",
]

INTENTS: tuple[str, ...] = (
    "apply",
    "materials",
    "eligibility",
    "progress",
    "duration",
    "housing_fund",
    "medical_insurance",
    "pension_amount",
    "lost_document",
    "early_retirement",
    "human_agent",
    "office_info",
    "complaint",
    "cancel",
    "greeting",
    "unknown",
)
DATA = nlu_jieba.DATA_DIR
TRAINING_FILE = DATA / "train.txt"
HELD_OUT_FILE = DATA / "heldout.txt"  # never trained on; read by the tests only
KEYWORDS_FILE = DATA / "keywords.toml"
TYPOS_FILE = DATA / "typos.txt"
# Questions are short; a 5,000-character paste is classified by its start, keeping the
# cost of one message bounded.
MAX_CHARS = 200


@dataclass(frozen=True)
class Intent:
    name: str  # one of INTENTS
    confidence: float  # 0..1
    keywords: tuple[str, ...] = ()  # the known words that decided it; never personal data


@dataclass(frozen=True)
class Understanding:
    """What a typed message means at the current question, by the first rule that applies."""

    kind: Literal["choice", "number", "intent"]
    choice: str | None = None
    number: int | None = None
    intent: Intent | None = None


class _Loaded:
    def __init__(self, model: IntentModel, typos: list[tuple[str, str]]) -> None:
        self.model = model
        self.typos = typos


_lock = threading.Lock()
_loaded: _Loaded | None = None


def _read_typos(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            wrong, right = line.split()
            pairs.append((wrong, right))
    return pairs


def warm_up(data_dir: Path | str = "data") -> None:
    """Load jieba (cache under `data_dir`) and train the classifier now rather than on the
    first message. Safe to call from several threads and more than once."""
    _get(data_dir)


def _get(data_dir: Path | str = "data") -> _Loaded:
    global _loaded
    if _loaded is not None:
        return _loaded
    with _lock:
        if _loaded is None:
            nlu_jieba.ensure_loaded(data_dir)
            typos = _read_typos(TYPOS_FILE)
            model = train(
                read_phrases(TRAINING_FILE),
                lambda text: _words(text, typos),
                read_keywords(KEYWORDS_FILE),
            )
            if set(model.intents) != set(INTENTS):
                raise ValueError(f"training phrases cover {model.intents}, expected {INTENTS}")
            _loaded = _Loaded(model, typos)
    return _loaded


def _words(text: str, typos: list[tuple[str, str]]) -> list[str]:
    s = normalise(text[:MAX_CHARS])
    for wrong, right in typos:
        if wrong in s:
            s = s.replace(wrong, right)
    return nlu_jieba.cut(s)


def tokenize(text: str) -> list[str]:
    """jieba words of a message, after the same normalisation the classifier uses."""
    return _words(text, _get().typos)


def classify(text: str) -> Intent:
    """The intent of a free-text message; "unknown" when out of scope or unclear."""
    loaded = _get()
    scored = loaded.model.predict(features(_words(text, loaded.typos)))
    return Intent(scored.intent, scored.confidence, scored.keywords)


def understand(text: str, choice_ids: Sequence[str] = ()) -> Understanding:
    """Choices first (when some are offered), then a plain number, then the intent."""
    choice = interpret_choice(text, choice_ids)
    if choice is not None:
        return Understanding("choice", choice=choice)
    number = parse_number(text)
    if number is not None:
        return Understanding("number", number=number)
    return Understanding("intent", intent=classify(text))


def faq_key(intent: Intent | str) -> str:
    """The locale key of the answer to an intent (`faq.unknown` says what the bot can do)."""
    name = intent.name if isinstance(intent, Intent) else intent
    if name not in INTENTS:
        raise ValueError(f"unknown intent {name!r}")
    return f"faq.{name}"
