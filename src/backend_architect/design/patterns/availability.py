"""PAT048: zones, standbys, failover, load balancing and health checks: the cheapest plan whose composite availability meets the target."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis
from backend_architect.design.call_chains import DEFAULT_AVAILABILITY
from backend_architect.design.loads import databases, table_inserts
from backend_architect.design.messaging_tables import derive_messaging_tables
from backend_architect.design.overrides import settled, steer
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING, decision, figure, figures, fmt, size
from backend_architect.design.patterns._failure import impacts
from backend_architect.design.patterns._shards import MapTotal, shard_map_totals, shard_timings, shards
from backend_architect.design.patterns._stores import HOT_STORE_BYTES, horizon
from backend_architect.design.patterns.regions import AUTO_REGION_FAILOVER_S, MEAN_OUTAGE_S, with_failover
from backend_architect.design.runtimes import DEFAULT_RUNTIME, INSTANCE_RPS_BY_RUNTIME
from backend_architect.design.write_headroom import WRITE_HEADROOM
from backend_architect.ir.database_nodes import READ_COPIES, REPLICA_READS
from backend_architect.ir.model import Architecture, Figure
from backend_architect.ir.query import database_of, sharded_today
from backend_architect.ir.runtime import AvailabilityPlan, Component
from backend_architect.spec.model import Spec

#: Planning availabilities of the parts, from the cloud providers' published SLAs (2024): instances in one zone
#: 99.9% (Compute Engine, zonal); one database instance 99.5% (RDS Single-AZ); instances across zones 99.99% (EC2 region-level);
#: a load balancer 99.99% (ELB); a database with a synchronous standby and automatic failover 99.95%
#: (RDS Multi-AZ); with two standbys over three zones 99.99% (RDS Multi-AZ DB cluster, Aurora).
ONE_ZONE = 0.999
ZONES = 0.9999
LOAD_BALANCER = 0.9999
DB_SINGLE = 0.995
DB_ONE_STANDBY = 0.9995
DB_TWO_STANDBYS = 0.9999
#: Automatic failover: health checks detect the loss (3 x 10 s), the standby is promoted (~30 s), clients reconnect (~60 s).
AUTO_FAILOVER_S = 120.0
#: Without a standby the database is restored: provision a server, restore the base backup, replay the WAL.
PROVISION_S = 600.0
RESTORE_BYTES_PER_S = 200e6
WAL_REPLAY_S = 900.0
#: WAL segments are archived at least this often (archive_timeout): the writes a restore can lose.
WAL_ARCHIVE_S = 60.0
#: Health checks: interval, failures before an instance leaves rotation, and the drain on deploys.
HEALTH_INTERVAL_S = 10
HEALTH_FAILURES = 2
DRAIN_S = 30
#: Requests per second one instance serves where its sizing figure states none: the capacity stage's planning figure
#: for the default runtime (``runtimes``), the one number instances are sized by.
INSTANCE_RPS = INSTANCE_RPS_BY_RUNTIME[DEFAULT_RUNTIME]


@dataclass(frozen=True)
class Level:
    """One rung of redundancy: zones, database standbys, and what each part is expected to give."""

    name: str
    zones: int
    standbys: int
    compute: float
    database: float

    def composite(self) -> float:
        return LOAD_BALANCER * self.compute * self.database


LEVELS = (
    Level("single-zone", 1, 0, ONE_ZONE, DB_SINGLE),
    Level("multi-zone", 2, 1, ZONES, DB_ONE_STANDBY),
    Level("multi-zone", 3, 2, ZONES, DB_TWO_STANDBYS),
)


def target_of(spec: Spec) -> tuple[float, bool]:
    """The availability target and whether the spec stated it."""
    return (spec.scale.availability, True) if spec.scale.availability else (DEFAULT_AVAILABILITY, False)


def level_for(target: float, sharded: bool) -> Level:
    """The cheapest level meeting ``target``; sharded data takes three copies per shard whatever the target.

    >>> level_for(0.99, False).name, level_for(0.999, False).standbys, level_for(0.9999, False).standbys, level_for(0.99, True).standbys
    ('single-zone', 1, 2, 2)
    """
    fits = next((lv for lv in LEVELS if lv.composite() >= target), LEVELS[-1])
    return LEVELS[-1] if sharded else fits


@pattern(code="PAT048", name="zones-and-failover", stage="availability", title="Zones, standbys and failover from the availability target")
def zones_and_failover(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Always: from ``scale.availability`` (99.9% when not given, listed under Assumptions).

    ## What it adds
    The cheapest of three levels whose composite (load balancer x instances x database) meets
    the target: one zone with a restorable database (99.39%); two zones with a synchronous standby
    and automatic failover (99.93%); three zones with two standbys (99.97%). Sharded data always
    gets three copies per shard (replication factor 3): with many shards, some node is always
    failing, and a quorum of two keeps each shard writing through it. A load balancer across the
    zones with readiness checks; at least two instances per deployable, spread over the zones;
    what each dependency's failure does to each use case.

    ## What it costs
    Standbys double or triple the database; RTO = 120 s with automatic failover, else
    provisioning + restore (bytes / 200 MB/s) + WAL replay; RPO = 0 with a synchronous standby,
    else the WAL archive interval (60 s).

    ## Alternatives
    More redundancy than the target needs (paid for, unused); fewer zones (one zone's outage
    takes every instance).

    ## References
    Google SRE book, "Embracing Risk" and "The Calculus of Service Availability"; AWS, "Amazon RDS Multi-AZ";
    PostgreSQL documentation, "High Availability" (27).
    """
    target, stated = target_of(spec)
    split = shards(arch, spec)
    numbers = level_for(target, bool(split))
    variants = {_level_name(lv): [f"{lv.zones} zones", f"{lv.zones} zone(s)"] for lv in LEVELS}
    steered = steer(spec, "availability", _level_name(numbers), variants, (zones_and_failover.code, zones_and_failover.name))
    level = planned_level(spec, arch)
    built = _build(spec, analysis, arch, (target, stated, split), level)
    by_numbers = _build(spec, analysis, arch, (target, stated, split), numbers) if steered.overruled else built
    assert built.decision is not None
    assert by_numbers.decision is not None
    choices = {"choices": list(variants)}
    yield dataclasses.replace(built, decision=settled(steered, by_numbers.decision.model_copy(update=choices), built.decision.model_copy(update=choices)))


