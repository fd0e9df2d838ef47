"""PAT003: what reaches each database after caches and read models, and the replicas its reads need."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.loads import database_loads, database_share, databases
from backend_architect.design.overrides import honoured, override_for, overruled
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._common import (
    PRIMARY_READ_CEILING,
    PRIMARY_WRITE_CEILING,
    READ_HEADROOM,
    READ_REPLICAS_FORMULA,
    decision,
    figure,
    figures,
    fmt,
    read_replicas_for,
    table_of,
)
from backend_architect.design.patterns._shard_load import Primaries, ShardGroup, describe, primaries, shard_figures
from backend_architect.design.pools import reaching_pool_figures
from backend_architect.design.region_homes import home_note, region_plan
from backend_architect.design.replica_reads import READ_INDEX, read_split
from backend_architect.design.shard_ids import with_shard_ids
from backend_architect.ir.database_nodes import REPLICA_READS
from backend_architect.ir.model import Architecture, Decision, Figure, Table
from backend_architect.ir.query import BUSIEST_READS, BUSIEST_WRITES, database_of
from backend_architect.ir.runtime import StoreLoad
from backend_architect.spec.model import DecisionOverride, Spec

#: Share of a cached path's reads that still reach the database when its hit ratio is not known.
UNKNOWN_MISS_SHARE = 1.0

__all__ = ["database_load", "databases"]


@pattern(code="PAT003", name="database-load", stage="database", title="Size each database by the reads and writes that reach it")
def database_load(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Every design: each physical database (one for a modular monolith, one per service
    otherwise) gets the reads that reach it after CDNs, caches, read models and the search
    engine (a cached path sends only its misses: ``peak x (1 - hit ratio)``; a full-text
    search over documents the search engine holds sends none), and the writes of request use
    cases and of batch jobs. The mechanisms serving each path say what reaches the database
    (``design/loads.py`` computes it once for every stage): a write kept in memory sends none,
    a read a proximity set or precomputed list answers sends none, and a mechanism's own reads
    and writes count where they land (a fan-out worker's follower pages, a job's rows), each
    with a figure of its own (``db.mechanism.<key>``). Reads past ``READ_HEADROOM`` (70%) of
    ``PRIMARY_READ_CEILING`` need read replicas: a node run hotter has no room for a burst,
    a cold cache or a failover.

    ## What it adds
    Per database: peak reads and writes reaching it, read replicas
    (``ceil(reads / (ceiling x headroom)) - 1``), write utilisation of its one primary; per service, its connection
    pool re-sized from those reads and writes (``connections.<service>``: a CDN or cache hit holds no connection); system figures
    ``db.read_replicas`` and ``db.write_utilisation`` are the worst database's.

    ## What it costs
    A replica costs a node and lag (reads routed to it must tolerate seconds of staleness).

    ## Alternatives
    Caching more paths (cheaper when staleness is allowed); sharding (when writes, not reads, pass the ceiling).

    ## References
    PostgreSQL documentation, "High Availability, Load Balancing, and Replication".
    """
    known = figures(arch)
    shares: dict[str, float] = {}
    for plan in arch.caches:
        if plan.strategy == "read-model":
            # a read model answers alone unless the mechanism serving it still reads rows it does not hold (``paths.unserved``)
            served = any(m.use_case == plan.use_case and m.serves == "read" for m in arch.mechanisms)
            shares[plan.use_case] = database_share(arch, plan.use_case, "read") if served else 0.0
        elif plan.strategy in {"cache-aside", "cdn"}:
            use_case = next((u for u in analysis.use_cases if u.name == plan.use_case), None)
            if use_case is not None:
                # a shared cache behind the CDN answers part of what the edge misses
                behind = known.get(f"cache.origin.hit_ratio.{use_case.id}", 0.0) if plan.origin_ttl_seconds else 0.0
                shares[plan.use_case] = (1 - known.get(f"cache.hit_ratio.{use_case.id}", 0.0)) * (1 - behind)
    for use_case in analysis.use_cases:
        if not use_case.is_write and _searched_elsewhere(arch, use_case.entity, bool(use_case.spec.search)):
            shares[use_case.name] = 0.0
    ledger = database_loads(analysis, arch, shares)
    # which shard maps hold their tables today is the split's answer (writes alone move a table onto its map); a read joining a
    # table on another server today is then two reads, each counted on its server (design/split_joins.py)
    today = {name for db in databases(arch) for name in primaries(spec, analysis, arch, _stores_of(arch, db), ledger[db]).on_shards}
    ledger = database_loads(analysis, arch, shares, {t.name: t.name in today for s in arch.datastores for t in s.tables if t.sharding})
    home = home_note(region_plan(spec, analysis))
    reads = {db: load.reads for db, load in ledger.items()}
    writes = {db: load.writes for db, load in ledger.items()}
    out: list[Figure] = [
        # one quantity, one unit: a load that only writes is the writes/s its own figure states (last seen written back)
        figure(f"db.mechanism.{load.key}", load.quantity, load.reads_per_s + load.writes_per_s, _unit(load), load.formula, load.inputs, db)
        for db, found in ledger.items()
        for load in found.mechanisms
    ]
    # the pools re-sized from what reaches each database, now that the caches are known (the earlier sizings had none)
    out += reaching_pool_figures(arch, ledger)
    notes: list[str] = []
    crossing: dict[str, list[str]] = {}
    routed: dict[str, list[str]] = {}
    placed: dict[str, tuple[bool, list[str]]] = {}
    id_shards: dict[str, str] = {}
    worst_replicas, worst_util, worst_read, worst_write, worst_which, worst_reader = 0, 0.0, 0.0, 0.0, "no database", "no database"
    replica_inputs: dict[str, float] = {}
    for db in databases(arch):
        read = sum(reads[db].values())
        write = sum(writes[db].values())
        split = primaries(spec, analysis, arch, _stores_of(arch, db), ledger[db])
        on_primary, primary_writes = sum(split.reads.values()), sum(split.writes.values())
        lagging, strong = read_split(analysis, arch, split.reads)
        needed = read_replicas_for(on_primary)
        override = override_for(spec, f"read-replicas.{db}", (database_load.code, database_load.name))
        replicas, problem = _steered(needed, override, db)
        if problem:
            notes.append(problem)
        # the busiest primary is whichever carries most: the unsharded one (tables not sharded) or one shard of a map; say which
        candidates = [(primary_writes, f"{db}'s {'unsharded ' if split.built else ''}primary" + _writes_said(split))]
        candidates += [(g.writes_per_shard, f"one shard of {g.head} ({db})") for g in split.built]
        busiest, which = max(candidates, key=lambda c: c[0])
        # the busiest reader named from the same candidates its figure takes the max of, so no section puts it on another table
        readers = [(on_primary, f"{db}'s {'unsharded ' if split.built else ''}primary")]
        readers += [(g.reads_per_shard, f"one shard of {g.head} ({db})") for g in split.built]
        busiest_read, reader = max(readers, key=lambda c: c[0])
        util = busiest / PRIMARY_WRITE_CEILING
        where = f" ({which}; {_sharded_note(split)}; unsharded primary {fmt(primary_writes)} writes/s)" if split.built else ""
        out += [
            figure(f"db.reads.peak.{db}", f"peak reads reaching {db} after caches", read, "req/s", READ_FORMULA, reads[db], db),
            figure(f"db.writes.peak.{db}", f"peak writes reaching {db}", write, "writes/s", WRITE_FORMULA, writes[db], db),
        ]
        if split.built:
            out += [
                figure(
                    f"db.primary.reads.peak.{db}",
                    f"peak reads reaching {db}'s unsharded primary (tables not sharded today)",
                    on_primary,
                    "req/s",
                    READ_FORMULA,
                    split.reads,
                    db,
                ),
                figure(
                    f"db.primary.writes.peak.{db}",
                    f"peak writes reaching {db}'s unsharded primary (tables not sharded today)",
                    primary_writes,
                    "writes/s",
                    WRITE_FORMULA,
                    split.writes,
                    db,
                ),
            ]
        placed |= _placed(arch, _stores_of(arch, db), split)
        id_shards |= split.id_shards
        for group in split.groups:
            out += shard_figures(db, group)
            for name, crossed in group.crossing.items():
                crossing.setdefault(name, []).extend(crossed)
            for name, through in group.routed.items():
                routed.setdefault(name, []).extend(through)
            if group.now:
                replica_inputs[f"{group.head} per shard"] = float(group.replicas)
        replica_inputs[db] = float(replicas)
        if strong and replicas:
            # the primary's share of the strong reads its copies serve: one WAL-position lookup each, no table read
            out.append(
                figure(
                    f"db.read_index.{db}",
                    f"WAL-position lookups/s {db}'s {'unsharded ' if split.built else ''}primary answers for the strong reads its copies serve (a read index)",
                    strong,
                    "req/s",
                    "strong_reads (one lookup each; reads that tolerate lag take none)",
                    {"strong_reads": strong, "lagging_reads": lagging},
                    db,
                )
            )
        capacity_terms = {f"shards_{g.head}": float(g.shards) for g in split.built} | {f"shard_replicas_{g.head}": float(g.replicas) for g in split.built}
        out += [
            figure(
                f"db.read_replicas.{db}",
                f"read replicas {db}'s {'unsharded ' if split.built else ''}primary needs for its reads",
                replicas,
                "replicas",
                READ_REPLICAS_FORMULA.format(reads="peak_reads")
                if replicas == needed
                else f"decided by the spec author (the reads need: {READ_REPLICAS_FORMULA.format(reads='peak_reads')})",
                {
                    "peak_reads": on_primary,
                    "primary_read_ceiling": PRIMARY_READ_CEILING,
                    "read_headroom": READ_HEADROOM,
                    **({"needed": needed} if replicas != needed else {}),
                },
                db,
            ),
            figure(
                f"db.write_utilisation.{db}",
                f"share of the write ceiling of {db}'s busiest primary used at peak{where}",
                util,
                "ratio",
                "peak_write / primary_write_ceiling",
                {"peak_write": busiest, "primary_write_ceiling": PRIMARY_WRITE_CEILING},
                db,
            ),
            figure(
                f"db.read_capacity.{db}",
                f"reads/s {db} serves with its {'shards and ' if split.built else ''}replicas",
                PRIMARY_READ_CEILING * (1 + replicas + sum(g.shards * (1 + g.replicas) for g in split.built)),
                "req/s",
                "primary_read_ceiling x (1 + replicas" + "".join(f" + shards_{g.head} x (1 + shard_replicas_{g.head})" for g in split.built) + ")",
                {"primary_read_ceiling": PRIMARY_READ_CEILING, "replicas": replicas} | capacity_terms,
                db,
            ),
        ]
        worst_replicas = max([worst_replicas, replicas, *(g.replicas for g in split.built)])
        if util >= worst_util:
            worst_util, worst_write, worst_which = util, busiest, which
        if busiest_read >= worst_read:
            worst_read, worst_reader = busiest_read, reader
        shard_replicas = any(g.replicas for g in split.built)
        if replicas or shard_replicas or (override is not None and not problem and needed):
            shard = _shard_alternative(arch, db, write, split)
            made = _record(db, (lagging, strong), replicas, shard, split, home)
            if override is not None and not problem:
                made = (
                    honoured(made, override)
                    if replicas == needed
                    else overruled(_record(db, (lagging, strong), needed, shard, split, home), override, made.choice, consequences=made.consequences)
                )
            yield Applied(made.model_copy(update={"choices": ["<number of replicas>", "0"]}))
        else:
            yield Skipped(db, _no_replicas(db, on_primary, split))
    out += [
        figure(
            "db.read_replicas",
            "read replicas the busiest primary needs (a database's, or each shard's where sharded)",
            worst_replicas,
            "replicas",
            "max over databases and shard maps of their read replicas",
            replica_inputs,
        ),
        figure(
            "db.read_utilisation",
            f"{BUSIEST_READS} ({worst_reader})",
            worst_read / PRIMARY_READ_CEILING,
            "ratio",
            "max over databases of peak_reads / primary_read_ceiling",
            {"peak_reads": worst_read, "primary_read_ceiling": PRIMARY_READ_CEILING},
        ),
        figure(
            "db.write_utilisation",
            f"{BUSIEST_WRITES} ({worst_which})",
            worst_util,
            "ratio",
            "max over databases of peak_write / primary_write_ceiling",
            {"peak_write": worst_write, "primary_write_ceiling": PRIMARY_WRITE_CEILING},
        ),
    ]
    yield Applied(None, figures=tuple(out), assumptions=tuple(notes), tables=_recorded(arch, (crossing, routed), placed, id_shards))


