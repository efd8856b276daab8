"""At a question: choices first, then numbers, then the intent classifier; and the FAQ."""

from dialogs.nlu import INTENTS, Intent, Understanding, faq_key, understand
from locales import catalog


def test_a_choice_wins_over_everything_else():
    assert understand("丢了", ("have", "lost")) == Understanding("choice", choice="lost")


def test_a_number_comes_next():
    assert understand("十五", ("yes", "no")) == Understanding("number", number=15)
    assert understand("２３") == Understanding("number", number=23)


def test_otherwise_the_intent_of_a_question():
    result = understand("要带什么材料", ("have", "lost"))
    assert result.kind == "intent"
    assert isinstance(result.intent, Intent) and result.intent.name == "materials"


def test_every_intent_has_an_answer_in_every_language():
    for language in ("zh_CN", "en"):
        texts = catalog(language)
        for intent in INTENTS:
            assert texts[faq_key(intent)].strip(), (language, intent)


def test_faq_answers_say_what_the_domain_says():
    zh = catalog("zh_CN")
    assert all(
        m in zh["faq.materials"] for m in ("申请表", "身份证", "社保卡", "户口簿", "退伍证")
    )
    assert "2小时" in zh["faq.duration"] and "5个工作日" in zh["faq.duration"]
    assert "5个工作日" in zh["faq.medical_insurance"]
    assert "网上" in zh["faq.housing_fund"]
    assert (
        "估算" in zh["faq.pension_amount"] and "就业和社会保险事业中心" in zh["faq.pension_amount"]
    )
    assert "病残津贴" in zh["faq.early_retirement"] and "工作人员" in zh["faq.early_retirement"]
    assert "底卡" in zh["faq.lost_document"] and "社保中心" in zh["faq.lost_document"]
    assert "蒙速办·一次办" in zh["faq.office_info"] and "政务服务中心" in zh["faq.office_info"]
    assert "仅供参考" in zh["faq.eligibility"]


def test_faq_key_of_an_intent_object_or_name():
    assert faq_key(Intent("materials", 0.9)) == faq_key("materials") == "faq.materials"
