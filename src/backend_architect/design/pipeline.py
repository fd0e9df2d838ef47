"""The design process, in order: the spec is analysed once, then each stage is a pure function ``(spec, analysis, arch) -> arch``.

Reading ``STAGES`` tells the whole story: decide the boundaries, lay out the data, index
it for its access patterns, expose it as APIs, connect the services, give the access
patterns beyond lists and lookups their mechanisms (proximity, latest values, real-time
delivery, short keys, media, rankings, series, graph walks: their tables are sized with the
rest), size it, decide what history stays in the database, partition what outgrows one node,
choose the read and write paths (a get answering rows inside its item keeps the item's final shape), cache it,
say how current each read served from an event-fed store is, secure it, place every kind of data in its store,
choose the technology, plan for failure, style each flow by the calls it makes, time each request, stage the growth, drop the alternatives the design
builds all the same, name the bottlenecks, give each database the outbox, processed-events and idempotency tables
its guarantees need, name every table's key in the key record and every copy in the normalization record, trace every stated
input to what it changed, drop a 403 no check answers, and name on each call between services the operation of the callee's contract it calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from backend_architect.design.analysis import Analysis, analyse
from backend_architect.design.api import derive_api
from backend_architect.design.bottlenecks import derive_bottlenecks
from backend_architect.design.boundaries import derive_boundaries
from backend_architect.design.built_alternatives import derive_built_alternatives
from backend_architect.design.callee_operations import derive_call_operations
from backend_architect.design.capacity import derive_capacity
from backend_architect.design.catch_up import with_catch_up_reads
from backend_architect.design.communication import derive_communication
from backend_architect.design.cross_server_keys import derive_today_keys
from backend_architect.design.data import derive_data
from backend_architect.design.data_decisions import derive_key_scope
from backend_architect.design.embeds import derive_views
from backend_architect.design.flow_styles import derive_flow_styles
from backend_architect.design.gateway_routes import with_gateway_routes
from backend_architect.design.held_copies import derive_normalization
from backend_architect.design.indexes import derive_indexes
from backend_architect.design.kept_counters import kept_counters
from backend_architect.design.latency import derive_latency
from backend_architect.design.messaging_tables import derive_messaging_tables
from backend_architect.design.overrides import report, steerable_subjects
from backend_architect.design.partitioning import derive_partitioning
from backend_architect.design.patterns.apply import stage_of
from backend_architect.design.patterns.registry import PATTERNS
from backend_architect.design.promises import promise_warnings
from backend_architect.design.publishers import derive_publishers
from backend_architect.design.reaction_rows import derive_reaction_rows
from backend_architect.design.read_lag import derive_read_consistency
from backend_architect.design.recipient_reads import derive_recipient_reads
from backend_architect.design.redis_sizing import derive_redis_sizing
from backend_architect.design.refused_statuses import derive_refused_statuses
from backend_architect.design.running_alternatives import derive_running_alternatives
from backend_architect.design.security import derive_security
from backend_architect.design.settled_deliveries import derive_settled_deliveries
from backend_architect.design.technology import derive_technology
from backend_architect.design.traceability import derive_traceability
from backend_architect.design.wide_column_notes import derive_wide_column_notes
from backend_architect.ir.model import Architecture
from backend_architect.spec.model import Spec

Stage = Callable[[Spec, Analysis, Architecture], Architecture]

derive_access_paths = stage_of("access_paths", PATTERNS)
derive_read_paths = stage_of("read_paths", PATTERNS)
derive_caching = stage_of("caching", PATTERNS)
derive_write_paths = stage_of("write_paths", PATTERNS)
derive_database_load = stage_of("database", PATTERNS)
derive_edge = stage_of("edge", PATTERNS)
derive_storage = stage_of("storage", PATTERNS)
derive_placement = stage_of("placement", PATTERNS)
derive_availability = stage_of("availability", PATTERNS)
derive_growth = stage_of("growth", PATTERNS)


STAGES: tuple[Stage, ...] = (
    derive_boundaries,
    derive_data,
    derive_indexes,
    derive_api,
    derive_communication,
    derive_reaction_rows,
    derive_access_paths,
    # after the deliveries name each event's recipients, before capacity counts the calls: the reads those ids need
    derive_recipient_reads,
    derive_capacity,
    derive_storage,
    derive_partitioning,
    derive_read_paths,
    derive_caching,
    derive_write_paths,
    # after every mechanism changed an item's read shape: a get answering rows inside its item carries the shape it ended with
    derive_views,
    derive_database_load,
    # after every read mechanism: a read a store fed from change events serves is eventual by its lag in every record
    derive_read_consistency,
    derive_edge,
    derive_security,
    derive_placement,
    # after every mechanism put its work on Redis: one sizing from the sum of their operations and memory
    derive_redis_sizing,
    # after placement: every part the design runs is known, so no record rejects one as a store it would add
    derive_running_alternatives,
    # after the database load (the writes that build a shard map now): a key between a table sharded now and one sharded later
    # is no key today, before the database record says whether foreign keys are enforced
    derive_today_keys,
    # After placement: the cache decision describes the in-memory stores the patterns placed.
    derive_technology,
    derive_availability,
    # after every mechanism rewrote its flows: a flow calling another service within the request is styled so
    derive_flow_styles,
    # after every cache, mechanism, shard and the availability plan: what each request does is decided
    derive_latency,
    derive_growth,
    # after every stage that keys or sizes a table: the wide-column notes state the sizes the shard counts read
    derive_wide_column_notes,
    # after growth: every table is sharded or partitioned as it will be, so no record rejects what is built
    derive_built_alternatives,
    derive_bottlenecks,
    derive_messaging_tables,
    # after the last tables are added: the key record names every table's key
    derive_key_scope,
    # after the last tables and the latency: the normalization record names exactly the copies the DDL holds, each hot join its latency
    derive_normalization,
    # after every stage that draws or rewrites a flow: each event names every write publishing it, which the traces read
    derive_publishers,
    # after the publishers are settled: the broker's deliveries/s count every write publishing each event and every consumer
    derive_settled_deliveries,
    derive_traceability,
    # after every pattern loosened an operation's auth: a 403 no check answers leaves the one status list
    derive_refused_statuses,
    # last: a pattern may rename or reshape an operation (playback takes a video's read), so each step between services names
    # the operation answering it in the finished contracts
    derive_call_operations,
)


#: The last stage that adds an event (the cross-shard write's, in the database stage): the sizing runs up to it.
LAST_ADDING_EVENTS: Stage = derive_database_load
#: Times the sizing runs again with the events it added: a sharding the new outbox rows trigger may add one more write's event.
SIZED_AGAIN = 3


def design(spec: Spec) -> Architecture:
    """Read ``spec`` once, run every stage over it and return the finished architecture."""
    return design_with_analysis(spec)[0]


def design_with_analysis(spec: Spec) -> tuple[Architecture, Analysis]:
    """The finished architecture and the analysis every stage received (its warnings, for the caller to show)."""
    # with a gateway running, a push reaches its connected recipients there: the spec reads as if it said so (one route each)
    spec, routed = with_gateway_routes(spec)
    analysis = analyse(spec)
    # a counter the server keeps is kept by the create of the rows it counts: the spec reads as if that create wrote it
    spec, kept = kept_counters(spec, analysis)
    analysis = analyse(spec) if kept else analysis
    # a push's recipients not connected fetch what they missed: the spec reads as if it listed the catch-up read each lacks
    spec, caught = with_catch_up_reads(spec, analysis)
    analysis = analyse(spec) if caught else analysis
    kept = [*routed, *kept, *caught]
    # a description promising an external call no flow makes is said once, with the design's other warnings
    analysis = replace(analysis, warnings=(*analysis.warnings, *promise_warnings(spec, analysis)))
    arch = Architecture(system=spec.system, description=spec.description or "", assumptions=[*analysis.warnings, *analysis.assumptions, *kept])
    arch = _run(spec, analysis, arch)
    ignored = report(spec, arch, {key: p.code for p in PATTERNS for key in (p.code, p.name)}, steerable_subjects(spec, analysis, arch))
    if ignored:
        arch = arch.model_copy(update={"assumptions": [*arch.assumptions, *ignored]})
    return arch, analysis


def _run(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Every stage in order. Stages after capacity add events: a by-owner lookup the partitioning adds publishes the events
    that feed it (``table_feeds``), a search indexer or a feed takes the change events of the rows it copies, a write whose
    rows land on different shards commits an event its applier consumes (PAT053, in the database stage). Each of those
    events commits an outbox row beside rows capacity, storage and partitioning already sized, and the broker counts it:
    so the stages from capacity through the last one adding events run again from the same inputs with the events known,
    until they add none (``SIZED_AGAIN`` times at most), and every rate and record they state includes them."""
    first, last = STAGES.index(derive_capacity), STAGES.index(LAST_ADDING_EVENTS)
    for stage in STAGES[:first]:
        arch = stage(spec, analysis, arch)
    sized = _sized(spec, analysis, arch)
    for _ in range(SIZED_AGAIN):
        if sized.events == arch.events:
            break
        arch = arch.model_copy(update={"events": sized.events})
        sized = _sized(spec, analysis, arch)
    for stage in STAGES[last + 1 :]:
        sized = stage(spec, analysis, sized)
    return sized


def _sized(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """The stages from capacity through the last one adding events, over ``arch``."""
    for stage in STAGES[STAGES.index(derive_capacity) : STAGES.index(LAST_ADDING_EVENTS) + 1]:
        arch = stage(spec, analysis, arch)
    return arch
