"""What one database's primaries carry: its unsharded primary, and one shard of each shard map, from the one load ledger.

A sharded table's reads and writes spread over its shards (the busiest shard carries the key
skew the spec states), so its replicas and write utilisation are per shard; a read not keyed by
the shard key visits every shard. Tables sharded only at a later growth stage stay on the
database's primary today: their shard figures say what each shard carries once built.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from backend_architect.design.analysis import Analysis
from backend_architect.design.loads import DatabaseLoad
from backend_architect.design.patterns._common import (
    PRIMARY_READ_CEILING,
    PRIMARY_WRITE_CEILING,
    READ_HEADROOM,
    READ_REPLICAS_FORMULA,
    figure,
    figures,
    fmt,
    read_replicas_for,
)
from backend_architect.design.patterns._cross_shard_reads import cross_shard_read
from backend_architect.design.patterns._shards import key_skew, map_eta, shard_map, sharded_now, shards
from backend_architect.design.patterns._stores import horizon
from backend_architect.design.row_address import ROW_ID, carried
from backend_architect.design.shard_ids import can_carry_shard, id_shard_said
from backend_architect.design.write_headroom import WRITE_HEADROOM, built_for_writes
from backend_architect.ir.model import Architecture, Figure, Table
from backend_architect.ir.runtime import StoreLoad
from backend_architect.spec.model import Spec


@dataclass(frozen=True)
class ShardGroup:
    """The tables sharing one shard map in one database (a parent and the parts living on its shards)."""

    head: str
    tables: list[str]
    shards: int
    now: bool
    when: str
    reads_keyed: float
    reads_cross: float
    writes: float
    skew: float
    skew_inputs: dict[str, float] = field(default_factory=dict)
    #: Per table, the reads reaching it across shards (``cross_shard_read``), each with its database rate: the data section's list.
    crossing: dict[str, list[str]] = field(default_factory=dict)
    #: Per table, the reads by another column than the key that something routes to one shard (``cross_shard_read``: routed).
    routed: dict[str, list[str]] = field(default_factory=dict)
    #: The writes reaching the primary while this map sat on it, when they passed ``WRITE_HEADROOM`` and built it now (0: not so).
    primary_writes: float = 0.0
    #: Those writes by where they come from (the ledger's terms), for the figure that states them.
    primary_terms: dict[str, float] = field(default_factory=dict)
    #: The tables those writes moved onto the map now (a lagging table promoted, or the whole map built for them): only these
    #: say "built now for the primary's writes"; a table of the map left on the primary by its own numbers does not.
    moved_for_writes: tuple[str, ...] = ()

    @property
    def reads_per_shard(self) -> float:
        return self.reads_keyed / self.shards * self.skew + self.reads_cross

    @property
    def writes_per_shard(self) -> float:
        return self.writes / self.shards * self.skew

    @property
    def replicas(self) -> int:
        return read_replicas_for(self.reads_per_shard)


@dataclass(frozen=True)
class Primaries:
    """One database's load by primary: the unsharded primary (tables not sharded today) and each shard map."""

    reads: dict[str, float]
    writes: dict[str, float]
    groups: list[ShardGroup]
    #: The sharded tables whose rows are on their shard map today: every other sharded table's reads and writes are counted on
    #: the unsharded primary above. The one answer to "sharded now?" the design records (``Sharding.now``) and every section reads.
    on_shards: frozenset[str] = frozenset()
    #: Per sharded table whose ids carry their logical shard (``design/shard_ids.py``): the record saying so, with the reads by
    #: id that would have asked every shard (``Sharding.id_shard``).
    id_shards: dict[str, str] = field(default_factory=dict)

    @property
    def built(self) -> list[ShardGroup]:
        return [g for g in self.groups if g.now]


