"""养老金测算 in the conversation (issue 15): offered after the pre-check verdict, given on
request ("我能领多少养老金", "养老金测算", "测算 指数1.2 余额80000") in any state, the case
closed included.

From the worker's answers (birth month, category, contribution years) and what the request
itself says (index, balance, years); the base figures are the context's (SERVICE__PENSION_BASE_
FILE). Always a range labelled 估算，以社保经办机构核定为准 (locales/pension.py).
"""

from __future__ import annotations

import re
from decimal import Decimal

from dialogs.engine.facts import assessment
from dialogs.engine.turn import Turn
from dialogs.events import Event, Text
from dialogs.machine import State
from locales.pension import estimate_msg
from locales.replies import Msg, Reply
from policy.pension_base import BaseTable
from policy.pension_estimate import EstimateInputs, estimate, retirement_point
from policy.year_month import YearMonth

S = State
# Questions whose typed answer is free text: a name may be anything.
_FREE_TEXT = frozenset({S.ask_name, S.ask_signature_name, S.ask_rating_comment})
_ASKED = re.compile(r"^\s*(养老金)?(测算|估算)|^\s*(pension\s+)?estimate\b", re.IGNORECASE)
# "养老金什么时候开始发", "每月几号发": when it is paid, not how much (the classifier puts both
# under pension_amount); a sentence that also asks how much gets the estimate.
_WHEN = re.compile(r"什么时候|啥时候|几时|何时|哪天|几号|哪个月|几月份?开始|从几月|\bwhen\b", re.I)
_HOW_MUCH = re.compile(r"多少|几千|金额|标准|怎么算|\bhow much\b", re.IGNORECASE)
_NUMBER = r"(\d+(?:\.\d+)?)"
_INDEX = re.compile(rf"(?:指数|index)\s*[:：]?\s*{_NUMBER}", re.IGNORECASE)
_BALANCE = re.compile(rf"(?:余额|balance)\s*[:：]?\s*{_NUMBER}\s*(万)?", re.IGNORECASE)
_YEARS = re.compile(rf"(?:缴费\s*)?{_NUMBER}\s*(?:年|years?\b)", re.IGNORECASE)


def asked(state: State, event: Event) -> bool:
    """A message that asks for the estimate in so many words ("测算 …", "养老金测算")."""
    return (
        isinstance(event, Text)
        and state not in _FREE_TEXT
        and _ASKED.match(event.text) is not None
    )


def asks_when(text: str) -> bool:
    """Whether a question about the pension asks when it is paid, and not how much."""
    return _WHEN.search(text) is not None and _HOW_MUCH.search(text) is None


def _said(text: str) -> tuple[Decimal | None, Decimal | None, int | None]:
    """(index, balance, contribution months) the request itself gives, each None if not."""
    found = _INDEX.search(text)
    index = Decimal(found.group(1)) if found else None
    found = _BALANCE.search(_INDEX.sub("", text))
    balance = None
    if found:
        balance = Decimal(found.group(1)) * (10000 if found.group(2) else 1)
    found = _YEARS.search(_BALANCE.sub("", _INDEX.sub("", text)))
    months = round(Decimal(found.group(1)) * 12) if found else None
    return index, balance, months


def answer(t: Turn, text: str) -> bool:
    """The estimate for this worker (True), or what it still needs (False). Once the office
    has approved the pension, the approved figure instead: an estimate is no longer news."""
    approved = t.ctx.result.monthly_pension if t.ctx.result is not None else None
    if approved is not None:
        t.say("pension.approved", amount=f"{approved:,.2f}")
        return True
    index, balance, months = _said(text)
    if months is None:
        months = t.d.answers.get("contribution_months")
    a = assessment(t.d, t.ctx)
    if a is None:
        t.say("pension.needs_birth")
        return False
    if not isinstance(months, int) or months <= 0:
        t.say("pension.needs_contribution")
        return False
    birth = YearMonth.parse(str(t.d.answers["id_number"]["birth_date"])[:7])
    years, extra, year = retirement_point(
        birth, a.statutory_retirement_month, YearMonth.of(t.ctx.today)
    )
    inputs = EstimateInputs(
        months,
        index,
        account_balance=balance,
        age_years=years,
        age_months=extra,
        retirement_year=year,
    )
    try:
        outcome = estimate(inputs, t.ctx.pension_base)
    except ValueError as error:
        t.say("pension.bad_index" if "index" in str(error) else "pension.out_of_table")
        return False
    t.replies.append(Reply(estimate_msg(outcome, months, (years, extra))))
    if index is None or balance is None:
        t.say("pension.how_finer")
    return True


def offer(table: BaseTable) -> list[Msg]:
    """The line after the verdict that says the estimate is there for the asking; none while
    no base figure is on file (the estimate would only say it cannot give a total)."""
    return [Msg("pension.offer")] if table.bases else []
