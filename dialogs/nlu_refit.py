"""`python -m dialogs.nlu_refit [--check]`: fit the intent classifier's calibration on the
calibration split (heldout.txt + calibration.txt, never trained on) and write
dialogs/nlu_data/calibration.toml, with the figures it was chosen on. `--check` writes nothing
and exits 1 when the stored file is not what a fit gives now (train.txt changed since).

Also the figures of benchmarks/nlu.py: expected calibration error before and after, and what
the threshold does (answers given, wrong answers, "not understood" to a question we had right).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dialogs import nlu
from dialogs.nlu_calibration import (
    CANCEL_COST,
    UNCALIBRATED,
    Calibration,
    break_even,
    ece,
    fit_platt,
    read,
    render,
)
from dialogs.nlu_model import UNKNOWN, IntentModel, read_phrases

Phrases = Sequence[tuple[str, str]]  # (intent, text)


@dataclass(frozen=True)
class Outcome:
    label: str
    top: str  # the model's top intent ("unknown" when the rule or no known word decided)
    log_odds: float | None  # None: decided without the model's scores

    @property
    def right(self) -> bool:
        return self.top == self.label

    def probability(self, cal: Calibration) -> float:
        return 1.0 if self.log_odds is None else cal.probability(self.log_odds)


def outcomes(phrases: Phrases, model: IntentModel | None = None) -> list[Outcome]:
    """How the model (the stored one unless given) ranks each phrase, before the threshold."""
    model = model or nlu.model()
    out = []
    for label, text in phrases:
        ranked = None if nlu.not_knowing(text) else model.rank(nlu.feature_list(text))
        if ranked is None:
            out.append(Outcome(label, UNKNOWN, None))
            continue
        out.append(Outcome(label, model.intents[ranked.top], ranked.log_odds))
    return out


def split() -> list[tuple[str, str]]:
    return [pair for path in nlu.CALIBRATION_SPLIT for pair in read_phrases(path)]


def fit(rows: Sequence[Outcome]) -> Calibration:
    """Platt scaling on the outcomes the model scored; the thresholds are the break-even
    points of its costs (dialogs/nlu_calibration.py says why)."""
    slope, intercept = fit_platt([(o.log_odds, o.right) for o in rows if o.log_odds is not None])
    return Calibration(round(slope, 6), round(intercept, 6), break_even(), break_even(CANCEL_COST))


def figures(name: str, phrases: Phrases, cal: Calibration) -> str:
    """One line: ECE of the top intent's probability before and after calibration, and what
    classify() answers with the calibration (accuracy counts "unknown" for [unknown])."""
    rows = outcomes(phrases)
    before = ece([(o.probability(UNCALIBRATED), o.right) for o in rows])
    after = ece([(o.probability(cal), o.right) for o in rows])
    answers = [(label, nlu.classify(text, cal).name) for label, text in phrases]
    right = sum(label == got for label, got in answers)
    wrong = sum(got not in (label, UNKNOWN) for label, got in answers)
    not_understood = sum(got == UNKNOWN != label for label, got in answers)
    return (
        f"{name:>12}: ECE {before:.3f} -> {after:.3f}; accuracy {right / len(answers):.1%} "
        f"({right}/{len(answers)}), wrong answers {wrong}, not understood {not_understood}"
    )


def notes(cal: Calibration) -> list[str]:
    calibration = split()
    return [
        f"fitted on {len(calibration)} phrases; ECE = expected calibration error of the top",
        "intent's probability (10 bins), uncalibrated model -> calibrated:",
        figures("split", calibration, cal).strip(),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    nlu.warm_up()
    cal = fit(outcomes(split()))
    path: Path = nlu.CALIBRATION_FILE
    if args.check:
        stored = read(path)
        if stored != cal:
            print(f"{path.name} is stale: stored {stored}, fit {cal}", file=sys.stderr)
            return 1
        return 0
    path.write_text(render(cal, notes(cal)), encoding="utf-8")
    print(path.read_text(encoding="utf-8"), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
