"""PAT052: what to build at today's load and what later, as ordered stages each with the figure and threshold that calls for it."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.loads import peak_inserts, table_inserts
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._common import PRIMARY_READ_CEILING, PRIMARY_WRITE_CEILING, READ_HEADROOM, decision, figures, fmt, size
from backend_architect.design.patterns._shards import ShardTiming, for_writes, shard_timings, when_size
from backend_architect.design.patterns._stores import HOT_STORE_BYTES, NODE_RAM_BYTES, horizon, per_row_bytes
from backend_architect.design.patterns.caching import CACHE_MIN_READ_QPS
from backend_architect.design.unique_keys import SHARDING_STAGE, staged
from backend_architect.design.write_headroom import WRITE_HEADROOM
from backend_architect.ir.database_nodes import REPLICA_READS
from backend_architect.ir.model import Architecture, Decision, Table
from backend_architect.ir.query import busiest_read_primary, busiest_write_primary
from backend_architect.ir.runtime import GrowthStage
from backend_architect.spec.model import Spec

#: Components that are not stores of their own rows; drawn in other stages.
_ELSEWHERE = {"cache", "key-value", "load-balancer"}


def when_load(current: float, threshold: float, growth: float) -> str:
    """When a rate passes its threshold: now, in N years at the stated growth, or the multiple it needs.

    >>> when_load(30_000, 20_000, 0.0), when_load(10_000, 20_000, 0.5), when_load(1_000, 20_000, 0.0), when_load(20_000, 20_000, 0.0)
    ('now', 'in about 1.7 years at 50%/year', 'when it grows 20x', 'at the threshold: with any growth')

    A multiple under 10 keeps its tenth, so it is the one its inputs give (14,000 / 8,993 is 1.6x, never "2x"):

    >>> when_load(8_993, 14_000, 0.0)
    'when it grows 1.6x'
    """
    if current > threshold:
        return "now"
    if current <= 0:
        return "no rate stated"
    if current >= threshold * 0.95:
        return "at the threshold: with any growth"
    if growth > 0:
        return f"in about {math.log(threshold / current) / math.log(1 + growth):.1f} years at {growth:.0%}/year"
    multiple = threshold / current
    return f"when it grows {multiple:.1f}x" if multiple < 10 else f"when it grows {multiple:,.0f}x"


@pattern(code="PAT052", name="staged-growth", stage="growth", title="Build what today's load needs; stage the rest behind its trigger")
def staged_growth(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Always: the last pattern, over the design's own figures.

    ## What it adds
    Ordered stages: one primary scaled up; read replicas (peak reads past 70% of one node's 20,000/s);
    a cache (a read path past 50/s with staleness allowed); partitioning (a table's data and
    indexes past the server's 32 GB of RAM); sharding (inserts past 5,000/s or a table past
    2 TB); the other stores the patterns chose; more regions when the spec names them. Each
    stage is *now* when today's figure passes its threshold, else *later* with the figure to
    watch and, from the growth figures, when it will pass. Partitioning is *now* whenever a table
    is partitioned: the DDL declares its partitions from the start (converting a live table is a
    rewrite), and its figure says when they start paying off.

    ## What it costs
    Nothing to run: it orders what the design already decided. Keep it simple: a tier is built
    when its figure says so, and a larger instance (scale up) comes before a new tier.

    ## Alternatives
    Building the final architecture on day one (sharding, replicas and caches nobody's load
    needs yet: cost and operations for no gain); waiting for an outage to scale.

    ## References
    Stack Overflow, "Stack Overflow: The Architecture - 2016 Edition" (scale up first); Discord engineering, "How Discord Stores Billions of Messages" (2017).
    """
    known = figures(arch)
    growth = spec.scale.growth_per_year or 0.0
    years = horizon(spec)
    tables = [t for s in arch.datastores for t in s.tables]
    read, write = known.get("qps.peak.read", 0.0), known.get("qps.peak.write", 0.0)
    # what reaches the databases (PAT003 read it from the mechanisms serving each path), not what clients send
    stages: list[GrowthStage] = []
    plan = arch.availability
    instances = sum(v for k, v in known.items() if k.startswith("instances.deployable.")) or sum(
        v for k, v in known.items() if k.startswith("instances.") and k.count(".") == 1
    )
    running = _running(known, instances, plan.zones if plan else 1)
    stages.append(
        GrowthStage(
            order=1,
            # with tables sharded, stage 1 is each shard's primary, not one for the system
            name="a primary per database (per shard where sharded), scaled up"
            if any(t.sharding for st in arch.datastores for t in st.tables)
            else "one primary, scaled up",
            now=True,
            figure="db.write_utilisation",
            trigger=_one_primary(known, write, read, (_named(arch, "db.write_utilisation"), _named(arch, "db.read_utilisation"))),
            adds=[
                f"{fmt(instances)} instance(s) behind the load balancer{running}",
                plan.database if plan else "one PostgreSQL primary",
                "scale up (a larger instance) before adding a tier",
            ],
        )
    )
    replicas = known.get("db.read_replicas", 0.0)
    spare = known.get("db.standbys", 0.0)
    # Replicas serve what reaches the database: reads a CDN, cache or read model absorbs never count.
    reaching = known.get("db.read_utilisation", read / PRIMARY_READ_CEILING) * PRIMARY_READ_CEILING
    planned = PRIMARY_READ_CEILING * READ_HEADROOM
    reader = busiest_read_primary(_named(arch, "db.read_utilisation"))
    stages.append(
        GrowthStage(
            order=2,
            name="read replicas",
            now=replicas > 0,
            figure="db.read_utilisation",
            trigger=f"peak reads reaching the busiest primary ({reader}) pass {READ_HEADROOM:.0%} of one node's "
            f"{fmt(PRIMARY_READ_CEILING)}/s = {fmt(planned)}/s (room for a burst, a cold cache or a failover; "
            f"today {fmt(reaching)}/s, {reaching / PRIMARY_READ_CEILING:.1%} of the node: {_reaching_from(read)}): "
            f"{'now' if replicas > 0 else when_load(reaching, planned, growth)}",
            # the readable standbys serve such reads already (db.read_copies): this stage adds replicas beyond them
            adds=[f"{fmt(max(replicas, 1))} read replica(s) for {REPLICA_READS}" + (f", beyond the {fmt(spare)} readable standby(s)" if spare else "")],
        )
    )
    stale = [u for u in analysis.use_cases if not u.is_write and not u.is_job and u.spec.staleness]
    hottest = max(stale, key=lambda u: u.peak_qps, default=None)
    cached = [c.use_case for c in arch.caches if c.strategy != "none"]
    memory = list(dict.fromkeys(c.technology for c in arch.components if c.kind in {"cache", "key-value"}))
    if cached or memory:
        trigger = "; ".join(
            part
            for part in (f"{len(cached)} read path(s) cached ({', '.join(cached)})" if cached else "", f"in memory: {', '.join(memory)}" if memory else "")
            if part
        )
    elif hottest is not None:
        trigger = (
            f"a read path that may be stale passes {fmt(CACHE_MIN_READ_QPS)}/s (hottest: '{hottest.name}' {fmt(hottest.peak_qps)}/s): "
            f"{when_load(hottest.peak_qps, CACHE_MIN_READ_QPS, growth)}"
        )
    else:
        trigger = "no read path allows staleness: reads stay on the database, then on replicas"
    stages.append(
        GrowthStage(
            order=3,
            name="cache and in-memory state",
            now=bool(cached or memory),
            figure=f"qps.peak.{hottest.id}" if hottest else None,
            trigger=trigger,
            adds=memory or ["a shared cache (cache-aside) for the hot reads"],
        )
    )
    timings = shard_timings(arch, spec, analysis.peak_factor)
    stages += _data_stages(arch, tables, known, growth, years, analysis.peak_factor, timings)
    others = [c for c in arch.components if c.kind not in _ELSEWHERE and c.name != "dns-failover"]
    if others:
        stages.append(
            GrowthStage(
                order=6,
                name="stores and workers beyond PostgreSQL",
                now=True,
                figure=None,
                trigger="each chosen by its decision from today's figures",
                adds=[f"{c.name} ({c.technology}): {c.purpose}" for c in others],
            )
        )
    if plan is not None and len(plan.regions) > 1:
        stages.append(
            GrowthStage(
                order=7,
                name="more regions",
                now=True,
                figure="availability.region_cost_ratio",
                trigger=f"the spec names {len(plan.regions)} regions",
                adds=[f"{plan.topology} across {', '.join(plan.regions)}"],
            )
        )
    yield Applied(_decision(spec, stages, growth), stages=tuple(stages), tables=_shard_timing(arch, stages, timings))


