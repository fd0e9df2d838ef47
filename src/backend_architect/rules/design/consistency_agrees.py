"""What the spec asks to be strongly consistent is: a read is not served from a store that trails the writes, and a write's
rows are not split across shards without saying so."""

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


@rule(
    code="DES030",
    name="strong-write-split-across-shards",
    severity=Severity.WARNING,
    title="A write the spec asks to be strongly consistent commits its rows in separate transactions",
    fix="State that the write is eventual for the other rows (consistency: eventual), or shard the other tables by the own row's key "
    "so the rows share a shard and one transaction (when no hot read filters them by another key).",
)
def strong_write_split(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds writes whose spec states ``consistency: strong`` while the design
    puts their rows on different shards (``Sharding.co_writes`` with a mechanism): the own row
    commits with an outbox event, and a worker applies the other rows later.

    ## Why is this bad?
    The writer was promised that its rows commit together; once they part (now, or at the
    growth stage that shards a table, in months) a reader of the other rows sees the write
    only after the relay's lag (about a second, longer when the applier is behind). A design
    stating both misleads whoever implements or relies on it.

    ## Example
    use_cases: [{name: upload video, writes: [Video, Video.tags], rate: 2k/s, consistency: strong}]
    (videos sharded by id, video_tags by video_id's shard map built a stage later)

    Use instead:
    use_cases: [{name: upload video, writes: [Video, Video.tags], rate: 2k/s, consistency: eventual, staleness: 5s}]

    ## References
    C. Richardson, *Microservices Patterns*, ch. 3-4 (transactional outbox, sagas); Citus documentation, "Co-location".
    """
    # only a consistency the spec states: a write stating none takes what the design gives, which the record says
    stated = {f.use_case for f in arch.flows if f.stated_consistency == "strong"}
    for store in arch.datastores:
        for table in store.tables:
            for write in table.sharding.co_writes if table.sharding else []:
                if write.use_case not in stated or not write.mechanism:
                    continue
                when = "now" if write.since in {"", "now"} else write.since
                yield self.finding(
                    f"use case '{write.use_case}'",
                    f"'{write.use_case}' asks for strong consistency, but its {table.name} row and its {', '.join(write.tables)} rows live on "
                    f"different shards ({when}) and commit in separate transactions: readers of {', '.join(write.tables)} see the write "
                    "after the outbox relay's lag (eventual)",
                )


__all__ = ["strong_read_served_late", "strong_write_split"]
