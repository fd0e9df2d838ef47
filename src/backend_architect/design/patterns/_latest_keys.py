"""How many keys a latest-value store holds: one per row of its key entity, every row it will have by the horizon.

A key lives as long as its row. Without a stated retention nothing expires (the mechanism
overwrites keys), so the store's memory is sized from every row at the horizon, never from
today's rows: a growing key entity (a trip, a courier) grows its keys with it. A key entity
with a retention shorter than the horizon (views kept 90 days) has its keys expire with their
rows (``EXPIRE key <retention> NX`` at the first write): the store holds the rows of one
retention at the horizon's daily rate.
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns._stores import horizon
from backend_architect.spec.model import Spec
from backend_architect.spec.units import DAYS_PER_YEAR, SECONDS_PER_DAY

#: The keys at the horizon: today's rows of the key entity plus those added each year (growing by ``growth``), none expiring.
KEYS_FORMULA = "rows_now + rows_per_day x 365 x sum((1+growth)^k for each year)"


#: The keys at the horizon when they expire with their rows: one retention's rows at the horizon's daily rate.
KEPT_KEYS_FORMULA = "rows_per_day x (1+growth)^years x retention_days"


def key_expiry_s(spec: Spec, entity: str) -> float | None:
    """Seconds a key of ``entity``'s row lives: its stated retention when shorter than the horizon, else None (no expiry)."""
    body = spec.entities.get(entity)
    retention = body.retention if body is not None else None
    return retention if retention is not None and retention < horizon(spec) * DAYS_PER_YEAR * SECONDS_PER_DAY else None


def keys_at_horizon(spec: Spec, analysis: Analysis, entity: str, expiring: bool = True) -> tuple[float, str, dict[str, float]]:
    """The keys a hash per row of ``entity`` holds at the horizon, with the formula that counts them and its inputs.

    ``expiring=False`` for members of one set (a GEO set), which cannot expire one by one.
    """
    facts = analysis.entities[entity]
    growth, years = spec.scale.growth_per_year or 0.0, horizon(spec)
    whole = math.floor(years)
    per_year = facts.rows_per_day * DAYS_PER_YEAR
    added = sum(per_year * (1 + growth) ** k for k in range(whole)) + per_year * (1 + growth) ** whole * (years - whole)
    every = facts.rows_now + added
    expiry = key_expiry_s(spec, entity) if expiring else None
    if expiry is not None and facts.rows_per_day > 0:
        days = expiry / SECONDS_PER_DAY
        kept = facts.rows_per_day * (1 + growth) ** years * days
        if kept < every:
            return kept, KEPT_KEYS_FORMULA, {"rows_per_day": facts.rows_per_day, "growth": growth, "years": years, "retention_days": days}
    return every, KEYS_FORMULA, {"rows_now": facts.rows_now, "rows_per_day": facts.rows_per_day, "growth": growth, "years": years}


__all__ = ["KEPT_KEYS_FORMULA", "KEYS_FORMULA", "key_expiry_s", "keys_at_horizon"]