def _shard_timing(arch: Architecture, stages: list[GrowthStage], timings: dict[str, ShardTiming]) -> tuple[tuple[str, Table], ...]:
    """Each sharded table told when its shards are built, from the sharding stage: the one statement every section reads (a
    table whose own trigger is later says so, though another table builds the stage now, and says that its map's nodes run
    now when another of its tables is on them: it moves onto a built map, it does not wait for one)."""
    stage = next((s for s in stages if s.name == "sharding"), None)
    if stage is None:
        return ()
    known = figures(arch)
    found = []
    sharded = {t.name for s in arch.datastores for t in s.tables if t.sharding is not None}
    for store in arch.datastores:
        for table in store.tables:
            if table.sharding is None:
                continue
            count = known.get(f"db.shards.{table.name}")
            at_horizon = f"{count:,.0f} shards at the horizon; " if count else ""
            trigger = next((line.split(": ", 1)[1] for line in stage.trigger.split("; ") if line.startswith(f"{table.name}: ")), stage.trigger)
            timing = timings.get(table.name)
            now = timing.now if timing else stage.now
            on_map = list(timing.on_map_now) if timing else []
            built_when = "built now (stage 5, sharding)" if now else f"built at stage 5 (sharding), when {trigger}; until then one primary"
            if not now and on_map:
                built_when = (
                    f"its shard map is built now (stage 5, sharding), holding {', '.join(on_map)}; {table.name} moves onto it when {trigger}; "
                    "until then on the primary"
                )
            when = f"shard key {table.sharding.key}; {at_horizon}{built_when}"
            timed = table.model_copy(update={"sharding": table.sharding.model_copy(update={"when": when, "now": now, "on_map_now": on_map})})
            keys_now: dict[str, bool | None] = {
                g.table: (timings[g.table].now if g.table in timings else stage.now) for g in table.sharding.uniques if g.table in sharded
            }
            found.append((store.name, staged(timed, now, SHARDING_STAGE, keys_now)))
    return tuple(found)


