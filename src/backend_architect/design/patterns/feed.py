"""PAT001: a feed of many authors' items, precomputed per reader when merging at read time costs too much."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis, FieldRef, UseCase
from backend_architect.design.event_fields import with_fields, written_row
from backend_architect.design.graph_reads import graph_flow, graph_load, graph_read, graph_reads
from backend_architect.design.key_reads import keys_read_said
from backend_architect.design.overrides import forced, matches, override_for, overruled
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import (
    PRIMARY_READ_CEILING,
    decision,
    figure,
    fmt,
    owner_of,
    redis_shards,
    redis_share,
    size,
    writers,
)
from backend_architect.design.patterns._fanout_path import fanout_flow
from backend_architect.design.patterns._item_cache import ItemCache, item_cache
from backend_architect.design.patterns._large_sources import count_reads, count_writes, followed_rows, large_sources
from backend_architect.design.relay import RELAY_INPUT, RELAY_S
from backend_architect.design.row_address import ROW_ID
from backend_architect.design.row_fates import row_fates
from backend_architect.design.semantics import is_link
from backend_architect.ir.model import Architecture, CachePlan, Event
from backend_architect.ir.runtime import Component, Mechanism, StoreLoad
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

feed_fan_out_code = "PAT001"
#: Deliveries/s one fan-out worker pushes into reader lists (pipelined LPUSH+LTRIM to Redis: ~20k/s per worker core).
FANOUT_WORKER_RATE = 20_000.0
#: The unit of the feed's fan-out figures: writes into the readers' lists, never the deliveries to connected clients.
LIST_WRITES = "list writes/s"
#: Bytes one list entry takes in Redis: an item id and its author's id (16 B each as UUIDs) plus list-node overhead.
ENTRY_BYTES = 64
#: Pages of the reader's page size a precomputed list keeps when the spec does not say.
PAGES_KEPT = 25
#: Readers who opened the feed within this many days get a precomputed list; others are rebuilt on their next read.
ACTIVE_DAYS = 30
#: Readers active in a month per reader active in a day (a DAU/MAU "stickiness" of 50%; social products run 40-60%).
MONTHLY_PER_DAILY = 2.0
#: Follower rows the fan-out worker reads per index range read (one page of the author's followers).
FOLLOWERS_PER_PAGE = 1_000.0
#: Followees per reader assumed when neither the link's rows nor the writer's avg_fanout say.
DEFAULT_FAN_IN = 100.0
#: Followed sources past the fan-out cut-off (not fanned out) a reader merges at read time, when the read states no
#: ``merged_sources``: follower counts are heavy-tailed, so the few accounts past the cut-off are followed by many readers;
#: a reader follows a handful of them (news, celebrities). Where the readers are no more than the cut-off, no source can pass it: 0.
DEFAULT_MERGED_SOURCES = 5.0


def redis_operations(use_case: UseCase, deliveries_peak: float, cached: ItemCache | None) -> dict[str, float]:
    """Operations/s at peak a feed sends Redis, one per key read or written (a pipelined multi-key command counts each key).

    A read is one LRANGE of the reader's list and the EXPIRE renewing its life (a list lives while its reader reads); a
    delivery is an LPUSHX (a no-op where the follower keeps no list) and the LTRIM that keeps the list at its length (two
    commands on the list's key, pipelined by the worker); the item cache is asked one key per item of the page (the page's
    multi-get of ``page size`` ids is that many operations), fills one key per miss and deletes one per write changing an item.

    >>> from types import SimpleNamespace
    >>> ops = redis_operations(SimpleNamespace(id="home", peak_qps=100.0), 1_000.0, None)
    >>> sorted(ops.items())
    [('feed_expires_home', 100.0), ('feed_reads_home', 100.0), ('feed_trims_home', 1000.0), ('feed_writes_home', 1000.0)]
    """
    uid = use_case.id
    ops = {
        f"feed_reads_{uid}": use_case.peak_qps,
        f"feed_expires_{uid}": use_case.peak_qps,
        f"feed_writes_{uid}": deliveries_peak,
        f"feed_trims_{uid}": deliveries_peak,
    }
    if cached is not None:
        ops |= {f"item_cache_gets_{uid}": cached.reads, f"item_cache_fills_{uid}": cached.reads * (1 - cached.hit)}
        if cached.writes:
            ops[f"item_cache_deletes_{uid}"] = cached.writes
    return ops


def fan_in_filter(spec: Spec, use_case: UseCase) -> FieldRef | None:
    """The filter that makes a read a feed: compared on a link entity (Follow, Membership) joined in two hops or more."""
    for ref in use_case.filters:
        if ref.constant is None and len(ref.join) >= 2 and is_link(spec, ref.entity):
            return ref
    return None


def _fan_in(spec: Spec, analysis: Analysis, link: str, reader_entity: str, creators: list[UseCase]) -> tuple[float, str]:
    """Average sources merged per read (followees per reader), and where the number came from."""
    stated = [u.spec.avg_fanout for u in creators if u.spec.avg_fanout]
    if stated:
        return float(stated[0]), f"avg_fanout of '{creators[0].name}' (followers per author; the graph's average in-degree equals its out-degree)"
    links, readers = analysis.rows(link), analysis.rows(reader_entity) if reader_entity in analysis.entities else 0.0
    if readers and link in spec.entities and spec.entities[link].rows is not None:
        return links / readers, f"{link} rows / {reader_entity} rows"
    return DEFAULT_FAN_IN, "default"


def fans_out_on_write(spec: Spec, analysis: Analysis, use_case: UseCase) -> bool:
    """Whether ``use_case``'s feed is precomputed at write time: its merge cost passes one node, or the author forced it (not kept on read).

    The index stage reads it to say which path uses the item's author index (the rebuild and the
    authors past the cut-off, or every read's merge); the pattern below takes the same decision.
    """
    ref = fan_in_filter(spec, use_case)
    if use_case.kind != "list" or ref is None:
        return False
    creators = writers(analysis, use_case.entity)
    reader_entity = ref.join[-1].source if ref.join else use_case.entity
    fan_in, _ = _fan_in(spec, analysis, ref.entity, reader_entity, creators)
    override = override_for(spec, f"feed.{use_case.id}", (feed_fan_out_code, "feed-fan-out-on-write"))
    if override is not None and override.choose is not None and matches(override.choose, "fan-out on read"):
        return False
    forced_on = override is not None and (override.force or (override.choose is not None and matches(override.choose, "fan-out on write")))
    return forced_on or use_case.peak_qps * fan_in > PRIMARY_READ_CEILING


@pattern(code=feed_fan_out_code, name="feed-fan-out-on-write", stage="read_paths", title="Precompute each reader's feed at write time")
def feed_fan_out(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A list read whose filter is compared on a link entity reached in two hops or more
    ("the tweets of everyone I follow": Tweet -> User <- Follow.follower). Merging at read
    time costs ``peak reads/s x sources per read`` index lookups; when that passes what one
    database node serves (``PRIMARY_READ_CEILING``), each reader's list is precomputed.

    ## What it adds
    A list per reader in Redis holding item and author ids (not the items), trimmed to
    ``keep`` entries; a fan-out worker consuming the item's created event and pushing the id
    to every follower's list that exists (LPUSHX); a cut-off audience above which an author's items are
    not fanned out but merged at read time (the hybrid); lists only for readers active in the last 30
    days (each read renews the list's 30-day expiry, so an unread list expires and is never pushed to
    again), rebuilt from the graph and the authors' own items on a miss. Pages filled by id past
    one node's reads get a cache of the items the lists can reach (``_item_cache``).

    ## What it costs
    List writes/s = item writes/s x followers per author (the write amplification); memory =
    active readers x keep x entry bytes; workers = peak deliveries / worker rate; the lag of
    one write = the event relay's lag + followers / worker rate, the fan-out bounded by the cut-off = (staleness - the relay's
    lag) x worker rate, so an author at the cut-off still reaches every follower within the staleness.

    ## Alternatives
    Fan-out on read (a join over the graph at every read) while the merge cost fits one node;
    a materialized table per reader in the database when writes are few and lists must be durable.

    ## References
    R. Krikorian, "Timelines at Scale" (QCon 2012); M. Kleppmann, Designing Data-Intensive Applications, ch. 1.
    """
    for use_case in analysis.use_cases:
        if use_case.kind != "list":
            continue
        ref = fan_in_filter(spec, use_case)
        if ref is None:
            continue
        item = use_case.entity
        creators = writers(analysis, item)
        reader_entity = ref.join[-1].source if ref.join else item
        fan_in, fan_in_basis = _fan_in(spec, analysis, ref.entity, reader_entity, creators)
        merge_cost = use_case.peak_qps * fan_in
        subject = use_case.name
        override = override_for(spec, f"feed.{use_case.id}", (feed_fan_out_code, "feed-fan-out-on-write"))
        needed = merge_cost > PRIMARY_READ_CEILING
        on_write = override is not None and (override.force or (override.choose is not None and matches(override.choose, "fan-out on write")))
        if not needed and not on_write:
            yield Skipped(
                subject,
                f"fan-out on read: {fmt(use_case.peak_qps)} reads/s x {fmt(fan_in)} sources = {fmt(merge_cost)} lookups/s, "
                f"within one node's {fmt(PRIMARY_READ_CEILING)}",
            )
            continue
        applied = _applied(spec, analysis, arch, use_case, ref, creators, fan_in, fan_in_basis, merge_cost)
        if applied.decision is not None:
            applied = dataclasses.replace(applied, decision=applied.decision.model_copy(update={"choices": list(FEED_CHOICES)}))
        if override is not None and override.choose is not None and matches(override.choose, "fan-out on read") and applied.decision is not None:
            # the author keeps the join at read time: no lists, no workers; the record keeps what the numbers chose
            yield Applied(
                overruled(
                    applied.decision,
                    override,
                    f"fan-out on read: {use_case.name} merges the followed authors' items at read time",
                    consequences=f"Each read of {use_case.name} queries every followed source's recent items and merges them: "
                    f"{fmt(merge_cost)} lookups/s at peak fall on the database; no lists to keep in step with writes.",
                )
            )
            continue
        if override is not None and on_write and not needed and applied.decision is not None:
            skipped = f"{fmt(merge_cost)} lookups/s at peak, within one node's {fmt(PRIMARY_READ_CEILING)}"
            applied = dataclasses.replace(applied, decision=forced(applied.decision, override, "fan-out on read", skipped))
        yield applied


