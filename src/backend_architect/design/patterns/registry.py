"""Every design pattern, in the order the pipeline runs them (per stage)."""

from __future__ import annotations

from backend_architect.design.patterns import Pattern
from backend_architect.design.patterns.caching import read_path_cache
from backend_architect.design.patterns.database_load import database_load
from backend_architect.design.patterns.feed import feed_fan_out

PATTERNS: tuple[Pattern, ...] = (
    feed_fan_out,
    read_path_cache,
    database_load,
)


def pattern_by_code(code: str) -> Pattern | None:
    return next((p for p in PATTERNS if p.code == code.upper() or p.name == code), None)
