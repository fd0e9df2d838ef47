"""How many keys a latest-value store holds: one per row of its key entity, every row it will have by the horizon.

No expiry (TTL) is set on these keys (the mechanism overwrites them, the scaffold's ``HSET``
sets none), so the store's memory is sized from all of them at the horizon, never from today's
rows: a growing key entity (a view, a trip, a courier) grows its keys with it.
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns._stores import horizon
from backend_architect.spec.model import Spec
from backend_architect.spec.units import DAYS_PER_YEAR

#: The keys at the horizon: today's rows of the key entity plus those added each year (growing by ``growth``), none expiring.
KEYS_FORMULA = "rows_now + rows_per_day x 365 x sum((1+growth)^k for each year)"


def keys_at_horizon(spec: Spec, analysis: Analysis, entity: str) -> tuple[float, dict[str, float]]:
    """The keys a hash per row of ``entity`` holds at the horizon, with the inputs of ``KEYS_FORMULA``."""
    facts = analysis.entities[entity]
    growth, years = spec.scale.growth_per_year or 0.0, horizon(spec)
    whole = math.floor(years)
    per_year = facts.rows_per_day * DAYS_PER_YEAR
    added = sum(per_year * (1 + growth) ** k for k in range(whole)) + per_year * (1 + growth) ** whole * (years - whole)
    return facts.rows_now + added, {"rows_now": facts.rows_now, "rows_per_day": facts.rows_per_day, "growth": growth, "years": years}


__all__ = ["KEYS_FORMULA", "keys_at_horizon"]