def planned_level(spec: Spec, arch: Architecture) -> Level:
    """The level the plan builds: the numbers' (target, sharded data) unless the spec author chose another.

    Pure over what the capacity and partitioning stages decided, so stages before the
    availability stage (technology, search) state the same zones and copies the plan builds.
    """
    numbers = level_for(target_of(spec)[0], bool(shards(arch, spec)))
    variants = {_level_name(lv): [f"{lv.zones} zones", f"{lv.zones} zone(s)"] for lv in LEVELS}
    steered = steer(spec, "availability", _level_name(numbers), variants, ("PAT048", "zones-and-failover"))
    return next(lv for lv in LEVELS if _level_name(lv) == steered.build)


def _consequences(level: Level) -> str:
    """What a level means for the deployables: several zones carry the peak with one lost; one zone goes down with it."""
    if level.zones > 1:
        return (
            "Every deployable runs at least one instance per zone and enough to carry the peak with a zone lost; stateless instances make any of them "
            "interchangeable behind the load balancer."
        )
    return (
        "Every deployable runs in one zone: losing the zone stops the system until it is rebuilt elsewhere (the RTO above); stateless "
        "instances make any of them interchangeable behind the load balancer."
    )


def largest_database_bytes(arch: Architecture, known: dict[str, float]) -> float:
    """The largest physical database after a year, the one a restore waits for: a modular monolith's schemas are one database,
    so their sizes add up (each schema is a datastore with a size of its own).

    A database's size is its datastore figure (``bytes.1y.datastore.<store>``: every table it holds), never one table's;
    ``as_built`` gives the figures with the outbox, processed-events and idempotency tables the design adds after this stage."""
    physical: dict[str, float] = {}
    for store in arch.datastores:
        name = database_of(arch, store)
        physical[name] = physical.get(name, 0.0) + known.get(f"bytes.1y.datastore.{store.name}", 0.0)
    return max(physical.values(), default=0.0)