def _data_stages(
    arch: Architecture, tables: list[Table], known: dict[str, float], growth: float, years: float, factor: float, timings: dict[str, ShardTiming]
) -> list[GrowthStage]:
    stages = []
    parted = [t for t in tables if t.partitioning]
    if parted:
        states = {t.name: when_size(t, NODE_RAM_BYTES, growth, years) for t in parted}
        expiring = [t.name for t in parted if t.partitioning and t.partitioning.retention_job]
        # the DDL declares the partitions from the start (converting a live table is a rewrite): the stage is built now, and
        # the figure says when the partitions start paying off, never when they are built
        lines = [
            f"{t.name}: retention drops whole partitions, needed from the first day"
            if t.name in expiring
            else f"{t.name}: declared now; pays off at {fmt(NODE_RAM_BYTES / per_row_bytes(t))} rows ({size(NODE_RAM_BYTES)}), when data and "
            f"indexes no longer fit in RAM: {states[t.name][1]}"
            for t in parted
        ]
        stages.append(
            GrowthStage(
                order=4,
                name="partitioning",
                now=True,
                figure=f"bytes.{years:g}y.{parted[0].name}",
                trigger="; ".join(lines),
                adds=[
                    f"{t.name}: partitions per {t.partitioning.interval if t.partitioning else ''} "
                    "(declared in the DDL from the start: converting a live table is a rewrite)"
                    for t in parted
                ]
                + [f"retention by dropping partitions: {', '.join(expiring)}" for _ in expiring[:1]],
            )
        )
    sharded = [t for t in tables if t.sharding]
    if sharded:
        lines, adds, now, later = [], [], False, []
        for t in sharded:
            inserts = table_inserts(known, t, factor)
            timing = timings[t.name]
            now = now or timing.now
            later += [] if timing.now else [t.name]
            lines.append(_led_trigger(t.name, timing) if timing.led_by else _shard_trigger(t, known, inserts, timing.eta, factor))
            key = t.sharding.key if t.sharding else "id"
            adds.append(f"shard {t.name} by {key}" + _on_map(t.name, known, timing))
            if key.endswith("_id") and key != "id":
                parent = key.removesuffix("_id")
                adds.append(
                    f"the busiest {parent} is a hot partition: coalesce identical reads of one {parent} (single-flight) and bucket the key by time "
                    f"({key}, month) so no partition grows without bound"
                )
        # a stage built now for one table and later for another says so per table (each table's line carries its own trigger)
        stages.append(
            GrowthStage(
                order=5,
                name="sharding",
                now=now,
                figure=f"qps.peak.insert.table.{sharded[0].name}",
                trigger="; ".join(lines),
                adds=adds,
                later=later if now else [],
            )
        )
    return stages


