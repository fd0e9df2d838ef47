"""The reads an in-memory store answers from data the database cannot answer them from: they fail with the store.

Private to the failure table and the cold-cache storm. A read model in memory (a GEO set, a hash of latest values, presence
keys, a ranking's sorted sets) answers its read whole (its read mechanism sends the database no share of it). Whether the
database can take that read back when the store is lost depends on where the data lives, not on the store: a feed's lists
name a miss path that rebuilds a list from the rows (``CachePlan.protection``), so its reads fall back to the database like a
cache-aside read's misses; a value written only to memory (PAT020's positions, PAT022's heartbeats) or a structure with no
miss path (a ranking's counts, a GEO set the database keeps no index for) has no such path. Counting those reads as a load
the database would take (uber, run 20: "losing it sends drivers-db the 24,306 reads/s", for positions the database does not
hold) contradicts the decision that kept them in memory.
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture


def memory_only(arch: Architecture) -> dict[str, str]:
    """The reads an in-memory store answers with no path to the database, each with what losing the store does to it.

    Two kinds qualify. A read of values a write keeps only in that store (a write mechanism there with ``database_share`` 0
    on the read's entities: positions, latest readings), whatever else it reads from the database, since the database
    never sees those values; the writes that keep them there refill them. And a read model with no miss path (its plan
    names no ``protection``) answered whole by a store (its read mechanism's ``database_share`` 0): a ranking's counts, a
    GEO set the database keeps no index for.
    """
    # a durable store answering whole (a wide-column store, a column store) is a system of record, not memory
    memory = {c.name for c in arch.components if c.kind in {"cache", "key-value"}}
    kept: dict[tuple[str, str], list[str]] = {}
    for m in arch.mechanisms:
        if m.serves == "write" and m.database_share == 0 and m.store in memory:
            for entity in m.entities:
                kept.setdefault((m.store, entity), []).append(m.use_case)
    plans = {c.use_case: c for c in arch.caches}
    found: dict[str, str] = {}
    for m in arch.mechanisms:
        if m.serves != "read" or m.store not in memory or m.use_case in found:
            continue
        writers = list(dict.fromkeys(w for e in m.entities for w in kept.get((m.store, e), [])))
        plan = plans.get(m.use_case)
        if writers:
            named = ", ".join(repr(w) for w in writers)
            found[m.use_case] = (
                f"the {', '.join(m.entities)} values it returns live only in {m.store} ({named} writes them there, never to the database), "
                f"so nothing falls back: the read fails until the store is back and the next {named} writes refill them"
            )
        elif plan is not None and plan.strategy == "read-model" and not plan.protection and m.database_share == 0:
            found[m.use_case] = (
                f"its answer lives only in {m.store} (the database keeps no copy or index this read could be answered from), so nothing falls back: "
                "the read fails until the store is back and its read model is rebuilt"
            )
    return found


__all__ = ["memory_only"]
