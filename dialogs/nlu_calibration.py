"""Turning the classifier's scores into probabilities that mean what they say (issue 13).

Naive Bayes counts every word, character and character pair of a message as independent
evidence, so its posterior is far too sure of itself: "不知道" was lost_document at 0.999.
Platt scaling maps the log-odds of the top intent (its score against all the others) to
P(that intent is right) with two numbers, a slope and an intercept, fitted by logistic
regression on phrases the model never trained on (the calibration split: heldout.txt,
calibration.txt and blind3.txt). A threshold on that probability then decides between
answering and saying "I did not understand": the break-even point of a calibrated
probability, where answering and abstaining cost the same when a wrong answer costs
WRONG_COST times a "please say it again" (the worker reads an answer beside the point and
still has to ask again); "cancel" has its own, stricter one, where a wrong answer costs
CANCEL_COST.

Why the break-even point and not the threshold of least cost on the split: the probabilities
are honest on phrases by hands the model never learnt from (expected calibration error 0.01
to 0.04 on each held-out author of the cross-author yardstick, dialogs/nlu_authors.py), so the
break-even point is the cheapest threshold in expectation; the least cost on the split's few
doubtful phrases moved between 0.67 and 0.85 from one fit to the next, and at 0.85 it left
128 of 714 dialect phrases "not understood" where 0.67 left 49 (for 14 wrong answers more).

Two numbers are not worth a library: scikit-learn's CalibratedClassifierCV wants one of its own
estimators and would add numpy and scipy (~1 s, ~60 MiB at start-up) to a pure-Python model.
Pure functions here; the fitting procedure that feeds them is dialogs/nlu_refit.py.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# A wrong answer costs the worker twice a "please say it again": see the module docstring.
WRONG_COST = 2.0
# A wrong "cancel" costs ten: it offers to withdraw consent and delete the worker's answers
# (behind a confirmation, but a worker who asked something else may well say yes).
CANCEL = "cancel"
CANCEL_COST = 10.0
# Log-odds beyond this are all "certain" to the fit: keeps exp() and the Newton steps finite.
MAX_LOG_ODDS = 60.0
BINS = 10  # of the expected calibration error


@dataclass(frozen=True)
class Calibration:
    slope: float
    intercept: float
    threshold: float  # below it the classifier answers "unknown"
    cancel_threshold: float = 0.91  # the same, for "cancel" (break_even(CANCEL_COST))

    def threshold_for(self, intent: str) -> float:
        """The probability the intent needs to be acted on: "cancel" needs more."""
        return max(self.threshold, self.cancel_threshold) if intent == CANCEL else self.threshold

    def probability(self, log_odds: float) -> float:
        """P(the top intent is right), from its log-odds against every other intent."""
        return sigmoid(self.slope * min(log_odds, MAX_LOG_ODDS) + self.intercept)


# Before any fit: the model's own posterior, and the old rule of "unknown" below 0.45.
UNCALIBRATED = Calibration(slope=1.0, intercept=0.0, threshold=0.45)


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _nll(xs: Sequence[tuple[float, float]], a: float, b: float) -> float:
    total = 0.0
    for x, y in xs:
        z = a * x + b
        # log(1 + e^z) - y z, computed without overflow
        total += (z if z > 0 else 0.0) + math.log1p(math.exp(-abs(z))) - y * z
    return total


def fit_platt(points: Sequence[tuple[float, bool]], steps: int = 100) -> tuple[float, float]:
    """(slope, intercept) maximising the likelihood of `correct` given the log-odds, by
    Newton's method with step halving (convex: it converges from anywhere, in a few steps).
    Targets are Platt's: (n+1)/(n+2) for right and 1/(m+2) for wrong, so that a split where
    every high score was right does not make "certain" mean certain."""
    right = sum(ok for _, ok in points)
    hi, lo = (right + 1) / (right + 2), 1 / (len(points) - right + 2)
    xs = [(min(x, MAX_LOG_ODDS), hi if ok else lo) for x, ok in points]
    a, b = 0.0, 0.0
    loss = _nll(xs, a, b)
    for _ in range(steps):
        ga = gb = haa = hab = hbb = 0.0
        for x, y in xs:
            p = sigmoid(a * x + b)
            g, w = p - y, max(p * (1.0 - p), 1e-12)
            ga, gb = ga + g * x, gb + g
            haa, hab, hbb = haa + w * x * x, hab + w * x, hbb + w
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        step = 1.0
        while step > 1e-6 and _nll(xs, a - step * da, b - step * db) > loss:
            step /= 2
        a, b = a - step * da, b - step * db
        new = _nll(xs, a, b)
        if loss - new < 1e-12:
            break
        loss = new
    return a, b


def break_even(wrong_cost: float = WRONG_COST) -> float:
    """The threshold (in hundredths) where answering, (1 - p) * wrong_cost, and saying "not
    understood", p * 1, cost the same: 0.67 for WRONG_COST, 0.91 for CANCEL_COST."""
    return round(wrong_cost / (wrong_cost + 1.0), 2)


def ece(pairs: Sequence[tuple[float, bool]], bins: int = BINS) -> float:
    """Expected calibration error: over equal-width bins of confidence, the gap between the
    mean confidence and the share that was right, weighted by the bin's size."""
    if not pairs:
        return 0.0
    total = 0.0
    for b in range(bins):
        inside = [(c, ok) for c, ok in pairs if min(int(c * bins), bins - 1) == b]
        if inside:
            gap = sum(c for c, _ in inside) - sum(ok for _, ok in inside)
            total += abs(gap) / len(pairs)
    return total


def read(path: Path) -> Calibration:
    with path.open("rb") as fh:
        table = tomllib.load(fh)["calibration"]
    return Calibration(
        float(table["slope"]),
        float(table["intercept"]),
        table["threshold"],
        table.get("cancel_threshold", Calibration.cancel_threshold),
    )


def render(cal: Calibration, notes: Sequence[str]) -> str:
    """The TOML file of a fit, with the figures it was chosen on as comments."""
    lines = [
        "# Written by `python -m dialogs.nlu_refit` (issue 13): the Platt scaling of the intent",
        "# classifier, fitted on the calibration split (heldout.txt, calibration.txt,",
        "# blind3.txt), and its thresholds: the break-even points of a wrong answer's cost.",
        "# Refit after changing the training phrases or keywords.toml;",
        "# tests/nlu/test_calibration.py fails on drift.",
        *(f"# {note}" for note in notes),
        "[calibration]",
        f"slope = {cal.slope:.6f}",
        f"intercept = {cal.intercept:.6f}",
        f"threshold = {cal.threshold:.2f}",
        f"cancel_threshold = {cal.cancel_threshold:.2f}",
    ]
    return "\n".join(lines) + "\n"
