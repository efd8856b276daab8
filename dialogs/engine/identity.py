"""Consent and identity: the language, the separate consent for sensitive data (POLICY §9),
the name, the ID number and the phone number.

Each `record_*` validates one answer and records it; True means "recorded, move on", False
that it already replied (a hint and the question again, or a different path)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dialogs import answers as read
from dialogs.engine.asking import ask, fail, question_reply
from dialogs.engine.keys import CONSENT_SCOPE, CONSENT_VERSION
from dialogs.engine.turn import Turn
from dialogs.machine import State
from dialogs.state import RecordConsent, SaveIdentity, SetLanguage
from locales.replies import Msg
from policy.idcard import IdNumberError, parse_id_number


def record_language(t: Turn, value: Any) -> bool:
    t.d.language = value
    t.d.answers["language"] = value
    t.do(SetLanguage(value))
    if t.d.resume:  # /language interrupted a question: back to it
        resume = State(t.d.resume)
        t.d.resume = None
        t.say("dialogs.language_set")
        t.jump(resume)
        ask(t)
        return False
    return True


def record_consent(t: Turn, value: Any) -> bool:
    """Agree or decline; "完整说明" shows the whole notice (what each office sees), itself
    the question with the same buttons, so a worker reads it and answers in one place."""
    if value == "full_text":
        short = question_reply(t, "ask_consent")
        answers = tuple(o for o in short.choices if o.id != "full_text")
        t.replies.append(replace(short, message=Msg("dialogs.consent_full"), choices=answers))
        return False
    if value == "decline":
        t.trigger("decline")
        t.say("dialogs.declined")
        return False
    t.d.answers["consent"] = CONSENT_VERSION
    t.do(RecordConsent(CONSENT_VERSION, CONSENT_SCOPE))
    return True


def record_name(t: Turn, value: Any) -> bool:
    name = read.parse_name(value)
    if name is None:
        fail(t, "dialogs.hint.name")
        return False
    t.d.answers["name"] = name
    t.do(SaveIdentity(name=name))
    return True


def record_id_number(t: Turn, value: Any) -> bool:
    """The number goes to the applicant record; answers keep its masked form, birth date and
    sex (which decide the category question and the verdict)."""

    try:
        number = parse_id_number(read.find_id_number(value), today=t.ctx.today)
    except IdNumberError as err:
        if err.length is not None:  # a digit left out or added: say how many came
            fail(t, "idcard.length_typed", length=err.length)
        else:
            fail(t, err.key)
        return False
    old = (t.d.answers.get("id_number") or {}).get("sex")
    t.d.answers["id_number"] = {
        "masked": number.masked,
        "birth_date": number.birth_date.isoformat(),
        "sex": number.sex,
    }
    if number.converted_from_15:
        t.say("idcard.converted_from_15")
    if number.sex == "male":
        t.d.answers["category"] = "male"
    elif old != "female":
        t.d.answers.pop("category", None)
    t.do(SaveIdentity(id_number=number.number))
    return True


def record_phone(t: Turn, value: Any) -> bool:
    phone = read.parse_phone(value)
    if phone is None:
        fail(t, "dialogs.hint.phone")
        return False
    t.d.answers["phone"] = read.mask_phone(phone)
    t.do(SaveIdentity(phone=phone))
    return True
