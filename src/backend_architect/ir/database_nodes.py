"""What each PostgreSQL database runs as: its primary, the standbys the availability plan keeps, the read replicas its load
adds beside them, and the pooler in front of it — said once, from the figures, for every section that states them.

A standby is readable (a hot standby): it serves reads (``REPLICA_READS``) until a failover promotes it. The read
replicas the load needs are sized without the standbys (a failover would take a standby's reads away at the moment
they are needed) and run beside them. So the standbys are one figure (``db.standbys``), the read replicas the load adds
another (``db.read_replicas[.<db>]``), and the replicas serving reads their sum (``db.read_copies``); an artefact that
counts read replicas reads these, and says how many of them are the standbys.
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture, Figure, Table

#: The figure of the replicas serving reads, the readable standbys included.
READ_COPIES = "db.read_copies"
#: What the copies of a primary serve, said the one way every section says it (``design/replica_reads.py`` holds the rule): reads
#: that tolerate lag from any copy, strong reads only once the copy has replayed the primary's WAL position (a read index).
REPLICA_READS = "reads that tolerate lag, and strong reads through a read index"
#: The connection pooler the design deploys with every PostgreSQL primary (today, not a later stage).
POOLER = "PgBouncer in transaction mode"
#: The hand-off's statement of the pooling, built from the one pooler name.
POOLING = f"{POOLER} in front of the primary, deployed with it; application pools sized by the connections figures"


def _figure(arch: Architecture, key: str) -> float | None:
    return next((f.value for f in arch.figures if f.key == key), None)


def standbys(arch: Architecture) -> float | None:
    """Standbys the availability plan keeps for each primary (``db.standbys``)."""
    return _figure(arch, "db.standbys")


def read_replicas(arch: Architecture, db: str | None = None) -> float | None:
    """Replicas serving reads for ``db`` (the busiest primary's when ``None``): the readable standbys and the read replicas its
    load adds (``db.read_copies``; per database, its load figure plus the standbys).

    >>> read_replicas(Architecture(system="s")) is None
    True
    """
    if db is None:
        return _figure(arch, READ_COPIES)
    needed, spare = _figure(arch, f"db.read_replicas.{db}"), standbys(arch)
    if needed is None and spare is None:
        return None
    return (needed or 0.0) + (spare or 0.0)


def copies_said(spare: float, added: float) -> str:
    """The copies serving reads that tolerate lag, each named for what it is: the readable standbys the availability plan keeps
    and the read replicas the load adds, so no sentence counts a standby as a read replica.

    >>> copies_said(2, 0)
    '2 readable standby(s) (0 read replicas)'
    >>> copies_said(1, 3)
    '1 readable standby(s) and 3 read replica(s)'
    """
    if not added:
        return f"{spare:,.0f} readable standby(s) (0 read replicas)"
    if not spare:
        return f"{added:,.0f} read replica(s)"
    return f"{spare:,.0f} readable standby(s) and {added:,.0f} read replica(s)"


def database_nodes(arch: Architecture, db: str | None = None) -> str:
    """'a primary + N readable standby(s) + M read replica(s) (N + M serve reads)' for ``db`` (every database when ``None``),
    or '' before the figures exist.

    >>> database_nodes(Architecture(system="s"))
    ''
    """
    spare, serving = standbys(arch), read_replicas(arch, db)
    if spare is None and serving is None:
        return ""
    added = (serving or 0.0) - (spare or 0.0)
    primary = f"a primary + {spare or 0:,.0f} readable standby(s) + {added:,.0f} read replica(s) ({serving or 0:,.0f} serve {REPLICA_READS})"
    maps = shard_maps(arch, db)
    return "; ".join([primary, *maps, *_second_regions(arch)])


def _second_regions(arch: Architecture) -> list[str]:
    """The copies in the other regions the multi-region decision keeps of every database: a standby region's asynchronous
    standby (active-passive), or each region's own primary (active-active), so a drawing of the database names them too."""
    plan = arch.availability
    if plan is None or len(plan.regions) < 2 or plan.topology not in {"active-passive", "active-active"}:
        return []
    if plan.topology == "active-passive":
        return [f"an asynchronous standby in {', '.join(plan.regions[1:])} (disaster recovery)"]
    return [f"the same in {', '.join(plan.regions[1:])} (active-active, replicated asynchronously)"]


def shard_maps(arch: Architecture, db: str | None = None) -> list[str]:
    """Each sharded table of ``db`` (of every database when ``None``) with its shard map's nodes, read from the figure that
    counts them (``db.nodes.<table>``: shards x (copies + read replicas per shard)), so a label or a provisioning line that
    names the primary names the shards' copies and replicas beside it; a table on its aggregate's shards names none. A map the
    growth plan builds later (``Sharding.now`` False, nothing on it now) is said as later: on the primary now, its nodes once
    sharded; a map built now for other tables (``Sharding.on_map_now``) is said as built now, its head moving onto it later.

    >>> shard_maps(Architecture(system="s"))
    []
    """
    held = [t for s in arch.datastores if db is None or s.name == db or s.name.split(".")[0] == db for t in s.tables if t.sharding]
    nodes = {f.scope: f for f in arch.figures if f.key.startswith("db.nodes.")}
    return [_shard_map(table, f) for table in held if (f := nodes.get(table.name)) is not None]


def _shard_map(table: Table, nodes: Figure) -> str:
    """One shard map's nodes; a map the growth plan builds at a later stage is not today's deployment, so it is said as later."""
    shards = (
        f"{nodes.inputs['shards']:,.0f} shards x ({nodes.inputs['copies']:,.0f} copies + {nodes.inputs['read_replicas_per_shard']:,.0f} "
        f"read replica(s) per shard) = {nodes.value:,.0f} nodes"
    )
    if table.sharding is not None and table.sharding.now is False and table.sharding.on_map_now:
        # the map's nodes run now for the tables on it; this one (its head) moves onto them later, it does not wait for them
        held = ", ".join(table.sharding.on_map_now)
        return f"{table.name}'s shard map: {shards}, built now holding {held}; {table.name} on the primary until it moves onto it (see growth)"
    if table.sharding is not None and table.sharding.now is False:
        return f"{table.name}: on the primary now; {shards} once sharded (see growth)"
    return f"{table.name}: {shards}"


__all__ = ["POOLER", "POOLING", "READ_COPIES", "REPLICA_READS", "copies_said", "database_nodes", "read_replicas", "shard_maps", "standbys"]
