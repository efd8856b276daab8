"""The cross-author yardstick of the intent classifier: leave one author out.

Each former blind set (and each batch of phrases by another helper) was written by one hand
that never saw train.txt. Fitting on everything but one author's file, calibrating on the
calibration split as the service does, and scoring that file asks what a blind set asks: how
the classifier does on phrases by a hand it has not learnt from. Averaged over the authors, it
chooses features, C and thresholds without spending a new blind set (issue 13: blind sets
went 92.9 % -> 92.0 % while the development set reached 98.4 %: tuning on one author's
phrases fits that author). The held-out file's exact phrases are taken out of the other files
for its round. train.txt is never held out: it is the bulk, by the hands that tune.

A development tool like dialogs/nlu_train.py (scikit-learn); `benchmarks/nlu.py
--cross-authors` prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dialogs import nlu, nlu_refit, nlu_train
from dialogs.nlu_calibration import CANCEL
from dialogs.nlu_model import UNKNOWN, IntentModel, read_keywords, read_phrases


@dataclass(frozen=True)
class Score:
    name: str
    phrases: int
    right: int  # answered the right intent ("unknown" right only for [unknown])
    wrong: int  # answered another intent
    not_understood: int  # "unknown" for an in-domain phrase
    best_right: int  # the model's best intent was right, whatever the threshold
    cancel: int  # an in-domain phrase answered "cancel"

    def line(self) -> str:
        return (
            f"{self.name:>20}: {self.right / self.phrases:6.1%} ({self.right}/{self.phrases}), "
            f"wrong {self.wrong}, not understood {self.not_understood}, best intent right "
            f"{self.best_right / self.phrases:.1%}, in-domain answered cancel {self.cancel}"
        )


def authors() -> tuple[Path, ...]:
    """The training files by one other hand each: all but train.txt."""
    return tuple(path for path in nlu.TRAINING_FILES if path != nlu.TRAINING_FILE)


def training_without(path: Path) -> list[tuple[str, str]]:
    """The training phrases of every other file, less any phrase this author also wrote."""
    texts = {text for _, text in read_phrases(path)}
    return [
        pair
        for other in nlu.TRAINING_FILES
        if other != path
        for pair in read_phrases(other)
        if pair[1] not in texts
    ]


def hold_out(path: Path, c: float = nlu_train.C) -> Score:
    """Fit without this author, calibrate on the split, score the author's phrases."""
    held = read_phrases(path)
    weights = nlu_train.fit_weights(training_without(path), c)
    model = IntentModel(weights, read_keywords(nlu.KEYWORDS_FILE))
    calibration = nlu_refit.fit(nlu_refit.outcomes(nlu_refit.split(), model))
    got = [(label, nlu.classify(text, calibration, model)) for label, text in held]
    return Score(
        path.stem,
        len(held),
        right=sum(label == i.name for label, i in got),
        wrong=sum(i.name not in (label, UNKNOWN) for label, i in got),
        not_understood=sum(i.name == UNKNOWN != label for label, i in got),
        best_right=sum(label == (i.best if i.name == UNKNOWN else i.name) for label, i in got),
        cancel=sum(i.name == CANCEL != label for label, i in got),
    )


def total(scores: Sequence[Score]) -> Score:
    """All authors' phrases together (the mean weighted by file size)."""

    def add(field: str) -> int:
        return sum(getattr(s, field) for s in scores)

    return Score(
        "all authors",
        add("phrases"),
        add("right"),
        add("wrong"),
        add("not_understood"),
        add("best_right"),
        add("cancel"),
    )


def report(c: float = nlu_train.C) -> list[str]:
    nlu.warm_up()
    scores = [hold_out(path, c) for path in authors()]
    mean = sum(s.right / s.phrases for s in scores) / len(scores)
    lines = [s.line() for s in [*scores, total(scores)]]
    return [*lines, f"{'mean of authors':>20}: {mean:6.1%}"]