def _placed(arch: Architecture, stores: list[str], split: Primaries) -> dict[str, tuple[bool, list[str]]]:
    """Each sharded table of one database: whether its rows are on its shard map today (``Primaries.on_shards``: where the
    load counts its reads and writes), and the tables of its map on it today, in the database's order."""
    tables = [t for s in arch.datastores if s.name in stores for t in s.tables if t.sharding is not None]
    maps = {name: g.tables for g in split.groups for name in g.tables}
    return {t.name: (t.name in split.on_shards, [n.name for n in tables if n.name in maps.get(t.name, []) and n.name in split.on_shards]) for t in tables}


def _recorded(
    arch: Architecture,
    reads: tuple[dict[str, list[str]], dict[str, list[str]]],
    placed: dict[str, tuple[bool, list[str]]],
    id_shards: dict[str, str],
) -> tuple[tuple[str, Table], ...]:
    """Sharded tables with their cross-shard reads restated from the ledger, and whether they are sharded today, as the ledger
    counts them: the one record (``Sharding.now``, ``Sharding.on_map_now``) the growth stage, the availability plan, the
    cross-shard writes and every "sharded:" sentence read, so no section calls a table sharded whose load sits on the primary.

    The partitioning stage listed every read selecting by no shard key before any mechanism served
    a path; a read a feed's lists or a search index answers never reaches a shard, so the list the
    data section prints and the per-shard figure count the same reads (``_cross_shard_reads.py``); a read by another column that
    the request routes to one shard is listed apart (``Sharding.routed``), counted with the keyed reads. A table whose ids carry
    their logical shard (``id_shards``, ``design/shard_ids.py``) says so on its sharding, its key reason and its id column: the
    application makes those ids, so the column has no default that would make one naming no shard.
    """
    crossing, routed = reads
    found = []
    for store in arch.datastores:
        for t in store.tables:
            if t.sharding is None:
                continue
            update: dict[str, object] = {"cross_shard": crossing.get(t.name, []), "routed": routed.get(t.name, [])}
            if t.name in placed:
                update |= {"now": placed[t.name][0], "on_map_now": placed[t.name][1]}
            said = id_shards.get(t.name, "")
            update["id_shard"] = said
            table = t.model_copy(update={"sharding": t.sharding.model_copy(update=update)})
            found.append((store.name, with_shard_ids(table) if said else table))
    return tuple(found)


