from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="TOP007",
    name="hot-read-path-without-cache",
    severity=Severity.WARNING,
    title="Reads past what their database serves, with nothing in front",
    fix="Put a cache in front of the hot paths (HTTP caching, a CDN or cache-aside with a TTL from the staleness they allow), "
    "serve them from a read model, or add the read replicas the figures call for.",
)
def hot_read_path_without_cache(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Compares the reads that reach each database after caches and read models
    (``db.reads.peak.<db>``) with what that database serves with its replicas
    (``db.read_capacity.<db>``). Past it, every uncached read path of that database is a
    finding (an error when that one path alone passes the capacity); within it, an uncached
    hot path is no flaw at all: a database serves thousands of indexed reads a second.

    ## Why is this bad?
    Reads past a node's capacity queue on its connections and buffers: latency climbs for
    every path on that database, not only the hot one.

    ## Example
    use_cases:
      - {name: view product, reads: [Product], rate: 30k/s, cache: false}   # 90k reads/s at peak, one primary

    Use instead:
    use_cases:
      - {name: view product, reads: [Product], rate: 30k/s, staleness: 1m}   # cache-aside, TTL 60 s

    ## References
    Google SRE workbook, "Managing load"; AWS caching best practices (cache-aside).
    """
    figures = {f.key: f for f in arch.figures}
    for key, reads in figures.items():
        if not key.startswith("db.reads.peak."):
            continue
        db = key.removeprefix("db.reads.peak.")
        capacity = figures.get(f"db.read_capacity.{db}")
        if capacity is None or reads.value <= capacity.value:
            continue
        plans = {c.use_case: c for c in arch.caches}
        for name, peak in sorted(reads.inputs.items(), key=lambda item: -item[1]):
            use_case = next((p for p in plans if f"peak_{_slug(p)}" == name), None)
            if use_case is None or plans[use_case].strategy not in {"none", "http"}:
                continue
            found = self.finding(
                f"use case {use_case}",
                f"{peak:,.0f} reads/s reach {db} with no cache or read model ({plans[use_case].rationale}); {db} takes {reads.value:,.0f} reads/s "
                f"at peak against the {capacity.value:,.0f} it serves",
            )
            # one path alone past the capacity cannot be fixed by replicas sized for the rest
            yield dataclasses.replace(found, severity=Severity.ERROR) if peak > capacity.value else found


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
