"""Typed answers to offered choices: "有" → have, "丢了" → lost, "不是" → no, "工人" → …

Only ids among the offered ones are returned, and an answer that could mean two offered
choices is no answer (None): re-asking costs one message, a wrong guess costs a wrong case.
Digits are never choices here: the channel maps "1", "2" to its numbered buttons itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dialogs.nlu_numbers import normalise

# Whole answers, after normalising and removing spaces and punctuation, "/"-separated. Each
# row maps to the ids its words can mean, depending on the question; the offered ones decide.
_TABLE: tuple[tuple[tuple[str, ...], str], ...] = (
    (("have", "yes"), "有/有的/有啊/有呀/有呢/在/在的/还在/还有/都有/我有/有了/带了/有这个/"
                      "还留着/留着呢/i have/have/have it"),
    (("lost",), "丢了/丢/丢失/丢失了/遗失/遗失了/找不到/找不到了/找不着/找不着了/弄丢了/不见了/"
                "lost/i lost it"),
    (("lost", "done"), "没了"),
    (("lost", "no"), "不在了"),
    (("no", "done"), "没有/没有的/无"),
    (("no", "decline"), "不/否"),
    (("no",), "没交过/没缴过/没/不是/不是的/不对/没有过/从来没有/没当过/没当过兵/没补缴过/没补过/"
              "没补缴/没单位/没有单位/no/n/nope/not"),
    (("yes",), "是/是的/对/对的/嗯/嗯嗯/恩/没错/是啊/对啊/是呀/当过/当过兵/是退伍军人/交过/缴过/"
               "补缴过/补过/有单位/yes/y/yeah/yep"),
    (("agree", "yes"), "同意/我同意/好的/好/可以/行/愿意/接受/没问题/ok/okay/sure/agree/i agree"),
    (("decline", "no"), "不同意/我不同意/拒绝/不愿意/不接受/不授权/不行/不可以/不要/decline/"
                        "disagree/refuse"),
    (("male",), "男/男的/男性/男士/男职工/我是男的/男同志/male/man"),
    (("female_cadre",), "干部/管理岗/技术岗/管理岗位/技术岗位/专业技术岗/女干部/管理人员/技术人员/"
                        "干部岗/cadre"),
    (("female_worker",), "工人/工人岗/工人岗位/女工人/普通工人/生产岗/一线工人/女工/worker"),
    (("later",), "以后再说/稍后/稍后再传/等会/等会儿/等一会/待会/待会儿/一会儿/以后/下次/回头再说/"
                 "晚点/晚点再传/过会儿/明天再传/先不传/暂时没有/later"),
    (("done",), "好了/好啦/传完了/没有了/完了/就这些/完成/上传完了/拍完了/都传了/就这么多/"
                "没别的了/齐了/拍好了/传好了/发好了/发完了/弄好了/都拍了/都发了/done/finished"),
    (("submit",), "提交/确认提交/提交吧/提交申请/交吧/submit"),
    (("edit",), "修改/改/改一下/更正/我要改/要改/改改/修改一下/编辑/edit"),
    # "person": the hand-over choice that the conversation adds after repeated failures.
    (("person",), "转人工/人工/人工客服/找人工/转人工客服/找工作人员/工作人员/真人/human/person/"
                  "agent/talk to a person"),
    (("zh_CN",), "中文/汉语/简体中文/普通话/chinese/zh/zh_cn"),
    (("en",), "english/英文/英语/en"),
)  # fmt: skip
_EXACT: dict[str, tuple[str, ...]] = {
    word.replace(" ", ""): ids for ids, words in _TABLE for word in words.split("/")
}

# Matched on the answer without spaces and punctuation ("don't know" → "dontknow").
_UNSURE = re.compile(
    r"不知道|不清楚|不记得|记不清|不确定|说不清|不晓得|notsure|dont?know|donotknow"
)
# A question is no answer: "附近哪里有超市" is not "yes, I have".
_QUESTION = re.compile(r"[?？吗]|有没有|是不是|要不要|能不能|怎么|咋|什么|啥|哪|多少|为什么|为啥")
_SPACE_PUNCT = re.compile(r"[\s,.;:!?，。；：！？、…~～\"'“”‘’()（）\[\]【】]+")
_PARTICLES = "啊呀吧呢哦哈啦嘛噢哟"
_NEGATION = re.compile(r"[没不无否未]")

# "明天再拍", "改天再传", "先不拍了", "现在没带": the worker will come back to it.
_LATER = re.compile(
    r"以后再|稍后|待会|等会|回头再|晚点"
    r"|(?:明天|明儿|改天|过两天|下次|回头|晚上|后天|下午)再?(?:拍|传|发|照|弄|上传)"
    r"|先不(?:拍|传|发|弄)|(?:现在|今天)?(?:没带|不在身边|不在手边|找不全)"
)
# "明天再拍行吗": asking leave to come back later is saying so, not a question to answer.
_MAY_I = re.compile(r"(?:行吗|行不行|行不|可以吗|可不可以|好吗|好不好|成吗|中不中|能行吗)$")
_MAX_LATER_LENGTH = 24  # "社保卡在老伴那明天再拍行吗": the reason may come with it

# Short sentences ("手册丢了", "我是工人") by what they contain; used only when no exact
# answer matched, the text is short and is not itself a question.
_CONTAINS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"丢|遗失|找不到|找不着|不见了"), ("lost",)),
    (re.compile(r"不同意|拒绝|不授权"), ("decline",)),
    (re.compile(r"(?<!不)同意"), ("agree",)),
    (_LATER, ("later",)),
    (re.compile(r"(?<![没未])(?:传完|拍完|发完|上传完|都传了|拍好|传好|发好)"), ("done",)),
    (re.compile(r"提交"), ("submit",)),
    (re.compile(r"修改|改一下|更正"), ("edit",)),
    (re.compile(r"男"), ("male",)),
    (re.compile(r"干部|管理岗|技术岗|专业技术"), ("female_cadre",)),
    (re.compile(r"工人"), ("female_worker",)),
)
_MAX_CONTAINS_LENGTH = 12
# "一样", "不一致": an answer to whether two things match, which only the archive-name question
# asks (its words are in locales/, dialogs.synonyms_at). Anywhere else it is a late answer to
# that question, or to none: never a yes or no to the question now open.
_SAMENESS = re.compile(r"一样|一致|相同")
# At the language question a sentence in Chinese characters ("你好", "我要办退休") is itself
# the answer: the worker writes Chinese. Unless it asks for English ("要英文的").
_LANGUAGES = {"zh_CN", "en"}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ASKS_ENGLISH = re.compile(r"英文|英语")


def _clean(text: str) -> str:
    return _SPACE_PUNCT.sub("", normalise(text))


def _pick(candidates: Sequence[str], offered: Sequence[str]) -> str | None:
    hits = [c for c in dict.fromkeys(candidates) if c in offered]
    return hits[0] if len(hits) == 1 else None


def _leave_for_later(s: str) -> bool:
    """ "明天再拍行吗": a later upload, asked leave for (cleaned words)."""
    said = s.rstrip(_PARTICLES)
    leave = _MAY_I.sub("", said)
    return leave != said and len(s) <= _MAX_LATER_LENGTH and _LATER.search(leave) is not None


def interpret_choice(text: str, choice_ids: Sequence[str]) -> str | None:
    """The offered choice id that a typed answer means, or None when it means none (or two)."""
    if not choice_ids:
        return None
    s = _clean(text)
    if not s or s.isdigit():
        return None
    by_lower = {cid.lower(): cid for cid in choice_ids}
    if s in by_lower:
        return by_lower[s]
    if _UNSURE.search(s):
        return by_lower.get("unknown")
    for form in (s, s.rstrip(_PARTICLES), s.removeprefix("我").rstrip(_PARTICLES)):
        if form in _EXACT:
            return _pick(_EXACT[form], choice_ids)
    if set(choice_ids) >= _LANGUAGES and _HAN.search(s):
        return "en" if _ASKS_ENGLISH.search(s) else "zh_CN"
    if _leave_for_later(s):
        return _pick(["later"], choice_ids)
    return _contained(s, choice_ids)


def _contained(s: str, choice_ids: Sequence[str]) -> str | None:
    """A short answer that is no question, by the words it contains."""
    if len(s) > _MAX_CONTAINS_LENGTH or _QUESTION.search(s) or _SAMENESS.search(s):
        return None
    candidates = [cid for pattern, ids in _CONTAINS if pattern.search(s) for cid in ids]
    if not candidates:
        # "我没交过养老保险" → no; "手册还在", "我有" → have/yes.
        if _NEGATION.search(s):
            candidates = ["no"]
        elif re.search(r"有|还在|当过|交过|缴过", s):
            candidates = ["have", "yes"]
    return _pick(candidates, choice_ids)