#: What ``choose:`` builds for a feed: lists precomputed at write time, or the merge at read time.
FEED_CHOICES = ("fan-out on write", "fan-out on read")


def _applied(
    spec: Spec,
    analysis: Analysis,
    arch: Architecture,
    use_case: UseCase,
    ref: FieldRef,
    creators: list[UseCase],
    fan_in: float,
    fan_in_basis: str,
    merge_cost: float,
) -> Applied:
    item = use_case.entity
    write_avg = sum(u.avg_qps for u in creators)
    write_peak = sum(u.peak_qps for u in creators)
    writer_id = creators[0].id if creators else f"create-{item.lower()}"
    deliveries_avg, deliveries_peak = write_avg * fan_in, write_peak * fan_in
    keep = use_case.spec.page.limit * PAGES_KEPT
    staleness = use_case.spec.staleness or 5.0
    # an author at the cut-off reaches its last follower within the staleness: the relay's lag first, then followers / worker rate
    # (a staleness within the relay's lag leaves nothing to fan out in: the whole staleness is the budget, and the lag says it is missed)
    cutoff = fan_out_cutoff(staleness)
    readers_total = analysis.rows(ref.join[-1].source) if ref.join and ref.join[-1].source in analysis.entities else 0.0
    daily = spec.scale.daily_active or 0.0
    active = min(readers_total, daily * MONTHLY_PER_DAILY) if daily and readers_total else readers_total or daily * MONTHLY_PER_DAILY
    memory = active * keep * ENTRY_BYTES
    merged, merged_basis = merged_sources(use_case, fan_in, cutoff, readers_total)
    # one query only where the merged authors share a shard: the item's placement words the merge (design/key_reads.py)
    merge_sent = keys_read_said(arch, item, _item_author(ref, item), merged)
    cached = item_cache(analysis, arch, use_case, float(keep), readers_total or active, deliveries_avg)
    # the item cache shares the lists' Redis: its entries, and its keys read and written (redis_operations)
    held = memory + (cached.memory if cached else 0.0)
    ops = redis_operations(use_case, deliveries_peak, cached)
    redis_nodes = redis_shards(held, sum(ops.values()))
    workers = max(2, math.ceil(deliveries_peak / FANOUT_WORKER_RATE))
    # the worker consumes the item's created events: the relay carries each to the broker first (one figure, design/relay.py)
    lag = RELAY_S + fan_in / FANOUT_WORKER_RATE
    writer_name = creators[0].name if creators else f"create {item}"
    scope = f"use case '{use_case.name}'"
    figures = (
        figure(
            f"deliveries.avg.{writer_id}",
            f"pushes/s into the followers' lists caused by {writer_name}, average (LPUSHX: a no-op where a follower keeps no list)",
            deliveries_avg,
            LIST_WRITES,
            "writes_avg x sources_per_reader",
            {"writes_avg": write_avg, "sources_per_reader": fan_in},
            scope,
        ),
        figure(
            f"deliveries.peak.{writer_id}",
            f"pushes/s into the followers' lists caused by {writer_name} at peak (LPUSHX: a no-op where a follower keeps no list)",
            deliveries_peak,
            LIST_WRITES,
            "writes_peak x sources_per_reader",
            {"writes_peak": write_peak, "sources_per_reader": fan_in},
            scope,
        ),
        figure(
            f"fanout.lag_seconds.{writer_id}",
            f"time from one {item}'s commit to its readers' lists (the event relay, then the fan-out worker; average audience)",
            lag,
            "s",
            "relay_s + sources_per_reader / worker_rate",
            {RELAY_INPUT: RELAY_S, "sources_per_reader": fan_in, "worker_rate": FANOUT_WORKER_RATE},
            scope,
        ),
        figure(
            f"feed.bytes.{use_case.id}",
            f"memory of the precomputed lists of {use_case.name}",
            memory,
            "bytes",
            "active_readers x keep x entry_bytes",
            {"active_readers": active, "keep": keep, "entry_bytes": ENTRY_BYTES},
            scope,
        ),
        figure(
            f"feed.merge_lookups.{use_case.id}",
            f"index lookups/s {use_case.name} would cost merged at read time",
            merge_cost,
            "lookups/s",
            "peak_reads x sources_per_reader",
            {"peak_reads": use_case.peak_qps, "sources_per_reader": fan_in},
            scope,
        ),
    )
    service = owner_of(arch, item)
    # the worker reads the follow graph: the service owning it runs the worker (one database per service), consuming the
    # item's created events; the lists it fills are the read path's, in the Redis both name
    runner = owner_of(arch, ref.entity) or service
    # the merge and a list's rebuild read the graph: locally, from an event-fed copy, or by a call to its owner (design/graph_reads.py)
    # with the cut-off filter a read's call returns only the merged sources; without a merge the call is a rebuild's, every followee
    # a call closing a cycle is decided as the communication stage decided it (``graph_reads``), over the same calls
    cycle = any(u.name == use_case.name and r.entity == ref.entity and r.cycle for u, r in graph_reads(spec, analysis, arch))
    graph = graph_read(spec, analysis, use_case, ref.entity, runner, service, arch.deployment == "modular-monolith", merged or fan_in, cycle=cycle)
    # who is past the cut-off: the count the graph's owner keeps per followed source (patterns/_large_sources.py)
    sources = followed_rows(spec, analysis, ref.entity, _author_column(ref), readers_total or active)
    large = large_sources(arch, graph, _author_column(ref), sources, fan_in) if merged else None
    known = f", {large.said(fmt(cutoff))}" if large is not None else ""
    author = _item_author(ref, item)
    worker = f"{use_case.id}-fanout"
    components = (
        Component(
            name="redis",
            kind="cache",
            technology=named(spec, "redis"),
            purpose=f"precomputed lists of {use_case.name}" + (f" and the {item} cache filling their pages" if cached else ""),
            services=list(dict.fromkeys([service, runner])),
            use_cases=[use_case.name, writer_name],
            instances=redis_nodes,
            memory_bytes=held,
            decision=f"feed.{use_case.id}",
            operations=ops,
        ),
        Component(
            name=worker,
            kind="worker",
            technology="a consumer of the item's created events",
            purpose=f"pushes each new {item} id to the lists its author's followers keep (LPUSHX)"
            + (f" (run by {runner}, which owns {ref.entity} and reads it from its own database)" if runner != service else ""),
            services=[runner],
            use_cases=[writer_name],
            # the pushes land in Redis, which shares no transaction with the runner's database: a processed-events row there
            # would guard nothing, so the read makes a repeat harmless instead
            redelivery=f"a redelivered event pushes its {item} id again; a page drops an id it already holds, so a repeat shows once",
            instances=workers,
            decision=f"feed.{use_case.id}",
        ),
    )
    hops = " -> ".join(str(h) for h in ref.join)
    choice = (
        f"fan-out on write: precompute each reader's {use_case.name.removeprefix('view ').removeprefix('list ')} as a Redis list of "
        f"{item} ids with their author ids (not the {item}s), trimmed to {keep:,} entries; a fan-out worker pushes each new {item} to "
        f"the lists its author's followers keep; hybrid for large audiences: authors with more than {fmt(cutoff)} followers are not "
        f"fanned out, their {item}s are merged at read time"
        + (f"; each page's {item} rows come from a cache of {item}s by id ({cached.key}, cache-aside)" if cached else "")
    )
    rationale = (
        f"merging at read time costs {fmt(use_case.peak_qps)} reads/s x {fmt(fan_in)} sources ({fan_in_basis}) = {fmt(merge_cost)} "
        f"lookups/s, more than one database node serves ({fmt(PRIMARY_READ_CEILING)}); a precomputed list turns each read into one "
        f"range read"
        + (
            f", and a merge of the {fmt(merged)} followed sources past the cut-off ({merged_basis}), {merge_sent}: "
            f"{fmt(use_case.peak_qps * merged)} index range reads/s of {item}s by {_item_author(ref, item)}"
            if merged
            else ""
        )
        + f". Writes become {fmt(fan_in)} list writes each: {fmt(deliveries_avg)}/s on average, {fmt(deliveries_peak)}/s at "
        f"peak, pushed by {workers} workers at {fmt(FANOUT_WORKER_RATE)}/s each; an average {item} reaches its readers {lag:.3f} s after it commits "
        f"({RELAY_S:g} s through the event relay, then {fan_in / FANOUT_WORKER_RATE:.3f} s of fan-out). "
        f"The cut-off keeps one author's fan-out within the {staleness:g} s staleness the read allows ({_cutoff_working(staleness)} x "
        f"{fmt(FANOUT_WORKER_RATE)}/s = {fmt(cutoff)})." + (f" Filling the pages: {cached.said()}." if cached else "")
    )
    consequences = (
        f"Only readers active in the last {ACTIVE_DAYS} days keep a list (each read renews its {ACTIVE_DAYS}-day expiry; the worker "
        f"pushes with LPUSHX, which writes only a list that exists, so an unread list expires and stays gone): {fmt(active)} readers, "
        f"{size(memory)} in Redis" + (f", and {size(cached.memory)} for the {item} cache" if cached else "") + f", "
        f"{redis_share(redis_nodes)}, each shard kept in the copies the redundancy decision states); "
        f"a list missing from Redis (an inactive reader, a lost node) is rebuilt from the reader's followees, "
        f"read {graph.source(large.rebuild if large else None)}, and the "
        f"authors' own {item}s, a fan-out on read once. "
        + (
            f"The join {hops} stays indexed for rebuilds and large authors. "
            if graph.how == "local"
            else f"{item}.{author} stays indexed for rebuilds and large authors; the {ref.entity} side of the join {hops} is {graph.owner}'s: "
            f"no join or foreign key crosses the two databases, so {service} reads it by {graph.reason}. "
        )
        # only a delete some operation makes leaves ids of gone items in the lists (row_fates)
        + ("Deletes remove the id lazily (readers skip ids whose item is gone)." if row_fates(analysis, item).deleted else "")
    )
    made = decision(
        f"feed.{use_case.id}",
        f"Feed read model for {use_case.name}",
        "read paths",
        choice,
        f"{use_case.name}: {fmt(use_case.peak_qps)} reads/s at peak over the {item}s of every followed author; {writer_name}: "
        f"{fmt(write_peak)} writes/s at peak",
        rationale,
        alternatives=[
            ("fan-out on read", f"{fmt(merge_cost)} lookups/s per second of peak: more than one node serves"),
            ("a per-reader table in the database", f"{fmt(deliveries_peak)} row inserts/s at peak: beyond one primary's writes"),
        ],
        consequences=consequences,
        subject=use_case.name,
        inputs={
            "peak_reads": use_case.peak_qps,
            "sources_per_reader": fan_in,
            "writes_peak": write_peak,
            "cutoff_followers": cutoff,
            "staleness_s": staleness,
            RELAY_INPUT: RELAY_S,
            "worker_rate": FANOUT_WORKER_RATE,
        },
        spec=spec,
    )
    plan = CachePlan(
        use_case=use_case.name,
        strategy="read-model",
        ttl_seconds=None,
        key="feed:{reader_id}",
        invalidation=f"written by {worker} on every new {item}, into lists that exist (LPUSHX); trimmed to {keep:,}; each read renews "
        f"the list's {ACTIVE_DAYS}-day expiry ({ACTIVE_DAYS * 86_400:,} s)" + (f"; the {item} cache's entries ({cached.key}) {cached.kept}" if cached else ""),
        protection="a missing list is rebuilt once per reader (single-flight) from the graph",
        # the list holds ids: the page's rows still come from the item's table (the hydration load the mechanism counts)
        rationale=f"the page's ids come from its precomputed Redis list ({fmt(use_case.peak_qps)} reads/s "
        + (f"read the graph only for the authors past the cut-off the reader follows, {graph.source()}{known}); " if merged else "never query the graph); ")
        + f"its {fmt(float(use_case.spec.page.limit))} {item} rows a page are read by id: {fmt(use_case.peak_qps * use_case.spec.page.limit)} reads/s"
        + (
            f", through the {item} cache ({cached.key}): {cached.hit:.1%} hits, {fmt(cached.reads * (1 - cached.hit))} reads/s reach the database"
            if cached
            else ""
        ),
    )
    assumptions: tuple[str, ...] = (f"use case '{use_case.name}': lists keep {PAGES_KEPT} pages of {use_case.spec.page.limit} ({keep:,} entries)",)
    if fan_in_basis == "default":
        assumptions += (f"use case '{use_case.name}': {fmt(DEFAULT_FAN_IN)} followed authors per reader assumed (no avg_fanout on the writer)",)
    key = f"{ref.join[0].relation}_id" if ref.join and ref.join[0].forward else "id"
    pages = math.ceil(fan_in / FOLLOWERS_PER_PAGE)
    if merged_basis == "default":
        assumptions += (
            f"use case '{use_case.name}': each reader follows {fmt(merged)} sources past the fan-out cut-off, merged at read time (merged_sources not stated)",
        )
    mechanisms = (
        Mechanism(
            use_case=use_case.name,
            pattern=feed_fan_out_code,
            decision=made.id,
            serves="read",
            store="redis",
            entities=[e for e in dict.fromkeys([item, ref.entity, *use_case.reads]) if graph.how == "local" or e != ref.entity],
            # the hybrid's read-time merge is a step of this read: the flow that runs it draws it (sequence diagram, data-flow table)
            how=f"LRANGE feed:{{reader_id}} from the precomputed list (ids; EXPIRE renews its {ACTIVE_DAYS} days), "
            f"merged by time with the newest {item} ids of each followed author "
            f"past the cut-off (more than {fmt(cutoff)} followers, not fanned out: {fmt(merged)} a reader, {merged_basis}; which of them the reader "
            f"follows read {graph.source()}{known}), read from the database by {author} {merge_sent}, "
            + (
                f"then the page's {item} rows by id from the {item} cache ({cached.key}, one multi-get), its misses from the database"
                if cached
                else f"then the page's {item} rows by id from the database"
            ),
            database_share=0.0,
            # the lists trail the writes by the relay and the worker: the read is eventual by that much (every record says so)
            lag_seconds=lag,
            lag_figure=f"fanout.lag_seconds.{writer_id}",
            loads=[
                *graph_load(graph, use_case, _reader_column(ref), merged),
                *(count_reads(large, use_case) if large is not None else ()),
                *_merge(use_case, item, merged, author, ref.entity),
                _hydration(analysis, use_case, item, cached, author),
            ],
        ),
        *(
            Mechanism(
                use_case=writer.name,
                pattern=feed_fan_out_code,
                decision=made.id,
                serves="write",
                store=worker,
                entities=[item],
                how=f"{worker} reads the author's followers ({ref.entity}) and pushes the new {item} id to their lists",
                loads=[
                    StoreLoad(
                        entity=ref.entity,
                        key=f"fanout_{writer.id}",
                        quantity=f"follower pages/s {worker} reads for {writer.name} at peak",
                        reads_per_s=writer.peak_qps * pages,
                        formula="writes_peak x ceil(followers_per_author / rows_per_page)",
                        inputs={"writes_peak": writer.peak_qps, "followers_per_author": fan_in, "rows_per_page": FOLLOWERS_PER_PAGE},
                        by=_author_column(ref),
                    ),
                    # whether the author is past the cut-off: its count, one row by key an item
                    *(
                        [
                            StoreLoad(
                                entity=large.owned[1].name,
                                key=f"count_reads_{writer.id}",
                                quantity=f"rows of {large.owned[1].name} {worker} reads for {writer.name} at peak (the author's count)",
                                reads_per_s=writer.peak_qps,
                                formula="writes_peak (one count row an item)",
                                inputs={"writes_peak": writer.peak_qps},
                            )
                        ]
                        if large is not None
                        else []
                    ),
                ],
            )
            for writer in creators
        ),
        *(
            count_writes(large, [u for u in analysis.use_cases if u.is_write and u.entity == ref.entity], feed_fan_out_code, made.id, _author_column(ref))
            if large is not None
            else ()
        ),
    )
    consumed = _event(arch, item, creators, worker, key)
    # the worker's part of each write it fans out: the event reaching it, its pushes into the lists (drawn, never timed with the write)
    pushes = f"pushes the {item} id to each follower's list that exists (LPUSHX feed:{{reader_id}}, LTRIM to {keep:,}), authors past the cut-off skipped" + (
        f" (by the count {large.owned[1].name} keeps)" if large is not None else ""
    )
    graph_db = next((s.datastore for s in arch.services if s.name == runner and s.datastore), None)
    audience = (graph_db, f"reads the author's followers ({ref.entity}) by {_author_column(ref)}, {fmt(FOLLOWERS_PER_PAGE)} a page") if graph_db else None
    fanned = [
        fanout_flow(f, consumed[0], worker, "redis", pushes, audience) for f in arch.flows if consumed and f.use_case in {u.name for u in creators} and f.steps
    ]
    return Applied(
        made,
        components=components,
        figures=(*figures, *(cached.figures() if cached else ()), *(large.sized(spec, analysis, arch) if large is not None else ())),
        caches=(plan,),
        assumptions=assumptions,
        events=consumed,
        tables=tuple(large.tables) if large is not None else (),
        operations=((graph.owner, large.operation),) if large is not None and large.operation is not None else (),
        mechanisms=mechanisms,
        flows=(
            *(
                graph_flow(spec, use_case, f, graph, f"{GRAPH_STEP}; {large.said(fmt(cutoff)) if large else graph.pages.said()}")
                for f in arch.flows
                if f.use_case == use_case.name and f.steps
            ),
            *fanned,
        ),
    )


