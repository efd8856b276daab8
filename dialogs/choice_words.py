"""The offered choices in the worker's own words: a choice's label, the parts of its label, its
number, and the synonyms kept with it in locales/ (issue 13: choices first).

The words of a choice come from every language's catalog (a worker who chose Chinese may still
type "normal"):

    dialogs.choice.<id>                    the button's label ("正常退休", "工人岗（原50岁退休）")
    dialogs.synonyms.<id>                  "/"-separated words that mean it at any question
    dialogs.synonyms_at.<question>.<id>    words that mean it at one question only ("没改过名"
                                           is "yes" only where the archive name is asked)

Only offered ids are returned, and words that could mean two offered choices mean none: a
re-ask costs one message, a wrong guess a wrong case. Pure: the catalogs are read once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

from dialogs.nlu_numbers import normalise
from dialogs.questions import label_key
from locales import LANGUAGES, catalog

_SPACE_PUNCT = re.compile(r"[\s,.;:!?，。；：！？、…~～\"'“”‘’()（）\[\]【】·\-]+")
# A label's parts: "管理或技术岗（原55岁退休）" → 管理, 技术岗, 原55岁退休.
_LABEL_PARTS = re.compile(r"[()（）、,，/]|或|等|\.\.\.|…")
_QUESTION = re.compile(r"[?？吗]|有没有|是不是|要不要|能不能|怎么|咋|什么|啥|哪|多少|how|what|why")
_NEGATION = "不没未非别无"
_PARTICLES = "啊呀吧呢哦哈啦嘛噢哟的了"
_ORDINAL = re.compile(r"^(?:第|选|选第)?([1-9一二三四五六七八九])(?:个|项|种|条|号)?$")
_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
# Longer than any typed choice ("特殊工种（井下、高温等）" is 10): a sentence is not a choice.
MAX_CONTAINS = 16


def clean(text: str) -> str:
    return _SPACE_PUNCT.sub("", normalise(text))


@cache
def _catalogs() -> tuple[dict[str, str], ...]:
    return tuple(catalog(language) for language in LANGUAGES)


@cache
def words(question: str, choice: str) -> tuple[frozenset[str], frozenset[str]]:
    """(whole words, label texts) of a choice at a question, cleaned. Whole words are the
    label, its parts and the synonyms; label texts are where a typed part is looked for."""
    whole: set[str] = set()
    labels: set[str] = set()
    for cat in _catalogs():
        label = cat.get(label_key(choice, question), "")
        if label and "{" not in label:
            labels.add(clean(label))
            whole.add(clean(label))
            whole.update(clean(p) for p in _LABEL_PARTS.split(normalise(label)))
        for key in (f"dialogs.synonyms.{choice}", f"dialogs.synonyms_at.{question}.{choice}"):
            whole.update(clean(w) for w in cat.get(key, "").split("/"))
    whole.discard("")
    labels.discard("")
    return frozenset(whole), frozenset(labels)


@cache
def _asked(question: str) -> str:
    """The question's own words, in every language, cleaned."""
    return "".join(clean(cat.get(f"dialogs.{question}", "")) for cat in _catalogs())


def _unique(hits: dict[str, int]) -> str | None:
    """The choice with the longest matching word, when no other choice matches as long."""
    if not hits:
        return None
    best = max(hits.values())
    top = [c for c, n in hits.items() if n == best]
    return top[0] if len(top) == 1 else None


def exact(text: str, question: str, offered: Sequence[str]) -> str | None:
    """The offered choice whose id, label, label part or synonym is the whole answer."""
    s = clean(text)
    if not s:
        return None
    for form in dict.fromkeys((s, s.rstrip(_PARTICLES))):
        hits = [c for c in offered if form == c.lower() or form in words(question, c)[0]]
        if len(set(hits)) == 1:
            return hits[0]
    return None


def named(text: str, question: str, choice: str) -> bool:
    """Whether the words are the choice's own id or its whole label ("工人岗（原50岁退休）"):
    chosen plainly. Anything else ("在车间干活" read as 工人岗) was read from free words, and
    the worker is told what was recorded."""
    s = clean(text)
    return s == choice.lower() or s.rstrip(_PARTICLES) in words(question, choice)[1]


def numbered(text: str, offered: Sequence[str]) -> str | None:
    """ "2", "第二个", "选2": the offered choice with that number (as the buttons are listed)."""
    m = _ORDINAL.match(clean(text))
    if m is None:
        return None
    n = int(m[1]) if m[1].isdigit() else _CN_DIGITS[m[1]]
    return offered[n - 1] if 1 <= n <= len(offered) else None


def _negated(s: str, at: int) -> bool:
    return any(s[i] in _NEGATION for i in range(max(at - 2, 0), at))