def as_built(spec: Spec, analysis: Analysis, arch: Architecture) -> tuple[Architecture, dict[str, float]]:
    """The architecture with every table its databases will hold and its figures: the messaging stage adds the outbox,
    processed-events and idempotency tables after the availability plan, and a restore waits for them too, so the plan
    reads the sizes that stage will state rather than the tables known so far (twitter's 'largest database' was its
    tweets table alone, 4 TB short of tweets-db)."""
    built = derive_messaging_tables(spec, analysis, arch)
    return built, figures(built)


def _level_name(level: Level) -> str:
    return f"{level.name}, {level.standbys} standby(s)"


def _build(spec: Spec, analysis: Analysis, arch: Architecture, given: tuple[float, bool, dict[str, int]], level: Level) -> Applied:
    """Everything one level of redundancy adds: the plan, the load balancer, the figures and the record."""
    target, stated, split = given
    composite = level.composite()
    known = figures(arch)
    db_bytes = largest_database_bytes(*as_built(spec, analysis, arch))
    if level.standbys:
        rto, rpo, failover = AUTO_FAILOVER_S, 0.0, "automatic"
        rto_formula, rto_inputs = "failover_s (automatic: detection + promotion + reconnect)", {"failover_s": AUTO_FAILOVER_S}
    else:
        rto = PROVISION_S + db_bytes / RESTORE_BYTES_PER_S + WAL_REPLAY_S
        rpo, failover = WAL_ARCHIVE_S, "manual"
        rto_formula = "provision_s + database_bytes / restore_bytes_per_s + wal_replay_s"
        rto_inputs = {"provision_s": PROVISION_S, "database_bytes": db_bytes, "restore_bytes_per_s": RESTORE_BYTES_PER_S, "wal_replay_s": WAL_REPLAY_S}
    database = named(spec, "postgresql-ha" if level.standbys else "postgresql")
    lb = named(spec, "load-balancer")
    copies = level.standbys + 1
    db_text = (
        f"{database}: a primary and {level.standbys} synchronous standby(s) in other zones ({copies} copies), "
        f"readable standbys (each serves {REPLICA_READS}, counted apart from the read replicas), automatic failover"
        if level.standbys
        else f"{database}: one primary with daily base backups and WAL archiving; manual recovery by restore"
    )
    if split:
        db_text += _shard_sets(spec, analysis, arch, split, known)
    sized = [f for f in arch.figures if f.key.startswith("instances.deployable.")] or [
        f for f in arch.figures if f.key.startswith("instances.") and f.key.count(".") == 1
    ]
    deployables = {f.key.rsplit(".", 1)[-1] if "deployable" in f.key else f.key.split(".", 1)[1]: f.value for f in sized}
    peaks = {name: f.inputs.get("peak", 0.0) for name, f in zip(deployables, sized, strict=True)}
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    inserts = {t: table_inserts(known, tables[t], analysis.peak_factor) for t in split}
    at_horizon = {t: known.get(f"bytes.{horizon(spec):g}y.{t}", 0.0) for t in split}
    together = shard_map_totals(arch, spec)
    rates = {name: f.inputs.get("instance_rps", INSTANCE_RPS) for name, f in zip(deployables, sized, strict=True)}
    zone_loss = {name: _zone_loss(peaks[name], level.zones, rates[name]) for name in deployables}
    # a real-time gateway is a deployable of its own, sized by open connections: its nodes spread the same way
    gateways = {c.name: c.instances or 1 for c in arch.components if c.kind == "realtime-gateway"}
    zone_loss |= {name: _zone_spread(nodes, level.zones) for name, nodes in gateways.items()}
    deployables |= {name: float(nodes) for name, nodes in gateways.items()}
    checks = (
        f"{lb} across {level.zones} zone(s): readiness checks (/readyz) every {HEALTH_INTERVAL_S} s, {HEALTH_FAILURES} failures take an instance out "
        f"of rotation; liveness (/healthz) restarts a stuck process; {DRAIN_S} s connection draining on deploys"
    )
    parts = {"load balancer": LOAD_BALANCER, f"instances ({level.zones} zone(s))": level.compute, "database": level.database}
    plan = AvailabilityPlan(
        target=target,
        topology="single-zone" if level.zones == 1 else "multi-zone",
        zones=level.zones,
        regions=list(spec.scale.regions[:1]),
        database=db_text,
        failover=failover,
        rto_seconds=rto,
        rpo_seconds=rpo,
        composite=composite,
        parts=parts,
        impacts=impacts(analysis, arch, readable_standbys=level.standbys > 0, rto_seconds=rto),
        load_balancer=checks,
        redundancy={"database": f"{copies} copies" + (" (3 per shard)" if split else "")},
        rationale="",
    )
    verdict = "meets" if composite >= target else "falls short of"
    spread = ", ".join(f"{name} {max(int(deployables[name]), zone_loss[name])}" for name in deployables)
    choice = (
        f"{plan.topology} across {level.zones} zone(s): {lb} with health checks in front of redundant instances ({spread}, spread over the zones); "
        f"{db_text}; {failover} failover, RTO {fmt(rto)} s, RPO {fmt(rpo)} s; composite {composite:.3%} {verdict} the {target:.3%} target"
    )
    rationale = (
        f"composite = load balancer {LOAD_BALANCER:.2%} x instances {level.compute:.2%} x database {level.database:.2%} = {composite:.3%}; "
        + (
            "the cheaper levels give " + ", ".join(f"{lv.composite():.3%}" for lv in LEVELS if lv.composite() < composite)
            if level != LEVELS[0]
            else "the cheapest level suffices"
        )
        + (f"; {_sharded_said(arch, split)}: losing a node must not stop a shard, so three copies per shard" if split else "")
    )
    if composite < target:
        rationale += f"; one region tops out at {LEVELS[-1].composite():.3%}: the target needs a second region (scale.regions) with automatic failover"
    made = decision(
        "availability",
        "Availability: zones, failover and load balancing",
        "availability",
        choice,
        f"target {target:.3%}"
        + ("" if stated else " (assumed)")
        + f"; {sum(deployables.values()):,.0f} instances at peak; "
        + (f"database {size(db_bytes)} after a year" if len(databases(arch)) <= 1 else f"largest database {size(db_bytes)} after a year"),
        rationale,
        alternatives=[(_level_name(lv), f"composite {lv.composite():.3%}") for lv in LEVELS if lv != level],
        consequences=_consequences(level),
        subject="system",
        inputs={"target": target, "composite": composite, "zones": float(level.zones), "standbys": float(level.standbys)},
        decided_by="numbers" if stated else "default",
        spec=spec,
    )
    return Applied(
        made,
        components=(
            Component(
                name="load-balancer",
                kind="load-balancer",
                technology=lb,
                purpose=f"spreads requests over the instances in {level.zones} zone(s)",
                decision=made.id,
            ),
        ),
        figures=_figures(
            target, parts, (rto, rto_formula, rto_inputs), rpo, level, (zone_loss, peaks, rates, gateways), (split, inserts, at_horizon, together), known
        )
        + _second_region(spec, composite, target),
        availability=plan,
        assumptions=() if stated else (f"scale.availability: not given; {DEFAULT_AVAILABILITY:.1%} assumed",),
    )


