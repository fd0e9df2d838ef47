"""Every design pattern, in the order the pipeline runs them (per stage)."""

from __future__ import annotations

from backend_architect.design.patterns import Pattern
from backend_architect.design.patterns.feed import feed_fan_out
from backend_architect.design.patterns.gateway import realtime_gateway
from backend_architect.design.patterns.geo import proximity
from backend_architect.design.patterns.graph import graph_traversal
from backend_architect.design.patterns.latest import latest_values
from backend_architect.design.patterns.media import media_pipeline
from backend_architect.design.patterns.presence import presence
from backend_architect.design.patterns.ranking import top_k
from backend_architect.design.patterns.realtime import realtime_delivery
from backend_architect.design.patterns.series import time_series
from backend_architect.design.patterns.short_keys import short_keys

PATTERNS: tuple[Pattern, ...] = (
    feed_fan_out,
    # issue 15: access patterns beyond lists and lookups; latest values first (proximity reads where they live),
    # presence before delivery (offline recipients), delivery before the gateway that carries every channel
    latest_values,
    proximity,
    presence,
    realtime_delivery,
    realtime_gateway,
    short_keys,
    media_pipeline,
    top_k,
    time_series,
    graph_traversal,
)


def pattern_by_code(code: str) -> Pattern | None:
    return next((p for p in PATTERNS if p.code == code.upper() or p.name == code), None)
