"""A read the spec asks to be strongly consistent is not served from a store that trails the writes."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="DES028",
    name="strong-read-served-late",
    severity=Severity.WARNING,
    title="A read the spec asks to be strongly consistent is served from a store fed asynchronously",
    fix="State the staleness the read tolerates (consistency: eventual, staleness: the lag or more), or serve it from the database "
    "it is written to (PostgreSQL full text under its thresholds, a read by key) and size that database for it.",
)
def strong_read_served_late(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds read flows whose spec states ``consistency: strong`` while the design serves them
    from a store a worker or indexer feeds from change events (a search index, a feed's
    precomputed lists, an analytics copy), which trails the writes by ``lag_seconds``.

    ## Why is this bad?
    The reader was promised every committed write; the index sees it seconds later (the event
    relay plus the engine's refresh, about 2 s for a search index). A design stating both
    misleads whoever implements it or relies on it: a write followed by a search misses its row.

    ## Example
    use_cases: [{name: search tweets, reads: [Tweet], search: [text], rate: 20k/s, consistency: strong}]
    (served by OpenSearch, fed by an indexer: 2 s behind the writes)

    Use instead:
    use_cases: [{name: search tweets, reads: [Tweet], search: [text], rate: 20k/s, consistency: eventual, staleness: 5s}]

    ## References
    OpenSearch documentation, "Refresh" (near real-time search); M. Kleppmann, *Designing
    Data-Intensive Applications*, ch. 11 (derived data is eventually consistent with its source).
    """
    for flow in arch.flows:
        if flow.stated_consistency == "strong" and flow.lag_seconds is not None:
            yield self.finding(
                f"use case '{flow.use_case}'",
                f"'{flow.use_case}' asks for strong consistency, but the store serving it trails the writes by about {flow.lag_seconds:g} s "
                "(fed from change events): its reads are eventual",
            )


__all__ = ["strong_read_served_late"]
