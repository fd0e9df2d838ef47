"""Every design pattern, in the order the pipeline runs them (per stage)."""

from __future__ import annotations

from backend_architect.design.patterns import Pattern
from backend_architect.design.patterns.blobs import object_storage
from backend_architect.design.patterns.caching import read_path_cache
from backend_architect.design.patterns.database_load import database_load
from backend_architect.design.patterns.edge import edge
from backend_architect.design.patterns.feed import feed_fan_out
from backend_architect.design.patterns.jobs import batch_jobs
from backend_architect.design.patterns.messaging import event_transport
from backend_architect.design.patterns.search import search_index

PATTERNS: tuple[Pattern, ...] = (
    # read paths: what serves each read
    feed_fan_out,
    search_index,
    read_path_cache,
    # write paths: jobs, blobs, and how events travel (last: earlier patterns add events)
    batch_jobs,
    object_storage,
    event_transport,
    # what reaches the databases after all of the above
    database_load,
    # the edge
    edge,
)


def pattern_by_code(code: str) -> Pattern | None:
    return next((p for p in PATTERNS if p.code == code.upper() or p.name == code), None)
