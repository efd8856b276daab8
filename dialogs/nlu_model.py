"""The intent classifier: a linear model on jieba words, characters and character pairs, pieces
and pairs of Latin words (English and pinyin), plus a few hand-weighted keywords, its
confidence calibrated (dialogs/nlu_calibration.py). Scoring is pure Python, a few dictionary
look-ups per word.

The weights are a multinomial logistic regression's, fitted offline with scikit-learn
(dialogs/nlu_train.py): on the held-out split its top intent was right 96.6 % of the time
against 91.6 % for the hand-written naive Bayes it replaced. Word + character features
tolerate the typos and dialect of real messages (退修, 公基金): the characters still vote when
the word is unknown; pieces of English words do the same for English (issue 13: with them
and ~1,900 more training phrases, blind3.txt went from 85.5 % to 95.6 %, see
benchmarks/nlu.py). Then pinyin (taught by variants of the Chinese phrases made at fit
time), pairs of Latin words, vectors of unit length and ~330 more phrases took blind4.txt,
used as the development set, from 92.9 % to 98.4 %, 8 wrong answers to 4 (issue 13). The
next round changed no feature: 2,142 phrases by three other helpers (dialect, English and
pinyin, boundaries) took blind5 left out (benchmarks/nlu.py --cross-authors) from 92.7 % to
97.6 %; none of the features tried beat these on the yardstick (dialogs/nlu_train.py). Pinyin
typed with tone numbers ("tui4 xiu1") is read as without (dialogs/nlu.py): 8 more of 720
English and pinyin phrases right, left out.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dialogs.nlu_calibration import Calibration
from dialogs.nlu_weights import Weights

UNKNOWN = "unknown"
_WORD = re.compile(r"[\w\u4e00-\u9fff]")  # tokens worth counting: not spaces or punctuation
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[a-z]{4,}")  # an English word long enough to have a stem worth sharing
_LATIN_WORD = re.compile(r"[a-z]+")
# Words too common to be the reason for an intent on their own.
_STOP = """我 你 您 俺 额 的 了 吗 么 呢 啊 吧 呀 哦 嘛 是 个 一下 请问
想 下 这 那 这个 那个 就 都 也 a an the to my i me you is are am of it and or in on at be do"""
STOP_WORDS = frozenset(_STOP.split())


def read_phrases(path: Path) -> list[tuple[str, str]]:
    """(intent, phrase) pairs from a file of `[intent]` headers, one phrase a line."""
    pairs: list[tuple[str, str]] = []
    intent = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            intent = line[1:-1].strip()
        elif intent:
            pairs.append((intent, line))
        else:
            raise ValueError(f"{path.name}: phrase before any [intent] header: {line!r}")
    return pairs


def read_keywords(path: Path) -> dict[str, dict[str, float]]:
    """{intent: {word: weight}}: log-odds added to an intent when the word occurs."""
    with path.open("rb") as fh:
        table = tomllib.load(fh)
    return {intent: {w: float(v) for w, v in words.items()} for intent, words in table.items()}


def features(words: Iterable[str]) -> list[str]:
    """Each distinct word; the Chinese characters of each word ("#" + character); the
    character pairs of the message's Chinese text ("@" + pair); the 3- and 4-character
    pieces of each longer Latin word ("~" + piece, "<" and ">" mark its ends); and each pair
    of neighbouring Latin words ("+" + "how long"). A misspelt or unseen word still counts by
    its characters, pairs catch what jieba splits ("病退" → 病, 退), pieces join an English
    word's forms (withdraw, withdrawal) and pinyin typed with or without spaces (tuixiu,
    woyaobantuixiu), and word pairs carry what single English words do not ("how long" is
    not "how much")."""
    out: dict[str, None] = {}
    han: list[str] = []
    latin = ""  # the Latin word just before, if the word before was one
    for word in words:
        if not _WORD.search(word):
            continue
        out[word] = None
        if _LATIN_WORD.fullmatch(word):
            if latin:
                out[f"+{latin} {word}"] = None
            latin = word
            if _LATIN.fullmatch(word):
                _add_pieces(out, word)
            continue
        latin = ""
        for ch in word:
            if _HAN.match(ch):
                out["#" + ch] = None
                han.append(ch)
    for a, b in itertools.pairwise(han):
        out["@" + a + b] = None
    return list(out)


def _add_pieces(out: dict[str, None], word: str) -> None:
    marked = "<" + word + ">"
    for n in (3, 4):
        for i in range(len(marked) - n + 1):
            out["~" + marked[i : i + n]] = None


def feature_value(count: int) -> float:
    """The value of each of a message's `count` features, in the fit and in scoring: the
    feature vector has unit length, so a rambling message of forty features is not forty
    times surer than "公积金" (issue 13: long messages were the confident wrong answers)."""
    return 1.0 / math.sqrt(count) if count else 0.0


@dataclass(frozen=True)
class Scored:
    intent: str
    confidence: float  # calibrated: P(intent is right); for "unknown", P(the best one is wrong)
    keywords: tuple[str, ...]
    best: str = UNKNOWN  # the intent the scores favour, even when it is not safe to act on


@dataclass(frozen=True)
class Ranked:
    """The top intent of a message before calibration: its index, its log-odds against all
    the other intents together, and the features the model knew."""

    top: int
    log_odds: float
    known: tuple[str, ...]


class IntentModel:
    """A linear model over the features: each intent's score is its bias plus the weights of
    the message's known features, each times `feature_value`, plus the hand-weighted keywords;
    the weights are a logistic regression's (dialogs/nlu_weights.py)."""

    def __init__(
        self,
        weights: Weights,
        keywords: dict[str, dict[str, float]] | None = None,
        min_lift: float = 0.1,
    ) -> None:
        self.intents: tuple[str, ...] = weights.intents
        self.min_lift = min_lift
        self._bias = list(weights.bias)
        # For each feature, its weight for every intent in `self.intents` order: scoring is
        # then one vector addition per feature of the utterance.
        self._loglik: dict[str, list[float]] = weights.table
        self._keywords: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for intent, words in (keywords or {}).items():
            if intent not in self.intents:
                raise ValueError(f"keyword table names an unknown intent {intent!r}")
            for word, weight in words.items():
                self._keywords[word].append((self.intents.index(intent), weight))

    @property
    def vocabulary_size(self) -> int:
        return len(self._loglik)

    def rank(self, feats: Sequence[str]) -> Ranked | None:
        """The top intent and its log-odds; None when no feature was ever seen."""
        known = tuple(f for f in feats if f in self._loglik or f in self._keywords)
        if not known:
            return None
        n = len(self.intents)
        sums = [0.0] * n
        for f in known:
            row = self._loglik.get(f)
            if row is not None:
                for i in range(n):
                    sums[i] += row[i]
        value = feature_value(len(feats))
        scores = [b + value * s for b, s in zip(self._bias, sums, strict=True)]
        for f in known:
            for i, weight in self._keywords.get(f, ()):
                scores[i] += weight
        top = max(range(n), key=scores.__getitem__)
        others = [s for i, s in enumerate(scores) if i != top]
        peak = max(others)
        rest = peak + math.log(sum(math.exp(s - peak) for s in others))
        return Ranked(top, scores[top] - rest, known)

    def evidence(self, ranked: Ranked) -> tuple[str, ...]:
        """The words that decided the top intent (none for "unknown")."""
        if self.intents[ranked.top] == UNKNOWN:
            return ()
        return self._evidence(ranked.top, ranked.known)

    def predict(self, feats: Sequence[str], calibration: Calibration) -> Scored:
        ranked = self.rank(feats)
        if ranked is None:
            return Scored(UNKNOWN, 1.0, ())  # nothing we have ever seen: out of scope
        p = calibration.probability(ranked.log_odds)
        intent = self.intents[ranked.top]
        if intent == UNKNOWN:
            return Scored(UNKNOWN, round(p, 3), ())
        evidence = self.evidence(ranked)
        # "Not understood" beats a wrong answer when the intent is not likely enough to be
        # right (calibrated: see dialogs/nlu_calibration.py), or when it rests only on
        # function words and stray characters ("我想买房子" is no application).
        if p < calibration.threshold_for(intent) or not evidence:
            return Scored(UNKNOWN, round(1.0 - p, 3), (), best=intent)
        return Scored(intent, round(p, 3), evidence, best=intent)

    def _evidence(self, top: int, feats: Sequence[str], limit: int = 3) -> tuple[str, ...]:
        """The words, or character or word pairs when jieba made an unseen word of them
        ("谢谢你们"), that argue for the chosen intent clearly more than for the average one
        (by what they add to its score); strongest first. Single characters, word pieces and
        function words never count: alone they prove nothing."""
        weighted: dict[str, float] = {}
        present = set(feats)
        value = feature_value(len(feats))
        for f in feats:
            if _proves_nothing(f):
                continue
            row = self._loglik.get(f)
            lift = (row[top] - sum(row) / len(row)) * value if row is not None else 0.0
            lift += sum(w for i, w in self._keywords.get(f, ()) if i == top)
            text = f.removeprefix("@").removeprefix("+")
            if lift >= self.min_lift and lift > weighted.get(text, 0.0):
                weighted[text] = lift
        # Words read better than pairs that straddle two words ("休需"): pairs only if no word.
        words = [(t, w) for t, w in weighted.items() if "@" + t not in present or t in present]
        ranked = sorted(words or weighted.items(), key=lambda pair: -pair[1])
        return tuple(text for text, _ in ranked[:limit])


def _proves_nothing(feature: str) -> bool:
    """A character, a word piece, a function word, or a pair with one in it ("我想",
    "i want"): no reason for any intent on its own."""
    if feature[0] in "#~" or feature in STOP_WORDS:
        return True
    if feature[0] == "@":
        return feature[1] in STOP_WORDS or feature[2] in STOP_WORDS
    if feature[0] == "+":
        return any(word in STOP_WORDS for word in feature[1:].split(" "))
    return False
