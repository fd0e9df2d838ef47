"""The writes that invalidate a cached read: every request that changes a row the read returns, counted once."""

from __future__ import annotations

from collections.abc import Iterable

from backend_architect.ir.model import Architecture
from backend_architect.spec.naming import table_name


def invalidating_writes(arch: Architecture, entities: Iterable[str]) -> float:
    """Requests/s at peak that write any of ``entities`` (the rows a read returns: the item, its embedded children, their
    counters and votes), each request counted once however many of those tables it writes.

    A question page embedding answers and comments is stale after a vote on an answer as much as after an edit of the
    question: a hit ratio counting only the item's own table overstates what the cache keeps and understates the deletes
    it takes. A request writing two of the tables (an answer bumping its question's activity) deletes the key once, so
    the union is over the writing use cases of each table's write figure (``qps.peak.write.table.*``), not a sum of tables.
    """
    wanted = {f"qps.peak.write.table.{table_name(e)}" for e in entities}
    writers: dict[str, float] = {}
    plain = 0.0
    for figure in arch.figures:
        if figure.key not in wanted:
            continue
        if figure.inputs:
            writers |= {name: float(value) for name, value in figure.inputs.items()}
        else:
            plain += figure.value
    return sum(writers.values()) + plain


def kept_in_memory(arch: Architecture, writers: Iterable[str]) -> list[str]:
    """The ``writers`` whose write a mechanism keeps out of the database (a latest value in memory: ``database_share`` 0).

    Such a write commits no row and publishes no domain event through the outbox, so no delete of a cached key follows it:
    naming it among a cache's invalidating writes while the hit ratio counts none of it (the table write figures leave it
    out) contradicts the design's own count; the cached answer holds the value for at most its TTL instead.
    """
    kept = {m.use_case for m in arch.mechanisms if m.serves == "write" and m.database_share == 0.0}
    return [w for w in writers if w in kept]


def without_writers(why: str, writers: Iterable[str]) -> str:
    """``why`` (``'its rows are updated ('a' updates x; 'b' updates y)'``) without the changes ``writers`` make.

    >>> without_writers("its rows are updated ('a' updates x; 'b' updates y)", ["b"])
    "its rows are updated ('a' updates x)"
    >>> without_writers("its rows are updated ('b' updates y)", ["b"])
    'its rows are updated'
    """
    head, sep, listed = why.partition(" (")
    if not sep or not listed.endswith(")"):
        return why
    kept = [c for c in listed[:-1].split("; ") if not any(c.startswith(f"'{w}' ") for w in writers)]
    return f"{head} ({'; '.join(kept)})" if kept else head