#: How the reads and writes reaching a database are summed (``design/loads.py`` computes them once for every stage).
READ_FORMULA = "sum of peak x (1 - hit_ratio), reads a mechanism performs included (db.mechanism.<key>)"
WRITE_FORMULA = (
    "sum of peak writes x database_share (0: kept in memory), jobs' rows/s (a job writing another entity than it reads: at most that entity's "
    "growth, or its rows once a run) and mechanisms' writes included"
)


def _steered(needed: int, override: DecisionOverride | None, db: str) -> tuple[int, str]:
    """The replicas the spec author decided (a number, forbid: none, force: at least one), or the reads' need; and what could not be done."""
    if override is None:
        return needed, ""
    if override.forbid:
        return 0, ""
    if override.force:
        return max(1, needed), ""
    choice = (override.choose or "").strip().split()[0] if (override.choose or "").strip() else ""
    if choice.isdigit() and int(choice) <= MAX_REPLICAS:
        return int(choice), ""
    return needed, f"decisions.read-replicas.{db}: choose a number of read replicas from 0 to {MAX_REPLICAS}; it changed nothing"


#: More replicas than this means the reads need a cache or shards, not copies (replication and failover coordination grow with each).
MAX_REPLICAS = 15


def _shard_alternative(arch: Architecture, db: str, write: float, split: Primaries) -> tuple[str, str]:
    """Why sharding is not the answer to ``db``'s reads, from the same figures the sharding decision reads.

    A database whose tables are sharded already has its shards (for their writes or size, as
    the sharding decision says); the replicas are about reads. A table sharded only at its growth
    stage is on the unsharded primary today (``Primaries.on_shards``) and is said so, never among
    the tables sharded already. Otherwise the database's peak writes against one primary's
    ceiling say whether writes pass it too.
    """
    tables = [t for s in arch.datastores if database_of(arch, s) == db for t in s.tables if t.sharding is not None]
    sharded = [f"{t.name} by {t.sharding.key} ({t.sharding.reason})" for t in tables if t.sharding is not None and t.name in split.on_shards]
    later = [f"{t.name} by {t.sharding.key}" for t in tables if t.sharding is not None and t.name not in split.on_shards]
    waiting = f"; sharded at the growth stage, on the unsharded primary until then: {', '.join(later)}" if later else ""
    if sharded:
        # what the design shards is never the alternative rejected: the one weighed here is the tables left on the primary
        return (
            f"shard the tables still on {db}'s unsharded primary",
            f"the tables sharded already, for writes and size (the sharding decision): {'; '.join(sharded)}{waiting}; the reads that reach the "
            f"unsharded primary are copied by replicas more cheaply than shards split them",
        )
    if later:
        return (
            f"shard {', '.join(t.name for t in tables if t.name not in split.on_shards)} now",
            f"no table of {db} is sharded today{waiting}; the reads that reach the primary are copied by replicas more cheaply than shards "
            "split them before its growth stage calls for them",
        )
    used = write / PRIMARY_WRITE_CEILING
    share = f"peak writes {fmt(write)}/s = {f'{used:.1%}' if used >= 0.001 else 'under 0.1%'} of one primary's {fmt(PRIMARY_WRITE_CEILING)}/s"
    if write > PRIMARY_WRITE_CEILING:
        return "shard", f"{share}: writes pass it too (the write ceiling bottleneck); replicas carry only the reads"
    return "shard", f"{share}: reads, not writes, pass the ceiling, and replicas copy reads more cheaply than shards split them"


