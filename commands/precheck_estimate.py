"""The pension estimate of `main.py precheck` (issue 15, 养老金测算): the flags, and the
`estimate` the single pre-check gains when they are given.

The age and year of retirement come from the pre-check itself (the statutory month, or this
month for whoever has passed it); the base figures from SERVICE__PENSION_BASE_FILE or
policy/pension_base.toml. An input the estimate cannot use is an `error` inside `estimate`,
in Chinese: the pre-check's own answer stands.
"""

from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any


def register_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--estimate", action="store_true", help="加上养老金估算（需要 --contribution-months）"
    )
    parser.add_argument("--index", help="平均缴费指数 0.6..3.0（不填按0.6至1.0估算）")
    parser.add_argument("--account-balance", help="个人账户储存额，元（不填则不计个人账户养老金）")
    parser.add_argument("--months-before-1996", help="其中1996年以前的缴费月数（含视同缴费）")


def wanted(args: argparse.Namespace) -> bool:
    return bool(
        getattr(args, "estimate", False)
        or getattr(args, "index", None) is not None
        or getattr(args, "account_balance", None) is not None
        or getattr(args, "months_before_1996", None) is not None
    )


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    value = Decimal(text.strip())
    if not value.is_finite() or value < 0:
        raise InvalidOperation(text)
    return value


def attach(result: dict[str, Any], args: argparse.Namespace, today: date) -> str | None:
    """Add `estimate` to a valid single result; return its text for the text mode."""
    # Imported here: every command's parser registers the flags above, only this needs these.
    from app.settings import load_settings
    from locales import Translator
    from locales.pension import estimate_msg
    from locales.replies import render
    from policy.pension_base import load_base_table
    from policy.pension_estimate import EstimateInputs, estimate, retirement_point
    from policy.year_month import YearMonth

    t = Translator("zh_CN")
    if not result.get("valid") or result.get("statutory_retirement_month") is None:
        result["estimate"] = {"error": t("pension.needs_birth")}
        return None
    if args.contribution_months is None:
        result["estimate"] = {"error": t("pension.needs_contribution")}
        return result["estimate"]["error"]
    try:
        months = int(args.contribution_months)
        index, balance = _decimal(args.index), _decimal(args.account_balance)
        early = int(args.months_before_1996 or 0)
    except (ValueError, InvalidOperation):
        result["estimate"] = {"error": t("pension.bad_index")}
        return result["estimate"]["error"]
    birth = YearMonth.parse(result["birth_date"][:7])
    statutory = YearMonth.parse(result["statutory_retirement_month"])
    years, extra, year = retirement_point(birth, statutory, YearMonth.of(today))
    inputs = EstimateInputs(
        months,
        index,
        account_balance=balance,
        age_years=years,
        age_months=extra,
        retirement_year=year,
        months_before_1996=early,
    )
    path = load_settings().service.pension_base_file
    try:
        outcome = estimate(inputs, load_base_table(path))
    except ValueError as error:
        why = str(error)
        key = "bad_index" if "index" in why else "bad_1996" if "1996" in why else "out_of_table"
        key = f"pension.{key}"
        result["estimate"] = {"error": t(key)}
        return result["estimate"]["error"]
    result["estimate"] = outcome.to_dict()
    return render(estimate_msg(outcome, months, (years, extra)), t)