def fan_out_cutoff(staleness: float) -> float:
    """Followers past which an author is not fanned out: what the workers push within the staleness, less the relay's lag.

    >>> fan_out_cutoff(5.0), fan_out_cutoff(0.5)
    (80000.0, 10000.0)
    """
    return (staleness - RELAY_S if staleness > RELAY_S else staleness) * FANOUT_WORKER_RATE


def graph_rows_per_read(spec: Spec, analysis: Analysis, use_case: UseCase) -> float | None:
    """The graph rows a feed read asks the graph for on each read: where its feed fans out on write, only the followed sources
    past the cut-off (``past_cutoff``), else every followee; None for a read that is no feed. The communication stage sizes
    the call with it before this pattern runs, so the owner's requests count the calls the finished flow makes."""
    ref = fan_in_filter(spec, use_case)
    if ref is None or use_case.kind != "list":
        return None
    reader_entity = ref.join[-1].source if ref.join else use_case.entity
    fan_in, _ = _fan_in(spec, analysis, ref.entity, reader_entity, writers(analysis, use_case.entity))
    if not fans_out_on_write(spec, analysis, use_case):
        return fan_in
    readers = analysis.rows(reader_entity) if reader_entity in analysis.entities else 0.0
    merged, _ = merged_sources(use_case, fan_in, fan_out_cutoff(use_case.spec.staleness or 5.0), readers)
    return merged or fan_in