def _stores_of(arch: Architecture, db: str) -> list[str]:
    """The datastores one physical database holds (a schema per module in a modular monolith)."""
    return [s.name for s in arch.datastores if database_of(arch, s) == db]


#: What a write input of the ledger commits, by its key's prefix (``inbox_follow-user_tweets``: a processed-event row).
_WRITE_KINDS = {
    "inbox": "processed-event rows",
    "outbox": "outbox rows",
    "idempotency": "idempotency keys",
    "peak": "rows",
    "rows": "rows",
    "job": "rows jobs write",
}


def _writes_said(split: Primaries) -> str:
    """``: processed-event rows 752/s``: what the writes of a sharded database's unsharded primary are, so its figure is
    not read as the sharded tables' (the busiest primary of a sharded database may be the one holding the rest)."""
    if not split.built:
        return ""
    kinds: dict[str, float] = {}
    for key, value in split.writes.items():
        if value > 0:
            kind = _WRITE_KINDS.get(key.split("_", 1)[0], "other writes")
            kinds[kind] = kinds.get(kind, 0.0) + value
    if not kinds:
        return ""
    return ": " + ", ".join(f"{kind} {fmt(value)}/s" for kind, value in sorted(kinds.items(), key=lambda kv: -kv[1]))


def _sharded_note(split: Primaries) -> str:
    return "per shard where sharded: " + "; ".join(describe(g) for g in split.built)