def primaries(spec: Spec, analysis: Analysis, arch: Architecture, db_stores: list[str], load: DatabaseLoad) -> Primaries:
    """Split ``load`` (one database's ledger) over its unsharded primary and its shard maps."""
    known = figures(arch)
    growth, years = spec.scale.growth_per_year or 0.0, horizon(spec)
    counts = shards(arch, spec)
    sharded: dict[str, Table] = {t.name: t for s in arch.datastores if s.name in db_stores for t in s.tables if t.sharding is not None}
    table_of = {t.entity or t.name: t.name for s in arch.datastores if s.name in db_stores for t in s.tables}
    ids = {f"peak_{u.id}": u.name for u in analysis.use_cases}
    by = {m.key: m for m in load.mechanisms}
    members: dict[str, list[str]] = {}
    for name in sharded:
        members.setdefault(shard_map(name, sharded), []).append(name)
    timing = {name: sharded_now(t, known, growth, years, analysis.peak_factor) for name, t in sharded.items()}
    # each table's reads (keyed: on the shard its key hashes to; cross: on every shard) and writes, summed per map below
    keyed: dict[str, float] = dict.fromkeys(sharded, 0.0)
    cross: dict[str, float] = dict.fromkeys(sharded, 0.0)
    crossing: dict[str, list[str]] = {}
    routed: dict[str, list[str]] = {}
    carrying = {n for n, t in sharded.items() if can_carry_shard(spec, analysis, t, counts[n])}
    key_of = {n: t.sharding.key for n, t in sharded.items() if t.sharding is not None}
    gets = _gets_by_id(analysis, arch, sharded)
    by_id_shard: dict[str, float] = {}
    for key, value in load.reads.items():
        table = table_of.get(load.entity_of.get(key, ""))
        sharding = sharded[table].sharding if table in sharded else None
        if table is None or sharding is None:
            continue  # a table on the unsharded primary
        use_case = ids.get(key)
        # a use case's own get listed as selecting by no shard key: routed all the same when its path carries the key or its id its shard
        own = gets.get(use_case or "") if key not in by and use_case in sharding.cross_shard else None
        said = cross_shard_read(key, value, by.get(key) or own, use_case, sharding, table in carrying)
        if own is not None and said is not None and not said.routed:
            said = cross_shard_read(key, value, None, use_case, sharding)
        if said is not None:
            (routed if said.routed else crossing).setdefault(table, []).append(said.text)
        if said is not None and said.by_id_shard:
            by_id_shard[table] = by_id_shard.get(table, 0.0) + value
        if said is not None and said.every_shard:
            cross[table] += value
        else:
            keyed[table] += value
    writes = {n: sum(v for k, v in load.writes.items() if table_of.get(load.entity_of.get(k, "")) == n) for n in sharded}

    def group(head: str, names: list[str], now: bool, when: str, on: set[str]) -> ShardGroup:
        """One map's load over the tables ``on`` it (a map running now carries only the tables on it today)."""
        skew, skew_inputs = key_skew(spec, sharded[head], counts[head])
        return ShardGroup(
            head, sorted(names), counts[head], now, when, sum(keyed[n] for n in on), sum(cross[n] for n in on), sum(writes[n] for n in on),
            skew, skew_inputs, {n: crossing[n] for n in names if n in crossing}, {n: routed[n] for n in names if n in routed},
        )  # fmt: skip

    groups = []
    for head, names in members.items():
        now = any(timing[n][0] for n in names)
        # one map, one date: the earliest of its tables' (``map_eta``), else the one each says (none passes a primary's store)
        when = "now" if now else (map_eta([sharded[n] for n in names], growth, years)[0] or timing[names[0]][1])
        groups.append(group(head, names, now, when, set(names)))
    # a map built now for some of its tables (a chat's messages, past the inserts one primary takes) leaves a table whose own
    # numbers build it later (the chats they belong to) on the primary, with its writes: the load counts them there
    lagging = {n for g in groups if g.now for n in g.tables if not timing[n][0]}
    groups, promoted = _built_for_writes(groups, load, table_of, lagging)
    moved = {n for g in groups if g.now for n in g.tables if n not in lagging or n in promoted}
    # a map running today carries the tables on it today, never the reads and writes of one still on the primary (counted there)
    groups = [
        replace(g, reads_keyed=fresh.reads_keyed, reads_cross=fresh.reads_cross, writes=fresh.writes)
        if g.now and (fresh := group(g.head, g.tables, True, "now", set(g.tables) & moved))
        else g
        for g in groups
    ]

    def on_primary(key: str) -> bool:
        return table_of.get(load.entity_of.get(key, "")) not in moved

    return Primaries(
        {k: v for k, v in load.reads.items() if on_primary(k)},
        {k: v for k, v in load.writes.items() if on_primary(k)},
        sorted(groups, key=lambda g: g.head),
        frozenset(moved),
        {n: id_shard_said(key_of[n], rate, counts[n]) for n, rate in by_id_shard.items()},
    )


def _gets_by_id(analysis: Analysis, arch: Architecture, sharded: dict[str, Table]) -> dict[str, StoreLoad]:
    """Each get of one sharded row by its id and nothing else, as the read it makes: by id, carrying what its request names
    beside the id (a parent id in its path, the caller's own id on an owner-only request), so a get under its parent's path
    on a table sharded by that parent is routed by it, as a read-back of the same path is (``row_address.carried``)."""
    ops = {name: op for api in arch.apis for op in api.operations for name in op.use_cases}
    tables = {t.entity: t for t in sharded.values() if t.entity}
    found = {}
    for u in analysis.use_cases:
        table = tables.get(u.entity)
        if u.kind != "get" or u.filters or table is None:
            continue
        carries = carried(ops.get(u.name), table, u.caller_column)
        found[u.name] = StoreLoad(entity=u.entity, key=f"peak_{u.id}", quantity=u.name, formula="peak", by=ROW_ID, carries=carries)
    return found


