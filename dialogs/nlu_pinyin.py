"""Toneless pinyin variants of a Chinese training phrase, made when the classifier is fitted
(`python -m dialogs.nlu_train`): workers who cannot pick the characters type the sounds,
"woyao ban tuixiu", "gongjijin咋取", "zhuan rengong" (issue 13: 7 of the 26 misses of blind4
were pinyin-only lines).

A development tool only, like scikit-learn: pypinyin is a dev dependency and the service never
imports this module. At run time pinyin needs nothing new: its words and the pieces of the
longer ones (dialogs/nlu_model.features) are features like English words, with the weights
these variants taught them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _sounds(word: str) -> str:
    """The syllables of a word run together ("退休" → "tuixiu"); other characters kept."""
    return "".join(lazy_pinyin(word, style=Style.NORMAL))


def variants(text: str, cut: Callable[[str], list[str]]) -> list[str]:
    """The ways a phrase is typed in pinyin, given its words by `cut` (jieba):
    a word at a time ("woyao ban tuixiu"), all run together ("woyaobantuixiu"), and with only
    its longest Chinese word in pinyin among the characters ("gongjijin咋取"). None for a
    phrase without Chinese."""
    words = [w for w in cut(text) if w.strip()]
    if not any(_HAN.search(w) for w in words):
        return []
    spaced = " ".join(_sounds(w) for w in words)
    joined = "".join(_sounds(w) for w in words)
    out = [spaced, joined]
    longest = max((w for w in words if _HAN.fullmatch(w)), key=len, default="")
    if len(longest) >= 2 and len(words) > 1:
        out.append(" ".join(_sounds(w) if w == longest else w for w in words))
    return list(dict.fromkeys(out))