def _no_replicas(db: str, read: float, split: Primaries) -> str:
    """Why ``db`` needs no replicas: its primary's reads, and each built shard's, within one node."""
    if not split.built:
        return f"read replicas: {fmt(read)} reads/s reach it at peak, within {_planned()}"
    return (
        f"read replicas: {fmt(read)} reads/s reach its unsharded primary and at most {fmt(max(g.reads_per_shard for g in split.built))} "
        f"reach one shard, within {_planned()}"
    )


def _planned() -> str:
    """The read load one node is planned for, as the notes say it."""
    return f"{READ_HEADROOM:.0%} of one node's {fmt(PRIMARY_READ_CEILING)} ({fmt(PRIMARY_READ_CEILING * READ_HEADROOM)}/s)"


def _record(db: str, kinds: tuple[float, float], replicas: int, shard: tuple[str, str], split: Primaries, home: str = "") -> Decision:
    """The replica decision: sized from every read reaching the primary, said with the split of those that tolerate lag and the
    strong ones (``design/replica_reads.py``), which the copies serve through a read index rather than leave uncounted."""
    lagging, strong = kinds
    read = lagging + strong
    per_shard = [g for g in split.built if g.replicas]
    primary = f"{db}'s unsharded primary" if split.built else db
    choice = f"{replicas} read replica(s) for {primary}, serving {REPLICA_READS}" if replicas else f"no read replicas for {primary}"
    if per_shard:
        choice += "; " + "; ".join(f"{g.replicas} read replica(s) per shard of {g.head} ({g.shards:,} shards)" for g in per_shard)
    planned = PRIMARY_READ_CEILING * READ_HEADROOM
    rationale = (
        f"one node serves about {fmt(PRIMARY_READ_CEILING)} reads/s and is planned at {READ_HEADROOM:.0%} of it ({fmt(planned)}/s, room for a burst, "
        f"a cold cache or a failover): ceil({fmt(read)} / {fmt(planned)}) - 1 = {replicas}"
    )
    if split.built:
        rationale += "; per shard: " + "; ".join(f"{g.head} ceil({fmt(g.reads_per_shard)} / {fmt(planned)}) - 1 = {g.replicas}" for g in split.built)
    context = (
        f"{fmt(read)} reads/s reach {db}{chr(39) + 's unsharded primary' if split.built else ''} at peak after caches and read models "
        f"({fmt(lagging)} tolerate lag, {fmt(strong)} strong)"
    )
    if split.built:
        context += "; " + "; ".join(describe(g) for g in split.built)
    return decision(
        f"read-replicas.{db}",
        f"Read replicas for {db}",
        "data",
        choice,
        context,
        rationale,
        alternatives=[("cache more read paths", "only where the spec allows staleness"), shard],
        consequences=_consequences(db, replicas, split, per_shard, home),
        subject=db,
        inputs={"peak_reads": read, "lagging_reads": lagging, "strong_reads": strong, "ceiling": PRIMARY_READ_CEILING},
    )


