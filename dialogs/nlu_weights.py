"""The intent classifier's weights: a multinomial logistic regression fitted offline by
`python -m dialogs.nlu_train` (scikit-learn, a development dependency) and kept in
dialogs/nlu_data/weights.tsv, read here in pure Python.

Why not fit at start-up: importing scikit-learn costs ~3 s and ~120 MiB in every process that
answers a message, for a fit whose result only changes when train.txt does. The file records a
fingerprint of the texts it was fitted on; tests/nlu/test_calibration.py fails when they
changed since.

Format, one line each: `# fingerprint <sha256>`, `intents<TAB>a b c…`, `bias<TAB>w w w…`, then
`<feature><TAB>w w w…` in the intents' order (features never hold a tab: they are words).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Weights:
    intents: tuple[str, ...]
    bias: tuple[float, ...]
    table: dict[str, list[float]]  # feature -> its weight for each intent
    fingerprint: str


def fingerprint(paths: Iterable[Path]) -> str:
    """sha256 over the texts that decide the fit (phrases, typos, jieba's dictionary)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read(path: Path) -> Weights:
    lines = path.read_text(encoding="utf-8").splitlines()
    mark = lines[0].removeprefix("# fingerprint ").strip()
    intents = tuple(lines[1].split("\t")[1].split())
    bias = tuple(float(w) for w in lines[2].split("\t")[1].split())
    table: dict[str, list[float]] = {}
    for line in lines[3:]:
        feature, weights = line.split("\t")
        table[feature] = [float(w) for w in weights.split()]
    if len(bias) != len(intents) or any(len(w) != len(intents) for w in table.values()):
        raise ValueError(f"{path.name}: rows do not match the {len(intents)} intents")
    return Weights(intents, bias, table, mark)


def render(
    intents: Sequence[str],
    bias: Sequence[float],
    rows: Iterable[tuple[str, Sequence[float]]],
    mark: str,
) -> str:
    def numbers(ws: Sequence[float]) -> str:
        return " ".join(f"{w:.4g}" for w in ws)

    lines = [f"# fingerprint {mark}", "intents\t" + " ".join(intents), "bias\t" + numbers(bias)]
    lines += [f"{feature}\t{numbers(ws)}" for feature, ws in sorted(rows)]
    return "\n".join(lines) + "\n"