def _second_region(spec: Spec, composite: float, target: float) -> tuple[Figure, ...]:
    """What would meet a target one region falls short of: a second region with automatic failover (the critic names it)."""
    if composite >= target or len(spec.scale.regions) > 1:
        return ()
    return (
        figure(
            "availability.second_region",
            "availability with a second region and automatic failover (what the target needs; scale.regions names one region or none)",
            with_failover(composite, AUTO_REGION_FAILOVER_S),
            "ratio",
            "1 - (1 - one_region) x min(1, failover_s / mean_outage_s)",
            {"one_region": composite, "failover_s": AUTO_REGION_FAILOVER_S, "mean_outage_s": MEAN_OUTAGE_S},
        ),
    )


def _zone_loss(peak: float, zones: int, instance_rps: float = INSTANCE_RPS) -> int:
    """Instances that carry ``peak`` with one of ``zones`` lost.

    >>> _zone_loss(2_000, 2), _zone_loss(2_000, 3), _zone_loss(10, 1), _zone_loss(2_000, 2, 2_000)
    (8, 6, 1, 2)
    """
    return _zone_spread(math.ceil(peak / instance_rps), zones)


def _sharded_said(arch: Architecture, split: dict[str, int]) -> str:
    """The sharded tables counted as the design records them (``sharded_today``): those on shards today, and those whose
    shards the growth stage builds later, never all of them as sharded today.

    >>> from backend_architect.ir.model import Datastore, Sharding, Table
    >>> t = lambda n, now: Table(name=n, columns=[], primary_key=["id"], sharding=Sharding(key="id", reason="r", now=now))
    >>> arch = Architecture(system="a", datastores=[Datastore(name="d", engine="postgresql", tables=[t("a", True), t("b", False)])])
    >>> _sharded_said(arch, {"a": 4, "b": 2})
    '2 sharded table(s) (1 on shards today, 1 at the growth stage)'
    """
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    today = sum(1 for name in split if name in tables and sharded_today(tables[name]))
    if today == len(split):
        return f"{len(split)} sharded table(s)"
    return f"{len(split)} sharded table(s) ({today} on shards today, {len(split) - today} at the growth stage)"


