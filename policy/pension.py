"""The pension divisor (计发月数, POLICY §5): the months over which the personal account is
paid out, the one figure a pension estimate needs from policy.

A table of its own, apart from the age rules, because it depends on the age at retirement
only, never on the category or the birth month.
"""

from __future__ import annotations

from itertools import pairwise

# §5 [C]: 计发月数 by whole age, the table annexed to 国发〔2005〕38号 for the ages at which
# people retire here; ages with months interpolate linearly, rounded to 0.1, which matches the
# one official reply found (60y1m -> 138.4, 50y1m -> 194.6).
_DIVISORS: tuple[tuple[int, float], ...] = (
    (50, 195),
    (51, 190),
    (52, 185),
    (53, 180),
    (54, 175),
    (55, 170),
    (56, 164),
    (57, 158),
    (58, 152),
    (59, 145),
    (60, 139),
    (61, 132),
    (62, 125),
    (63, 117),
)


def pension_divisor(years: int, months: int = 0) -> float:
    """Months over which the personal account is paid out (an estimate's divisor), for ages
    50y0m..63y0m; outside that range the table in POLICY.md says nothing, so ValueError."""
    if not 0 <= months <= 11:
        raise ValueError("months must be 0..11")
    age = years * 12 + months
    for (low_age, low), (high_age, high) in pairwise(_DIVISORS):
        if low_age * 12 <= age <= high_age * 12:
            fraction = (age - low_age * 12) / ((high_age - low_age) * 12)
            return round(low + (high - low) * fraction, 1)
    raise ValueError(f"no divisor for age {years}y{months}m (table covers 50y..63y)")
