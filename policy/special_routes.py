"""The retirement cases the rules do not decide (POLICY §4): explained, then sent to a person.

Kept apart from the age rules in `policy/retirement.py` because they answer the opposite way:
no month is ever computed for these routes, only an explanation key and the materials worth
bringing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Route = Literal["illness_disability", "special_work_type"]


@dataclass(frozen=True, slots=True)
class NeedsPerson:
    """A case the rules do not decide (§4): explained, then routed to a member of staff.
    Deliberately has no date field: no early date is ever computed for these routes."""

    route: Route
    reason_code: str
    explanation_key: str
    # Materials to collect if the applicant already has them (policy/materials codes).
    collect_if_available: tuple[str, ...] = ()
    needs_person: bool = True


_ROUTES: dict[str, NeedsPerson] = {
    # §4 [C]/[?]: since 2025 the illness/disability allowance replaces early retirement on
    # illness for enterprise employees; its conditions are not confirmed.
    "illness_disability": NeedsPerson(
        route="illness_disability",
        reason_code="illness_disability_allowance",
        explanation_key="retirement.route.illness_disability",
        collect_if_available=("labour_capacity_appraisal",),
    ),
    # §4 [?]: post-2025 ages for special work types are not confirmed.
    "special_work_type": NeedsPerson(
        route="special_work_type",
        reason_code="special_work_type_unconfirmed",
        explanation_key="retirement.route.special_work_type",
    ),
}


def special_route(route: Route) -> NeedsPerson:
    try:
        return _ROUTES[route]
    except KeyError:
        raise ValueError(f"unknown route {route!r}; one of {tuple(_ROUTES)}") from None