def _shard_trigger(table: Table, known: dict[str, float], inserts: float, eta: str, factor: float) -> str:
    """When ``table``'s shards are built: now for its primary's writes (past the headroom, every write the critic counts), else
    when its inserts pass one primary or its size passes one primary's store."""
    if for_writes(known, table.name):
        writes = known[f"db.shard.primary_writes.{table.name}"]
        return (
            f"{table.name}: the writes reaching its primary pass {WRITE_HEADROOM:.0%} of one primary's {fmt(PRIMARY_WRITE_CEILING)}/s "
            f"(today {fmt(writes)}/s = {writes / PRIMARY_WRITE_CEILING:.1%}: inserts, updates and the rows committed with them; "
            "its shard map carries most of them): built now"
        )
    by_inserts = f"{table.name}: inserts pass {fmt(PRIMARY_WRITE_CEILING)}/s (today {fmt(inserts)}/s{_inserts_of(table, inserts, factor)})"
    if table.retention_days is not None and eta.startswith("not within"):
        # a retention caps the size at every horizon: a threshold it never reaches is no trigger, said once
        return f"{by_inserts}; kept {table.retention_days:g} days, its size never passes {size(HOT_STORE_BYTES)}"
    return f"{by_inserts} or size passes {size(HOT_STORE_BYTES)} ({eta})"


def _led_trigger(table: str, timing: ShardTiming) -> str:
    """When a table whose map another table of it needs first is sharded: with that table, on its date (``map_eta``).

    The map's shards hold both tables' rows, so the later table never states a date of its own (a chat's members
    "in about 14.4 months" beside their chats "in about 5.4 years" on the same shards, whatsapp run 22).

    >>> _led_trigger("chats", ShardTiming(False, "in about 14.4 months", "chats", (), "chat_members"))
    'chats: its shard map is built for chat_members, whose size passes 2.0 TB (in about 14.4 months)'
    """
    # no "; " inside: the stage's trigger is split on it into one line per table
    return f"{table}: its shard map is built for {timing.led_by}, whose size passes {size(HOT_STORE_BYTES)} ({timing.eta})"


def _inserts_of(table: Table, inserts: float, factor: float) -> str:
    """What the inserts compared with the ceiling are: new rows, and the guarantee rows committed with them (never updates)."""
    own = peak_inserts(table.rows_per_day, factor)
    if inserts - own < 0.005:
        return ""
    return f": {fmt(own)} new rows and {fmt(inserts - own)} outbox, processed-event and idempotency rows committed with them"


