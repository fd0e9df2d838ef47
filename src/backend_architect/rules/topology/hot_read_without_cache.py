from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule

#: Peak reads per second from which a read path needs a cache (or a CDN) in front of its database.
HOT_READ_QPS = 1_000


@rule(
    code="TOP007",
    name="hot-read-path-without-cache",
    severity=Severity.WARNING,
    title="A hot read path has no cache in front of it",
    fix="Put a cache in front of it (HTTP caching, a CDN or cache-aside with a TTL from the staleness the use case allows), or serve it from replicas.",
)
def hot_read_path_without_cache(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds read use cases with a peak of 1,000 requests a second or more whose caching verdict
    is "none". When the use case allows no staleness the finding is information (read replicas
    are the answer, not a cache); otherwise a cache was left out.

    ## Why is this bad?
    Every one of those reads reaches the primary database: at 1,000 reads a second a
    single PostgreSQL primary spends most of its connection pool and buffer churn on data that
    changes far less often, and one hot key can stall it.

    ## Example
    use_cases:
      - {name: view product, reads: [Product], rate: 2k/s, staleness: 1m}   # designed without a cache

    Use instead:
    use_cases:
      - {name: view product, reads: [Product], rate: 2k/s, staleness: 1m}   # cache-aside, TTL 60 s

    ## References
    Google SRE workbook, "Managing load"; AWS caching best practices (cache-aside).
    """
    peaks = {f.scope: f.value for f in arch.figures if f.key.startswith("qps.peak.") and f.scope.startswith("use case '")}
    for plan in arch.caches:
        peak = peaks.get(f"use case '{plan.use_case}'", 0.0)
        if plan.strategy == "none" and peak >= HOT_READ_QPS:
            found = self.finding(f"use case {plan.use_case}", f"{peak:,.0f} reads/s at peak reach the database with no cache ({plan.rationale})")
            if "no staleness" in plan.rationale:
                # the spec demands fresh reads: a cache is not the answer, read replicas are; worth knowing, not a flaw
                found = dataclasses.replace(found, severity=Severity.INFO, fix="Serve the fresh reads from read replicas, or allow a few seconds of staleness.")
            yield found