#: Copies of each shard: a primary and two synchronous standbys (replication factor 3).
SHARD_COPIES = 3


def _shard_sets(spec: Spec, analysis: Analysis, arch: Architecture, split: dict[str, int], known: dict[str, float]) -> str:
    """Each shard map as a replica set, said as built now or once sharded by the one timing the growth plan states
    (``shard_timings``): a map runs now when any of its tables is on it, and a table of it that moves on later says so."""
    timings = shard_timings(arch, spec, analysis.peak_factor)

    def said_of(table: str, count: int) -> str:
        timing = timings.get(table)
        said = _shard_nodes(table, count, known)
        if timing is None or not timing.map_now or timing.now:
            return said
        moves = f"{table} moves onto it later, see growth"
        return f"{said[:-1]}; {moves})" if said.endswith(")") else f"{said} ({moves})"

    now = {t: timings[t].map_now for t in split if t in timings}
    built = ", ".join(said_of(t, n) for t, n in split.items() if now.get(t, True))
    later = ", ".join(said_of(t, n) for t, n in split.items() if not now.get(t, True))
    said = f"; each shard a 3-node replica set (replication factor 3): {built} (built now)" if built else ""
    if later:
        said += f"; {'and ' if built else ''}once sharded (see growth), each shard a 3-node replica set (replication factor 3): {later}"
    return said


def _shard_nodes(table: str, count: int, known: dict[str, float]) -> str:
    """A shard map's nodes: shards x (copies + read replicas per shard); a part living on its parent's shards names no nodes of its own."""
    replicas = known.get(f"db.shard.read_replicas.{table}")
    if replicas is None:
        # the map's owner may be a table it is no part of (messages on their chats' map): say it shares the map, nothing more
        return f"{table} {count} shards (on the shard map it shares, no nodes of its own)"
    return f"{table} {count} shards x {SHARD_COPIES + replicas:g} nodes = {fmt(count * (SHARD_COPIES + replicas))} nodes"


def _zone_spread(needed: int, zones: int) -> int:
    """Nodes, at least one per zone, such that the ``needed`` ones survive losing a zone.

    >>> _zone_spread(4, 2), _zone_spread(4, 3), _zone_spread(1, 1)
    (8, 6, 1)
    """
    return max(zones, math.ceil(needed * zones / max(1, zones - 1)))