def _on_map(table: str, known: dict[str, float], timing: ShardTiming) -> str:
    """Which shard map ``table``'s rows go on, when that map's nodes run, and when the table moves onto it (``ShardTiming``).

    >>> _on_map("messages", {}, ShardTiming(True, "now", "chats", ("messages",)))
    " (on chats's shard map: built now, holding messages)"
    >>> _on_map("chats", {}, ShardTiming(False, "in 4 years", "chats", ("messages",)))
    ' (its shard map built now, holding messages; chats moves onto it when its own trigger passes)'
    >>> _on_map("chat_members", {}, ShardTiming(False, "in 4 years", "chats", ()))
    " (on chats's shard map, built later with it)"
    """
    moves = "" if timing.now else f"; {table} moves onto it when its own trigger passes"
    if timing.head == table:
        if timing.map_now and not timing.now:
            return f" (its shard map built now, holding {', '.join(timing.on_map_now)}{_per_shard(table, known, ': ')}{moves})"
        load = _per_shard(table, known, ": ")
        return f" ({'from now' if timing.now else 'once built'}{load})" if load else ""
    if timing.map_now:
        return f" (on {timing.head}'s shard map: built now, holding {', '.join(timing.on_map_now)}{moves})"
    return f" (on {timing.head}'s shard map, built later with it)"


def _per_shard(table: str, known: dict[str, float], lead: str) -> str:
    """What each shard of ``table``'s shard map carries, from the database load's shard figures (the same the capacity table
    shows), after ``lead``; '' before the figures exist."""
    if f"db.shard.writes.{table}" not in known:
        return ""
    nodes = known.get(f"db.nodes.{table}")
    return (
        f"{lead}{fmt(known.get(f'db.shards.{table}', 0.0))} shards"
        + (f", {fmt(nodes)} nodes" if nodes else "")
        + f"; each shard {fmt(known[f'db.shard.writes.{table}'])} writes/s = {known[f'db.shard.write_utilisation.{table}']:.1%} of one primary, "
        f"{fmt(known[f'db.shard.reads.{table}'])} reads/s, {fmt(known[f'db.shard.read_replicas.{table}'])} read replica(s)"
    )


def _counts(stages: list[GrowthStage]) -> dict[str, float]:
    """The stages built now and those with something built later, as the choice says them: a stage built now for one table and
    later for another (``GrowthStage.later``) counts in both, and apart as in part, so no input reads "nothing later" beside a
    choice naming a later part.

    >>> _counts([GrowthStage(order=1, name="a", now=True, trigger="t"), GrowthStage(order=5, name="sharding", now=True, trigger="t", later=["b"])])
    {'stages_now': 2.0, 'stages_later': 1.0, 'stages_in_part_later': 1.0}
    """
    partly = [s for s in stages if s.now and s.later]
    return {
        "stages_now": float(sum(1 for s in stages if s.now)),
        "stages_later": float(sum(1 for s in stages if not s.now) + len(partly)),
        "stages_in_part_later": float(len(partly)),
    }


def _decision(spec: Spec, stages: list[GrowthStage], growth: float) -> Decision:
    now = [s for s in stages if s.now]
    later = [s for s in stages if not s.now]
    choice = "build now: " + "; ".join(_stated(s, now=True) for s in now)
    if later or any(s.later for s in now):
        choice += "; later: " + "; ".join([_stated(s, now=False) for s in now if s.later] + [_stated(s, now=False) for s in later])
    choice += "; scale up (a larger instance) before adding a tier"
    notes = [a for s in stages for a in s.adds if "hot partition" in a]
    return decision(
        "growth",
        "Staged growth: build now, postpone the rest",
        "growth",
        choice,
        f"{len(stages)} stages from the capacity figures; growth {growth:.0%}/year"
        + ("" if spec.scale.growth_per_year else " (not given: rates held constant)"),
        "keep it simple, avoid premature optimization: a stage is built when today's figure passes its threshold, and each later stage names the figure to "
        "watch and when the growth figures say it will pass",
        alternatives=[
            ("build the final architecture now", "replicas, shards and caches no figure asks for yet: cost and operations for nothing"),
            ("scale when it breaks", "the thresholds are known now; waiting turns them into outages"),
        ],
        consequences="; ".join(notes),
        subject="system",
        inputs=_counts(stages) | {"growth_per_year": growth},
        spec=spec,
    )