def _cutoff_working(staleness: float) -> str:
    """The seconds the cut-off's fan-out may take, as the cut-off computes them: the staleness less the relay's lag where it leaves any.

    >>> _cutoff_working(5.0), _cutoff_working(0.5)
    ('(5 s - 1 s through the event relay)', '0.5 s')
    """
    return f"({staleness:g} s - {RELAY_S:g} s through the event relay)" if staleness > RELAY_S else f"{staleness:g} s"


def merged_sources(use_case: UseCase, fan_in: float, cutoff: float, readers: float) -> tuple[float, str]:
    """Followed sources past the cut-off one read merges, and where the number came from: the read's ``merged_sources``, else
    none where no source can have more followers than the cut-off (the readers are no more), else ``DEFAULT_MERGED_SOURCES``
    (no more than the sources a reader follows).

    >>> from types import SimpleNamespace as N
    >>> merged_sources(N(spec=N(merged_sources=None)), 75, 100_000, 150e6)
    (5.0, 'default')
    >>> merged_sources(N(spec=N(merged_sources=None)), 75, 100_000, 50_000)
    (0.0, 'the readers are no more than the cut-off, so no source passes it')
    """
    if use_case.spec.merged_sources is not None:
        return float(use_case.spec.merged_sources), "merged_sources"
    if readers and readers <= cutoff:
        return 0.0, "the readers are no more than the cut-off, so no source passes it"
    return min(fan_in, DEFAULT_MERGED_SOURCES), "default"