def _figures(
    target: float,
    parts: dict[str, float],
    rto: tuple[float, str, dict[str, float]],
    rpo: float,
    level: Level,
    zones: tuple[dict[str, int], dict[str, float], dict[str, float], dict[str, int]],
    sharding: tuple[dict[str, int], dict[str, float], dict[str, float], dict[str, MapTotal]],
    known: dict[str, float],
) -> tuple[Figure, ...]:
    composites = {f"composite_{lv.standbys}_standbys": lv.composite() for lv in LEVELS}
    found = [
        figure(
            "availability.composite",
            "availability computed from the parts every request needs",
            math.prod(parts.values()),
            "ratio",
            "product of the parts' availabilities",
            dict(parts),
        ),
        figure("availability.rto_seconds", "time to recover from losing the database primary", rto[0], "s", rto[1], rto[2]),
        figure(
            "availability.rpo_seconds",
            "writes that may be lost when the primary is lost",
            rpo,
            "s",
            "0 with a synchronous standby, else wal_archive_s",
            {"standbys": float(level.standbys), "wal_archive_s": WAL_ARCHIVE_S},
        ),
        figure(
            "db.standbys",
            "readable standbys for availability (failover targets that serve reads meanwhile)",
            float(level.standbys),
            "standbys",
            "2 when sharded, else the standbys of the cheapest level whose composite meets the target",
            {"target": target, "sharded": float(bool(sharding[0]))} | composites,
        ),
        # a standby is readable: the nodes serving reads that tolerate lag are the standbys and the load's read replicas, counted
        # once here; the replicas are sized without the standbys (a failover takes a standby's reads away when they are needed)
        figure(
            READ_COPIES,
            f"copies serving {REPLICA_READS} (the readable standbys and the read replicas the load adds)",
            known.get("db.read_replicas", 0.0) + level.standbys,
            "copies",
            "read_replicas + standbys (a standby is readable: it serves reads until a failover promotes it)",
            {"read_replicas": known.get("db.read_replicas", 0.0), "standbys": float(level.standbys)},
        ),
    ]
    zone_loss, peaks, rates, gateways = zones
    for name, count in zone_loss.items():
        if name in gateways:
            formula = "max(zones, ceil(nodes x zones / max(1, zones - 1)))"
            inputs = {"nodes": float(gateways[name]), "zones": float(level.zones)}
        else:
            formula = "max(zones, ceil(ceil(peak / instance_rps) x zones / max(1, zones - 1)))"
            inputs = {"peak": peaks[name], "zones": float(level.zones), "instance_rps": rates[name]}
        found.append(
            figure(
                f"instances.zone_loss.{name}", f"instances of {name} that carry the peak with one zone lost", float(count), "instances", formula, inputs, name
            )
        )
    split, inserts, at_horizon, together = sharding
    for table, count in split.items():
        inputs = {
            "bytes_at_horizon": at_horizon[table],
            "hot_store": HOT_STORE_BYTES,
            "peak_inserts": inserts[table],
            "write_ceiling": PRIMARY_WRITE_CEILING,
            "write_headroom": WRITE_HEADROOM,
        }
        formula = "max(2, ceil(bytes_at_horizon / hot_store), ceil(peak_inserts / (write_ceiling x write_headroom)))"
        shared = together[table]
        if len(shared.tables) > 1:
            # the tables of one shard map share its shards: sized together, the count every member states
            formula = (
                "max(2, ceil(map_bytes_at_horizon / hot_store), ceil(map_peak_inserts / (write_ceiling x write_headroom))) "
                f"(the shard map's tables together: {', '.join(shared.tables)})"
            )
            inputs = {
                "map_bytes_at_horizon": shared.bytes_at_horizon,
                "hot_store": HOT_STORE_BYTES,
                "map_peak_inserts": shared.peak_inserts,
                "write_ceiling": PRIMARY_WRITE_CEILING,
                "write_headroom": WRITE_HEADROOM,
            }
        found.append(figure(f"db.shards.{table}", f"shards of {table}", float(count), "shards", formula, inputs, table))
        replicas = known.get(f"db.shard.read_replicas.{table}")
        if replicas is not None:
            found.append(
                figure(
                    f"db.nodes.{table}",
                    f"database nodes of {table}'s shard map",
                    count * (SHARD_COPIES + replicas),
                    "nodes",
                    "shards x (copies + read_replicas_per_shard)",
                    {"shards": float(count), "copies": float(SHARD_COPIES), "read_replicas_per_shard": replicas},
                    table,
                )
            )
    return tuple(found)
