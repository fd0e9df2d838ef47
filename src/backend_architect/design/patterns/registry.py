"""Every design pattern, in the order the pipeline runs them (per stage)."""

from __future__ import annotations

from backend_architect.design.patterns import Pattern
from backend_architect.design.patterns.feed import feed_fan_out

PATTERNS: tuple[Pattern, ...] = (feed_fan_out,)


def pattern_by_code(code: str) -> Pattern | None:
    return next((p for p in PATTERNS if p.code == code.upper() or p.name == code), None)