def _merge(use_case: UseCase, item: str, merged: float, by: str, graph: str) -> list[StoreLoad]:
    """The hybrid's read-time merge: the newest items of each followed source past the cut-off, one index range read each (one
    query naming them all where they share a shard, else one per shard: ``key_reads``), on every read of the feed. Its
    authors are the ones the reader's ``graph`` rows name, so the request reads those first (``keys_from``: the flow and its
    sequence order the graph's read before this one)."""
    if not merged:
        return []
    return [
        StoreLoad(
            entity=item,
            key=f"merge_{use_case.id}",
            quantity=f"{item} index range reads/s merging the {fmt(merged)} followed sources past the cut-off into each read of {use_case.name} at peak",
            reads_per_s=use_case.peak_qps * merged,
            formula="peak_reads x merged_sources (one index range read per source)",
            inputs={"peak_reads": use_case.peak_qps, "merged_sources": merged},
            by=by,
            keys_per_read=merged,
            keys_from=[graph],
        )
    ]


def _item_author(ref: FieldRef, item: str) -> str:
    """The item's column naming its author (``author_id``): what the read-time merge reads a large author's newest items by."""
    hop = next((h for h in ref.join if h.owner == item and h.forward), None)
    return f"{snake(hop.relation)}_id" if hop is not None else "author"


