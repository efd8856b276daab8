"""Understanding free text: typed choices, numbers, then the intent of a question.

The public API that the conversation calls:

    understand(text, choice_ids) -> Understanding   # choice, else number, else intent
    interpret_choice(text, choice_ids) -> str | None
    parse_number(text) -> int | None
    parse_contribution_months(text) -> int | None | "unknown"
    classify(text) -> Intent                          # INTENTS, "unknown" when out of scope
                                                      # or not likely enough (calibrated)
    faq_key(intent) -> str                            # "faq.<intent>" in locales/*/faq.toml
    warm_up(data_dir)                                 # optional: load jieba at start-up

jieba and the model load on first use, once per process (or at `warm_up`, so that the first
applicant does not wait ~0.7 s). Nothing here logs or keeps the text: it may hold an ID number.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dialogs import nlu_calibration, nlu_jieba, nlu_weights
from dialogs.choice_words import clean
from dialogs.nlu_calibration import Calibration
from dialogs.nlu_choices import interpret_choice
from dialogs.nlu_model import IntentModel, features, read_keywords
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
# The weights are fitted on train.txt, on four former blind sets once they had been
# measured, and on three sets written by other helpers to widen it (dialect, English and
# pinyin, the boundaries between intents) (issue 13): phrases by other hands than
# train.txt's are worth more than more of the same. blind3.txt joined the calibration split
# instead: probabilities fitted on phrases as unlike train.txt as real messages are mean what
# they say on those. Each file but train.txt is one author of the cross-author yardstick
# (dialogs/nlu_authors.py).
TRAINING_FILES = (
    TRAINING_FILE,
    DATA / "blind.txt",
    DATA / "blind2.txt",
    DATA / "blind4.txt",
    DATA / "blind5.txt",
    DATA / "train_dialect.txt",
    DATA / "train_english_pinyin.txt",
    DATA / "train_boundaries.txt",
)
KEYWORDS_FILE = DATA / "keywords.toml"
TYPOS_FILE = DATA / "typos.txt"
# Never trained on: the calibration and the threshold are fitted here.
CALIBRATION_SPLIT = (HELD_OUT_FILE, DATA / "calibration.txt", DATA / "blind3.txt")
CALIBRATION_FILE = DATA / "calibration.toml"  # written by `python -m dialogs.nlu_refit`
WEIGHTS_FILE = DATA / "weights.tsv"  # written by `python -m dialogs.nlu_train`
# The texts the weights were fitted on: weights.tsv records their fingerprint.
FIT_INPUTS = (*TRAINING_FILES, TYPOS_FILE, nlu_jieba.USER_DICT)
# Questions are short; a 5,000-character paste is classified by its start, keeping the
# cost of one message bounded.
MAX_CHARS = 200
# The tone number of a pinyin syllable ("tui4 xiu1"): the same word as "tui xiu", which the
# toneless pinyin variants of the training phrases teach. A digit of a longer number stays.
_TONE = re.compile(r"(?<=[a-z])[1-5](?![0-9])")
# A whole message of not knowing ("我也不知道啊", "I don't know", "不太清楚"), cleaned: it asks
# nothing. Not "手册不知道放哪了": that one says the handbook is lost.
_NOT_KNOWING = re.compile(
    r"(?:我|俺|额)?(?:也|真|真的|实在|确实|还|都)?"
    r"(?:不知道|不清楚|不太清楚|不晓得|不记得|记不清|记不得|说不清|说不上来|不确定|忘了|没印象)"
    r"(?:了|啊|呀|呢|哦|诶|耶|嘞|哈)*"
    r"|i?(?:really)?(?:dont|donot|didnt)(?:really)?know|(?:im)?notsure|noidea|dunno|idk"
)


@dataclass(frozen=True)
class Intent:
    name: str  # one of INTENTS
    # P(name is right), calibrated on phrases never trained on; for "unknown" after the model
    # doubted, P(its best intent would have been wrong).
    confidence: float
    keywords: tuple[str, ...] = ()  # the known words that decided it; never personal data
    best: str = "unknown"  # the intent the scores favour, even when not safe to act on


@dataclass(frozen=True)
class Understanding:
    """What a typed message means at the current question, by the first rule that applies."""

    kind: Literal["choice", "number", "intent"]
    choice: str | None = None
    number: int | None = None
    intent: Intent | None = None


class _Loaded:
    def __init__(
        self, model: IntentModel, typos: list[tuple[str, str]], calibration: Calibration
    ) -> None:
        self.model = model
        self.typos = typos
        self.calibration = calibration


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
    """Load jieba (cache under `data_dir`) and the classifier now rather than on the
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
            model = IntentModel(nlu_weights.read(WEIGHTS_FILE), read_keywords(KEYWORDS_FILE))
            if set(model.intents) != set(INTENTS):
                raise ValueError(f"weights cover {model.intents}, expected {INTENTS}")
            _loaded = _Loaded(model, typos, nlu_calibration.read(CALIBRATION_FILE))
    return _loaded


def _words(text: str, typos: list[tuple[str, str]]) -> list[str]:
    s = _TONE.sub("", normalise(text[:MAX_CHARS]))
    for wrong, right in typos:
        if wrong in s:
            s = s.replace(wrong, right)
    return nlu_jieba.cut(s)


def tokenize(text: str) -> list[str]:
    """jieba words of a message, after the same normalisation the classifier uses."""
    return _words(text, _get().typos)


def model() -> IntentModel:
    """The trained model (for the calibration fit, dialogs/nlu_refit.py)."""
    return _get().model


def words(text: str) -> list[str]:
    """jieba words after the classifier's normalisation, before jieba is loaded for
    `tokenize` (the offline fit, dialogs/nlu_train.py)."""
    return _words(text, _read_typos(TYPOS_FILE))


def feature_list(text: str) -> list[str]:
    """The model's features of a message, after the classifier's normalisation."""
    return features(tokenize(text))


def not_knowing(text: str) -> bool:
    """The whole message says the worker does not know ("不知道", "I don't know")."""
    return _NOT_KNOWING.fullmatch(clean(text).replace("'", "").replace("’", "")) is not None


def classify(
    text: str, calibration: Calibration | None = None, model: IntentModel | None = None
) -> Intent:
    """The intent of a free-text message; "unknown" when out of scope or unclear.

    `calibration` and `model` are the stored ones unless given (the refit, the benchmark and
    the cross-author yardstick compare others)."""
    loaded = _get()
    if not_knowing(text):
        # "I don't know" / "不知道" asks nothing: never cancel (it was, at 0.97), never
        # lost_document (it was, at 0.999).
        return Intent("unknown", 1.0)
    scored = (model or loaded.model).predict(
        features(_words(text, loaded.typos)), calibration or loaded.calibration
    )
    return Intent(scored.intent, scored.confidence, scored.keywords, scored.best)


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
