"""Every pattern the design applies, in the order each stage runs them."""

from __future__ import annotations

from backend_architect.design.patterns import Pattern
from backend_architect.design.patterns.analytics import analytics_store
from backend_architect.design.patterns.availability import zones_and_failover
from backend_architect.design.patterns.blobs import blobs_in_object_storage
from backend_architect.design.patterns.bodies import large_bodies
from backend_architect.design.patterns.caching import read_path_cache
from backend_architect.design.patterns.cloud import managed_services
from backend_architect.design.patterns.cross_shard_writes import cross_shard_write
from backend_architect.design.patterns.database_load import database_load
from backend_architect.design.patterns.delivery import external_delivery
from backend_architect.design.patterns.edge import edge
from backend_architect.design.patterns.feed import feed_fan_out
from backend_architect.design.patterns.gateway import realtime_gateway
from backend_architect.design.patterns.geo import proximity
from backend_architect.design.patterns.geo_restriction import geo_restriction
from backend_architect.design.patterns.graph import graph_traversal
from backend_architect.design.patterns.growth import staged_growth
from backend_architect.design.patterns.history import history_tiering
from backend_architect.design.patterns.jobs import batch_jobs
from backend_architect.design.patterns.latest import latest_values
from backend_architect.design.patterns.media import media_pipeline
from backend_architect.design.patterns.messaging import event_transport
from backend_architect.design.patterns.placement import storage_placement
from backend_architect.design.patterns.presence import presence
from backend_architect.design.patterns.ranking import top_k
from backend_architect.design.patterns.rate_limit_state import rate_limit_buckets
from backend_architect.design.patterns.realtime import realtime_delivery
from backend_architect.design.patterns.redundancy import stateful_redundancy
from backend_architect.design.patterns.regions import multi_region
from backend_architect.design.patterns.search import search_index
from backend_architect.design.patterns.search_documents import search_documents
from backend_architect.design.patterns.series import time_series
from backend_architect.design.patterns.short_keys import short_keys
from backend_architect.design.patterns.two_level import two_level_cache
from backend_architect.design.patterns.wide_column import wide_column_store

PATTERNS: tuple[Pattern, ...] = (
    # access paths beyond lists and lookups, before capacity sizes their tables; latest values first
    # (proximity reads where they live), presence before delivery (offline recipients), delivery
    # before the gateway that carries every channel
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
    # storage: before partitioning, so partitions and shards are planned for what stays in the database
    large_bodies,
    # a column store takes the event tables its aggregate reads outgrow, before history decides what stays
    analytics_store,
    # a wide-column store takes the append-mostly tables read by one key's pages that need many primaries
    wide_column_store,
    history_tiering,
    # read paths: what serves each read
    feed_fan_out,
    search_index,
    read_path_cache,
    # an in-process level in front of the shared cache, where the cache plans' hot keys make Redis the cost
    two_level_cache,
    # write paths: jobs, and how events travel (last: earlier patterns add events)
    batch_jobs,
    # the workers delivering events to external systems, before the transport counts its consumers
    external_delivery,
    event_transport,
    # what reaches the databases after all of the above
    database_load,
    cross_shard_write,
    # the edge
    edge,
    # placement: every kind of data in its store
    blobs_in_object_storage,
    # after every read of an item exists (its playback, its download URL) and its caches are planned
    geo_restriction,
    search_documents,
    rate_limit_buckets,
    storage_placement,
    # availability: from the target and the regions, over every part placed above
    zones_and_failover,
    multi_region,
    stateful_redundancy,
    managed_services,
    # growth: last, over the finished figures
    staged_growth,
)


def pattern_by_code(code: str) -> Pattern | None:
    return next((p for p in PATTERNS if p.code == code.upper() or p.name == code), None)