def contained(text: str, question: str, offered: Sequence[str]) -> str | None:
    """A short answer that contains a choice's word ("我是正常退休的", "干井下的") or is a part of
    its label ("正常" of "正常退休"); never a question, and never a negated word ("不是正常")."""
    s = clean(text)
    if len(s) < 2 or len(s) > MAX_CONTAINS or _QUESTION.search(text.lower()):
        return None
    runs = _latin_runs(text)
    # A part of a label, unless the question itself says it ("退休" at 哪种退休).
    part_of_label = not s.isascii() and s[0] not in _NEGATION and s not in _asked(question)
    hits: dict[str, int] = {}
    for choice in offered:
        whole, labels = words(question, choice)
        for w in whole:
            if len(w) < 2:
                continue
            if w.isascii():  # whole English words only: "no" is not in "I don't know"
                found = w in runs
            elif w[0] in _NEGATION:  # a negative word ("不需要", "没改过名") as it is
                found = w in s
            else:
                at = s.find(w)
                found = at >= 0 and not _negated(s, at)
            if found:
                hits[choice] = max(hits.get(choice, 0), len(w))
        if part_of_label and any(s in label for label in labels):
            hits[choice] = max(hits.get(choice, 0), len(s))
    return _unique(hits)


def _latin_runs(text: str) -> frozenset[str]:
    """Every run of whole Latin words, joined without spaces ("i don't know" → i, idont,
    idontknow, dont, dontknow, know): how cleaned English words are looked for."""
    tokens = re.findall(r"[a-z0-9]+", normalise(text).replace("'", "").replace("’", ""))
    return frozenset(
        "".join(tokens[i:j]) for i in range(len(tokens)) for j in range(i + 1, len(tokens) + 1)
    )


_UNSURE = re.compile(
    r"不知道|不清楚|不记得|记不清|不确定|说不清|不晓得|没印象|notsure|dont?know|donotknow|noidea"
)


def unsure(text: str) -> bool:
    """ "不知道", "I don't know": the worker does not know (an answer where an office can find
    out; never a question for the FAQ, and never "cancel")."""
    return _UNSURE.search(clean(text).replace("'", "").replace("’", "")) is not None


# ---- the answers after the result (dialogs/engine/signing.py, rating.py, online_steps.py) ----
# Their buttons' order means something of its own (typed "5" is "very satisfied", the first
# button), so a typed answer there is read by its synonyms alone: no label parts, no numbers.
# The words live in locales/<language>/aftercare.toml, beside the questions' own texts.


@cache
def synonyms(question: str | None, choice: str) -> frozenset[str]:
    """The words that mean `choice` (at any question, and at `question`), cleaned."""
    keys = [f"dialogs.synonyms.{choice}"]
    if question is not None:
        keys.append(f"dialogs.synonyms_at.{question}.{choice}")
    found = {clean(w) for cat in _catalogs() for key in keys for w in cat.get(key, "").split("/")}
    found.discard("")
    return frozenset(found)


def said(text: str, question: str, offered: Sequence[str]) -> str | None:
    """The offered choice one of whose synonyms is the whole answer; None when none is, or
    when the words could mean two."""
    s = clean(text)
    hits = {c for c in offered if s and s in synonyms(question, c)}
    return hits.pop() if len(hits) == 1 else None


@cache
def _label(key: str) -> frozenset[str]:
    """A button's label in every language, cleaned."""
    return frozenset(clean(cat.get(key, "")) for cat in _catalogs()) - {""}


def labelled(text: str, buttons: Mapping[str, str]) -> str | None:
    """The button (id → its label's key) whose label is the whole answer, or whose Chinese
    label begins with it ("再看一遍" of "再看一遍告知单"); None when none is, or two are."""
    s = clean(text)
    if not s:
        return None
    prefix = len(s) >= 2 and not s.isascii()
    hits = {
        choice
        for choice, key in buttons.items()
        for label in _label(key)
        if label == s or (prefix and label.startswith(s))
    }
    return hits.pop() if len(hits) == 1 else None


def mentioned(text: str, question: str | None, offered: Sequence[str]) -> str | None:
    """The first offered choice (in the order given) one of whose synonyms the message
    contains anywhere ("养老金怎么算的，我觉得少了" mentions an objection)."""
    s = clean(text)
    return next((c for c in offered if any(w in s for w in synonyms(question, c))), None)


# Marks and words of a question or a remark: never someone's name.
_NOT_A_NAME = re.compile(r"[?？，,。！!]|怎么|为什么|什么|吗|看不懂|不懂|多少")


def name_like(text: str) -> bool:
    """Could be someone's name (2-20 characters, nothing asked or remarked)."""
    return 2 <= len(text) <= 20 and _NOT_A_NAME.search(text) is None