#: What a feed read's step reading the graph from its owner asks for.
GRAPH_STEP = "the authors past the cut-off the reader follows (merged at read time), and a missing list's followees (its rebuild)"


def _reader_column(ref: FieldRef) -> str:
    """The graph's column naming the reader (``follower_id``): what the read finds the reader's followees by."""
    return ref.column or f"{snake(ref.field)}_id"


def _author_column(ref: FieldRef) -> str:
    """The graph's column the fan-out worker pages an author's followers by: the relation the join reaches the graph through.

    The read filters the graph by its reader (``Follow.follower``); the worker finds the readers of
    one author from the other side (``followee_id``), which a graph sharded by its reader keeps on
    every shard.
    """
    into = next((h for h in reversed(ref.join) if h.owner == ref.entity and h.target == ref.entity and not h.forward), None)
    return f"{snake(into.relation)}_id" if into is not None else ""


def _hydration(analysis: Analysis, use_case: UseCase, item: str, cached: ItemCache | None, author: str = "") -> StoreLoad:
    """The item rows a page of ids is filled with: ``page size x feed reads``, from the item's table (the misses of its get cache
    when it has one, or of the read model's own item cache).

    The list holds ids only, so every page read fetches its items by id (a multi-get grouped by
    shard: each entry carries its author id, the shard key of an item sharded by author). Said as a read by id carrying
    ``author``, so the shard record lists it as routed by that column where the items are sharded by it, and as asking every
    shard (or routed by the shard its id carries) where they are sharded by another: never counted as keyed unsaid.
    """
    routing = {"by": ROW_ID, "carries": [author]} if author else {}
    page = float(use_case.spec.page.limit)
    if cached is not None:
        return StoreLoad(
            entity=item,
            key=f"hydrate_{use_case.id}",
            quantity=f"{item} rows read by id to fill each page of {use_case.name} ({page:g} a page) that the {item} cache misses at peak",
            reads_per_s=cached.reads * (1 - cached.hit),
            formula="peak_reads x page_size x (1 - item_hit_ratio)",
            inputs={"peak_reads": use_case.peak_qps, "page_size": page, "item_hit_ratio": cached.hit},
            **routing,
        )
    getter = next((u for u in analysis.use_cases if u.kind == "get" and u.entity == item and not u.is_write), None)
    return StoreLoad(
        entity=item,
        key=f"hydrate_{use_case.id}",
        quantity=f"{item} rows read by id to fill each page of {use_case.name} ({page:g} a page) at peak",
        reads_per_s=use_case.peak_qps * page,
        formula="peak_reads x page_size" + (f" (through the cache of '{getter.name}': its misses reach the database)" if getter else ""),
        inputs={"peak_reads": use_case.peak_qps, "page_size": page},
        cached_by=getter.name if getter else "",
        **routing,
    )


def _event(arch: Architecture, item: str, creators: list[UseCase], worker: str, key: str) -> tuple[Event, ...]:
    """The created event the fan-out worker consumes (one the communication stage already publishes gains the consumer), keyed by author."""
    if not creators:
        return ()
    name = f"{item}Created"
    existing = next((e for e in arch.events if e.use_case in {u.name for u in creators} and e.entity == item), None)
    if existing is not None:
        # the worker finds the followers by the author: the event it consumes carries the author, whatever it is keyed by
        return (with_fields(existing.model_copy(update={"consumers": sorted({*existing.consumers, worker})}), ["id", key]),)
    fields = list(dict.fromkeys([*written_row(arch, creators[0]), key]))
    return (Event(name=name, producer=owner_of(arch, item), consumers=[worker], entity=item, key=key, use_case=creators[0].name, fields=fields),)