def _consequences(db: str, replicas: int, split: Primaries, per_shard: list[ShardGroup], home: str = "") -> str:
    """What the replicas decided mean for reads: lag where any primary (the unsharded one, or a shard's) has replicas; none only where none has.

    The consequences follow the decision per primary: a database with replicas on its shards only
    reasons about lag for those shards' reads, and says its unsharded primary's reads have none.
    """
    lagging = ([f"{db}'s unsharded primary" if split.built else db] if replicas else []) + [f"each shard of {g.head}" for g in per_shard]
    if not lagging:
        return f"Every read reaching {db} is served by its primary (and its standbys where readable): no replication lag to reason about."
    text = f"Read replicas of {' and '.join(lagging)} trail their primary, so {READ_INDEX}{home}; replicas are monitored for lag."
    if split.built and not replicas:
        text += f" Reads reaching {db}'s unsharded primary are served by it (no replica): no lag there."
    return text


def _searched_elsewhere(arch: Architecture, entity: str, searches: bool) -> bool:
    """Whether a search of ``entity`` is answered by the search engine (its documents are placed there), not the database."""
    if not searches:
        return False
    found = table_of(arch, entity)
    return found is not None and any(p.data == f"{found[1].name}.search" and p.component == "search-engine" for p in arch.placements)


def _unit(load: StoreLoad) -> str:
    """A mechanism's load in the unit of what it does: writes/s when it only writes, else req/s."""
    return "writes/s" if load.writes_per_s and not load.reads_per_s else "req/s"
