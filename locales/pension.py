"""The pension estimate (`policy.pension_estimate`) as a message: amounts in whole yuan, always
a range and always labelled an estimate; what was left out is said, one line each.

Shared by the conversation (after the verdict and on request) and `main.py precheck`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from locales import when
from locales.replies import Msg
from policy.pension_estimate import MoneyRange, PensionEstimate


def yuan(amount: Decimal) -> str:
    return str(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _range(key: str, r: MoneyRange) -> Msg:
    return Msg(key, {"low": yuan(r.low), "high": yuan(r.high)})


def estimate_msg(e: PensionEstimate, contribution_months: int, age: tuple[int, int]) -> Msg:
    """The whole estimate: heading, what it rests on, the parts, the total, what is missing."""
    parts: list[Msg] = []
    if e.basic is not None:
        parts.append(_range("pension.basic", e.basic))
    if e.transitional is not None:
        parts.append(_range("pension.transitional", e.transitional))
    if e.account is not None:
        parts.append(Msg("pension.account", {"amount": yuan(e.account)}))
    notes = [
        Msg(f"pension.note.{n}", {"year": e.requested_year, "base_year": e.base_year or ""})
        for n in e.notes
    ]
    basis = Msg(
        "pension.basis" if e.base is not None else "pension.basis_no_base",
        {
            "base_year": e.base_year or "",
            "base": yuan(e.base) if e.base is not None else "",
            "years": Msg(*when.duration(contribution_months)),
            "index_low": str(e.index_low),
            "index_high": str(e.index_high),
            "age": Msg(*when.age(*age)),
            "divisor": f"{e.divisor:g}",
        },
    )
    total = _range("pension.total", e.total) if e.total is not None else Msg("pension.no_total")
    lines = [basis, *parts, total, *notes]
    if e.base_source:
        lines.append(Msg("pension.source", {"source": e.base_source}))
    return Msg("pension.estimate", {"lines": lines})