def _stated(stage: GrowthStage, *, now: bool) -> str:
    """One stage in the decision: whole, or, for a stage built now with parts that wait, the parts built now (``now``) or those
    later, so no part built later is said to be built now.

    >>> s = GrowthStage(order=5, name="sharding", now=True, trigger="a: now; b: in 5 months", later=["b"])
    >>> _stated(s, now=True), _stated(s, now=False)
    ('5. sharding of a (a: now)', '5. sharding of b (b: in 5 months)')
    """
    if not stage.later or not stage.now:
        return f"{stage.order}. {stage.name} ({stage.trigger})"
    lines = re.split(r"; (?=[a-z0-9_]+: )", stage.trigger)
    waiting = [line for line in lines if line.split(": ", 1)[0] in stage.later]
    parts = [line for line in lines if line not in waiting] if now else waiting
    names = [line.split(": ", 1)[0] for line in parts]
    return f"{stage.order}. {stage.name} of {', '.join(names)} ({'; '.join(parts)})"


def _running(known: dict[str, float], instances: float, zones: int) -> str:
    """The instances the availability plan runs when they differ from the peak's (spread so one zone's loss leaves the peak covered)."""
    deployables = [k.rsplit(".", 1)[-1] for k in known if k.startswith("instances.deployable.")] or [
        k.split(".", 1)[1] for k in known if k.startswith("instances.") and k.count(".") == 1
    ]
    spread = sum(known.get(f"instances.zone_loss.{name}", 0.0) for name in deployables)
    if not spread or spread == instances:
        return ""
    return f" at peak ({fmt(spread)} run across the {zones} zones, so the peak is carried with one zone lost)"


def _reaching_from(read: float) -> str:
    """Where a primary's reads come from: the read requests less what caches absorb, and the reads a request's own steps
    (its checks, a feed's merge, a get's rows answered inside its item) and the workers make (``design/request_steps.py``,
    ``design/embeds.py``), which can exceed the read requests."""
    return f"of {fmt(read)}/s requested by reads, less what caches absorb, plus the reads writes, workers and embedded rows make"


def _named(arch: Architecture, key: str) -> str:
    """The quantity of figure ``key``: the busiest primary's figures name the primary in it."""
    return next((f.quantity for f in arch.figures if f.key == key), "")


def _one_primary(known: dict[str, float], write: float, read: float, named: tuple[str, str]) -> str:
    """Today's load on one primary, as the capacity table and the bottlenecks state it: the busiest database's writes and reads reaching it.

    The system-wide totals (``qps.peak.write``, ``qps.peak.read``) spread over several databases
    and include reads caches absorb, so they are not one primary's load; they are used only when
    the database figures are absent.
    """
    busiest = known.get("db.write_utilisation", write / PRIMARY_WRITE_CEILING) * PRIMARY_WRITE_CEILING
    which, reader = busiest_write_primary(named[0]), busiest_read_primary(named[1])
    reaching = known.get("db.read_utilisation", read / PRIMARY_READ_CEILING) * PRIMARY_READ_CEILING
    return (
        f"today: peak writes reaching the busiest primary ({which}) {fmt(busiest)}/s = {busiest / PRIMARY_WRITE_CEILING:.1%} of one primary, "
        f"peak reads reaching the busiest primary ({reader}) {fmt(reaching)}/s ({_reaching_from(read)}) = "
        f"{reaching / PRIMARY_READ_CEILING:.1%} of one node"
        + ("; past one primary's writes: the sharding stage carries them" if busiest > PRIMARY_WRITE_CEILING else "")
    )