def _built_for_writes(groups: list[ShardGroup], load: DatabaseLoad, table_of: dict[str, str], lagging: set[str]) -> tuple[list[ShardGroup], set[str]]:
    """The shard maps built now because the primary holding them is past its write headroom (``built_for_writes``).

    The primary's writes are the ledger's, every write the critic (DES013) and ``db.write_utilisation`` count: inserts,
    updates and deletes of every table on it, and the guarantee rows committed beside them; maps already built are off it,
    all but their ``lagging`` tables (built later by their own numbers), whose writes stay on it and which move onto their
    map when they keep it past the headroom (a chat updated by every message sent in it). Also returns the lagging tables
    so moved: the others stay on the primary.
    """
    gone = {n for g in groups if g.now for n in g.tables} - lagging

    def owner(key: str) -> str | None:
        return table_of.get(load.entity_of.get(key, ""))

    terms = {k: v for k, v in load.writes.items() if owner(k) not in gone}
    waiting = {g.head: g.writes for g in groups if not g.now}
    own = {n: sum(v for k, v in terms.items() if owner(k) == n) for n in lagging}
    chosen = built_for_writes(sum(terms.values()), waiting | own)
    promoted: dict[str, ShardGroup] = {}
    moved: set[str] = set()
    reaching = sum(terms.values())
    for name in chosen:
        group = next(g for g in groups if (name in g.tables if name in lagging else g.head == name and not g.now))
        group = promoted.get(group.head, group)
        moving = {name} if name in lagging else set(group.tables)
        promoted[group.head] = replace(
            group, now=True, when="now", primary_writes=reaching, primary_terms=dict(terms), moved_for_writes=(*group.moved_for_writes, *sorted(moving))
        )
        moved |= moving & lagging
        reaching -= own[name] if name in lagging else group.writes
        terms = {k: v for k, v in terms.items() if owner(k) not in moving}
    return [promoted.get(g.head, g) for g in groups], moved


def shard_figures(db: str, group: ShardGroup) -> list[Figure]:
    """The figures of one shard map: reads, writes, replicas and write utilisation of one (the busiest) shard."""
    scope = group.head
    when = "" if group.now else f" once sharded ({group.when})"
    skew = {"skew": group.skew} | group.skew_inputs
    skew_formula = "1 + (shards - 1) x max_per_parent / rows" if group.skew_inputs else "1 (no bound on one key's rows stated)"
    return [
        figure(
            f"db.shard.skew.{scope}",
            f"load of the busiest shard of {scope} over the average shard",
            group.skew,
            "x",
            skew_formula,
            {"shards": float(group.shards)} | group.skew_inputs,
            scope,
        ),
        figure(
            f"db.shard.reads.{scope}",
            f"peak reads reaching one shard of {scope} ({db}){when}",
            group.reads_per_shard,
            "req/s",
            "reads_keyed / shards x skew + reads_cross_shard",
            {"reads_keyed": group.reads_keyed, "shards": float(group.shards), "reads_cross_shard": group.reads_cross} | skew,
            scope,
        ),
        figure(
            f"db.shard.writes.{scope}",
            f"peak writes reaching one shard of {scope} ({db}){when}",
            group.writes_per_shard,
            "writes/s",
            "writes / shards x skew",
            {"writes": group.writes, "shards": float(group.shards)} | skew,
            scope,
        ),
        figure(
            f"db.shard.read_replicas.{scope}",
            f"read replicas each shard of {scope} needs{when}",
            group.replicas,
            "replicas",
            READ_REPLICAS_FORMULA.format(reads="shard_reads"),
            {"shard_reads": group.reads_per_shard, "primary_read_ceiling": PRIMARY_READ_CEILING, "read_headroom": READ_HEADROOM},
            scope,
        ),
        figure(
            f"db.shard.write_utilisation.{scope}",
            f"share of one shard primary's write ceiling {scope} uses at peak{when}",
            group.writes_per_shard / PRIMARY_WRITE_CEILING,
            "ratio",
            "shard_writes / primary_write_ceiling",
            {"shard_writes": group.writes_per_shard, "primary_write_ceiling": PRIMARY_WRITE_CEILING},
            scope,
        ),
        *(
            figure(
                f"db.shard.primary_writes.{table}",
                f"peak writes reaching {db}'s primary with {table} on it (past {WRITE_HEADROOM:.0%} of one primary's "
                f"{fmt(PRIMARY_WRITE_CEILING)}/s: {scope}, carrying most of them, sharded now)",
                group.primary_writes,
                "writes/s",
                "sum of the peak writes reaching the primary (each table's inserts, updates and deletes, and the rows committed with them)",
                group.primary_terms,
                table,
            )
            for table in group.moved_for_writes
            if group.primary_writes > 0
        ),
    ]


def describe(group: ShardGroup) -> str:
    """One shard map's load per shard, for decisions and growth stages."""
    tables = group.head if len(group.tables) == 1 else f"{group.head} (with {', '.join(t for t in group.tables if t != group.head)})"
    skew = f" (busiest shard x{group.skew:.2f}: one key's rows bounded by max_per_parent)" if group.skew > 1.0005 else ""
    return (
        f"{tables}: {group.shards:,} shards, each {fmt(group.writes_per_shard)} writes/s = {group.writes_per_shard / PRIMARY_WRITE_CEILING:.1%} of one "
        f"primary and {fmt(group.reads_per_shard)} reads/s{skew}, {group.replicas} read replica(s) per shard"
    )


__all__ = ["Primaries", "ShardGroup", "describe", "primaries", "shard_figures"]
