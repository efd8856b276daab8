"""The intent classifier, measured on phrases it never trained on."""

from collections import Counter

import pytest

from dialogs import nlu
from dialogs.nlu_model import read_phrases

TRAINING = [pair for path in nlu.TRAINING_FILES for pair in read_phrases(path)]
HELD_OUT = read_phrases(nlu.HELD_OUT_FILE)
# Never trained on, by other hands than train.txt: the weights never saw it (the calibration
# did: it is part of the calibration split).
BLIND3 = read_phrases(nlu.DATA / "blind3.txt")
# The third part of the calibration split, by yet another hand: never trained on either.
CALIBRATION = read_phrases(nlu.DATA / "calibration.txt")


def test_the_last_blind_set_stays_out_of_the_fit():
    """blind6 was measured once (its header): training on it would make that figure lie."""
    assert nlu.DATA / "blind6.txt" not in nlu.FIT_INPUTS
    assert nlu.DATA / "blind6.txt" not in nlu.CALIBRATION_SPLIT
    assert len(read_phrases(nlu.DATA / "blind6.txt")) == 576


def test_held_out_phrases_are_never_trained_on():
    trained = {text for _, text in TRAINING}
    assert not trained & {text for _, text in HELD_OUT}
    assert not trained & {text for _, text in BLIND3}
    assert not trained & {text for _, text in CALIBRATION}


def test_every_intent_has_training_and_held_out_phrases():
    trained, held = Counter(i for i, _ in TRAINING), Counter(i for i, _ in HELD_OUT)
    for intent in nlu.INTENTS:
        assert trained[intent] >= 20, intent
        assert held[intent] >= 8, intent
    assert set(trained) == set(held) == set(nlu.INTENTS)


@pytest.mark.parametrize(
    ("name", "phrases", "most_wrong"),
    [
        ("held-out", HELD_OUT, 0.03),
        ("blind3", BLIND3, 0.04),
        # Its [unknown] small talk ("你吃饭了吗", "好") is greeting to other hands'
        # phrases (吃了没): 5 wrong in 140, 2 before they were trained on (threshold 0.79).
        ("calibration", CALIBRATION, 0.05),
    ],
)
def test_unseen_phrases_are_answered_right_or_not_at_all(capsys, name, phrases, most_wrong):
    """Right at least 92 % of the time; wrong (an answer to another question) at most 3 % on
    held-out phrases: in doubt the classifier says "unknown" and the bot says it did not
    understand. blind3.txt, by other hands, is harder: 98.2 % right, 3 wrong in 228 (1.3 %),
    where the model of commit 7f1c689 was 85.5 % right and 12 wrong."""
    got = [(i, t, nlu.classify(t).name) for i, t in phrases]
    misses = [(i, t, g) for i, t, g in got if g != i]
    wrong = [(i, t, g) for i, t, g in misses if g != "unknown"]
    accuracy = 1 - len(misses) / len(phrases)
    with capsys.disabled():
        print(
            f"\nNLU {name} accuracy: {accuracy:.1%} ({len(phrases) - len(misses)}"
            f"/{len(phrases)}); wrong answers: {wrong}"
        )
    assert accuracy >= 0.92
    assert len(wrong) <= most_wrong * len(phrases)


@pytest.mark.parametrize("intent", [i for i in nlu.INTENTS if i != "unknown"])
def test_each_intent_is_recognised_on_several_unseen_phrases(intent):
    phrases = [t for i, t in HELD_OUT if i == intent]
    right = [t for t in phrases if nlu.classify(t).name == intent]
    assert len(right) >= 7 and len(right) >= 0.7 * len(phrases), (
        intent,
        set(phrases) - set(right),
    )


@pytest.mark.parametrize(
    "text",
    [
        "今天天气怎么样",
        "明天会不会下雨",
        "推荐几只能涨的股票",
        "帮我订一张去北京的机票",
        "给我讲个笑话",
        "what's the weather like",
        "asdf qwer",
        "😀😀😀",
        "",
        "   ",
        "<script>alert(1)</script>",
    ],
)
def test_out_of_scope_text_is_unknown(text):
    assert nlu.classify(text).name == "unknown"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("住房公积金怎么提取", "housing_fund"),
        ("养老保险手册丢了咋整", "lost_document"),
        ("转人工", "human_agent"),
        ("我要投诉", "complaint"),
        ("病残津贴怎么申请", "early_retirement"),
        ("退修要带啥材料", "materials"),  # typo: 退修 for 退休
    ],
)
def test_plain_questions_and_their_keywords(text, intent):
    result = nlu.classify(text)
    assert result.name == intent
    assert 0.5 <= result.confidence <= 1
    assert result.keywords and all(isinstance(k, str) for k in result.keywords)


def test_keywords_never_carry_personal_data():
    """Only words the model knows are reported back, so an ID or phone number never is."""
    result = nlu.classify("我的身份证号11010519491231002X手机13812345678，办件进度怎么查")
    assert result.name == "progress"
    assert not any(ch.isdigit() for k in result.keywords for ch in k)


def test_a_very_long_message_is_classified_quickly_by_its_start():
    result = nlu.classify("公积金怎么提取" + "啊" * 5000)
    assert result.name == "housing_fund"


def test_confidence_is_between_0_and_1_for_every_held_out_phrase():
    for _, text in HELD_OUT:
        assert 0.0 <= nlu.classify(text).confidence <= 1.0


def test_pinyin_with_tone_numbers_reads_as_without():
    """ "tui4 xiu1" is "tui xiu" (a phone without a Chinese keyboard); a number stays."""
    assert nlu.tokenize("tui4 xiu1 zen3 me ban4") == nlu.tokenize("tui xiu zen me ban")
    assert nlu.classify("gong1 ji1 jin1 ti2 qu3").name == "housing_fund"
    assert "13904771234" in "".join(nlu.tokenize("shouji13904771234"))
