"""PAT055: an append-mostly table read by one key's pages, too big or too busy for a few primaries, goes to a wide-column store."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.churn import APPEND_MOSTLY_SHARE
from backend_architect.design.overrides import forced, override_for, overruled, steer
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING, avoided, decision, figure, fmt, horizon, owner_of, size
from backend_architect.design.patterns._stores import HOT_STORE_BYTES, storage_figures
from backend_architect.design.patterns._wide_column_plan import (
    CODE,
    CONSISTENCY,
    CQL_ROW_OVERHEAD_BYTES,
    DECISION,
    HOT_KEY_FACTOR,
    MIN_SHARDS,
    NAME,
    NODE_DATA_BYTES,
    NODE_WRITES_PER_S,
    PARTITION_MAX_BYTES,
    REPLICATION_FACTOR,
    Candidate,
    candidates,
)
from backend_architect.design.write_headroom import WRITE_HEADROOM
from backend_architect.ir.model import Architecture, Decision, Figure, Table, WideColumn
from backend_architect.ir.runtime import Component, Mechanism, Placement
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

STORE = "wide-column-store"
#: The stores the decision can build, by key, with the names an author may choose each by.
TECHNOLOGIES = {"scylladb": "ScyllaDB", "cassandra": "Apache Cassandra"}
SHARDED = "sharded PostgreSQL"
VARIANTS: dict[str, list[str]] = {
    "scylladb": ["ScyllaDB", "Scylla", "wide-column", "wide column"],
    "cassandra": ["Apache Cassandra", "Cassandra"],
    "postgresql": [SHARDED, "PostgreSQL", "Citus"],
}


@pattern(code=CODE, name=NAME, stage="storage", title="Hold an append-mostly table read by one key's pages in a wide-column store")
def wide_column_store(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A table that needs at least ``MIN_SHARDS`` (16) PostgreSQL primaries — by its bytes at the
    horizon over one primary's hot store (2 TB), or its inserts/s at peak over one primary's
    5,000 — and whose every access a CQL table serves: append-mostly (append-only, or updates
    and deletes at most 10% of its inserts a day); its lists each a page of one key's rows in
    time order (one equality filter, sorted by created_at or a datetime); other reads by id; no
    join, no aggregate, no full-text search in the database, no write together with other rows,
    not part of another entity's aggregate, no unique key but the primary key, no other table
    referencing its rows. A use case's reads count as built: the entities its operation answers
    with and its filters join through, not every entity it names.

    ## What it adds
    ScyllaDB (or Apache Cassandra) holding the table: partition key (key, bucket), the bucket
    sized so the busiest key's partition stays under 100 MB; clustering by time then id, newest
    first; replication factor 3 and LOCAL_QUORUM reads and writes; a ``<table>_by_id`` table
    for requests that address one row by id; the CQL in ``schema/<service>.cql``. Partitioning
    and sharding in PostgreSQL are not planned for it; the PostgreSQL table stays in the DDL as
    the scaffold's stand-in (the scaffold has no CQL adapter).

    ## What it costs
    Nodes = max(3, ceil(rows x row bytes x 3 / 4 TB), ceil(writes/s at peak x 3 / 30,000)); no
    transaction across rows; reads by any other key need a table of their own.

    ## Alternatives
    Sharded PostgreSQL (Citus): that many primaries, each with standbys, resharding by moving
    ranges and a pause of one shard's writes at each failover; Apache Cassandra (the same CQL,
    JVM pauses); a managed store (DynamoDB, Bigtable) on a cloud.

    ## References
    ScyllaDB documentation, "Data modeling: partition key and clustering"; Discord Engineering,
    "How Discord stores billions of messages" (2017) and "How Discord stores trillions of
    messages" (2023); Apache Cassandra documentation, "Data modeling".
    """
    found = candidates(spec, analysis, arch)
    if not found:
        return
    for candidate in found:
        if not candidate.qualifies:
            yield Skipped(candidate.table.name, f"a wide-column store: {candidate.said()}")
    taken = [c for c in found if c.qualifies]
    default = next((k for k, v in TECHNOLOGIES.items() if not avoided(spec, v)), "scylladb")
    override = override_for(spec, DECISION, (CODE, NAME))
    steered = steer(spec, DECISION, default if taken else "postgresql", VARIANTS, (CODE, NAME))
    shaped = [c for c in found if not c.disqualified]
    build = steered.build
    if override is not None and override.force and not taken and shaped:
        taken, build = shaped, default if build == "postgresql" else build
    if override is not None and override.forbid:
        build = "postgresql"
    if not taken:
        return
    numbers = _record(spec, arch, taken, TECHNOLOGIES[default])
    if build == "postgresql":
        if override is not None and not override.forbid:
            yield Applied(overruled(numbers, override, SHARDED))
        else:
            # patterns.apply records a forbidden pattern with the numbers that called for it
            yield Applied(numbers)
        return
    technology = TECHNOLOGIES[build]
    made = _record(spec, arch, taken, technology)
    if override is not None and not any(c.qualifies for c in taken):
        made = forced(made, override, SHARDED, "; ".join(c.said() for c in taken))
    elif override is not None and steered.overruled:
        made = overruled(numbers, override, made.choice).model_copy(update={"title": made.title, "consequences": made.consequences})
    yield _applied(spec, arch, taken, technology, made)


def addressed_by_id(arch: Architecture, table: Table) -> list[str]:
    """The requests whose access path reads ``table``'s by-id lookup: every operation on its entity addressing one row by its id
    (a get, an update, a delete or an action on ``{<entity>_id}``, a read-back GET and another service's existence check
    included), named by its use cases, or by its method and path when it serves none. Creating a row writes the lookup and a
    page by partition key never reads it, so neither is listed."""
    entity = table.entity or ""
    addressed = f"{{{snake(entity)}_id}}"
    found: list[str] = []
    for api in arch.apis:
        for op in api.operations:
            if op.entity == entity and op.kind in {"get", "update", "replace", "delete", "action"} and addressed in op.path:
                found += op.use_cases or [f"{op.method.upper()} {op.path}"]
    return list(dict.fromkeys(found))


def _layout(spec: Spec, arch: Architecture, candidate: Candidate, technology: str) -> WideColumn:
    lookup_for = addressed_by_id(arch, candidate.table)
    return WideColumn(
        technology=technology,
        keyspace=snake(spec.system),
        partition_key=[candidate.partition, "bucket"],
        bucket_from=candidate.clustering[0] if candidate.clustering else "created_at",
        bucket_days=candidate.bucket_days,
        clustering=list(candidate.clustering),
        replication_factor=REPLICATION_FACTOR,
        consistency=CONSISTENCY,
        lookup_table=f"{candidate.table.name}_by_id" if lookup_for else None,
        lookup_for=lookup_for,
        reason=candidate.said(),
        hot_key_factor=HOT_KEY_FACTOR,
        partition_max_bytes=PARTITION_MAX_BYTES,
        row_bytes=candidate.row_bytes,
    )


def _days(days: float) -> str:
    return "1 day" if days == 1 else f"{fmt(days)} days"


def _said_layout(candidate: Candidate, layout: WideColumn) -> str:
    order = ", ".join(f"{c} DESC" for c in candidate.clustering)
    return (
        f"{candidate.table.name}: PRIMARY KEY (({candidate.partition}, bucket), {', '.join(candidate.clustering)}) "
        f"WITH CLUSTERING ORDER BY ({order}); bucket = {_days(candidate.bucket_days)} of {candidate.clustering[0]}, so the busiest "
        f"{candidate.partition} ({fmt(HOT_KEY_FACTOR)}x the average {fmt(candidate.busiest_bytes_per_day / HOT_KEY_FACTOR)} B a day) "
        f"fills {size(candidate.busiest_bytes_per_day * candidate.bucket_days)} a partition (under {size(PARTITION_MAX_BYTES)})"
        + _lookup_said(candidate.table.name, layout)
    )


def _lookup_said(table: str, layout: WideColumn) -> str:
    """What the by-id lookup is for: the requests whose access path reads it (``WideColumn.lookup_for``), and that every insert writes it."""
    if not layout.lookup_table:
        return f"; no request addresses one {table} row by id, so no by-id lookup table"
    return f"; {layout.lookup_table} maps an id to its partition for {', '.join(layout.lookup_for)} (every insert writes its entry in the same logged batch)"


def _record(spec: Spec, arch: Architecture, taken: list[Candidate], technology: str) -> Decision:
    """The wide-column decision over ``taken``, with the sharded-PostgreSQL alternative in numbers."""
    layouts = [_layout(spec, arch, c, technology) for c in taken]
    nodes = sum(c.nodes for c in taken)
    primaries = sum(c.needed_shards for c in taken)
    choice = (
        f"{technology} (wide-column) for "
        + "; ".join(_said_layout(c, layout) for c, layout in zip(taken, layouts, strict=True))
        + f"; replication factor {REPLICATION_FACTOR}, "
        f"{CONSISTENCY} reads and writes (2 of 3 copies answer: a node lost changes nothing the application sees); {nodes} nodes; "
        "capacity grows by adding nodes, each taking its share of the token ring"
    )
    rationale = (
        "; ".join(c.said() for c in taken)
        + f": every access is one partition key and a clustering range (append-mostly, changes up to {APPEND_MOSTLY_SHARE:.0%} of inserts), "
        f"which a leaderless ring serves at any size, where PostgreSQL would need {primaries} primaries"
    )
    other = "Apache Cassandra" if technology == "ScyllaDB" else "ScyllaDB"
    return decision(
        DECISION,
        "Wide-column store for append-mostly tables read by key",
        "data",
        choice,
        "; ".join(c.said() for c in taken),
        rationale,
        alternatives=[
            (
                SHARDED,
                f"{primaries} primaries x 3 copies = {primaries * 3} nodes for {size(sum(c.bytes_at_horizon for c in taken))} of PostgreSQL "
                "rows at the horizon (wide_column.postgres_bytes) "
                f"(by {size(HOT_STORE_BYTES)} or "
                f"{fmt(PRIMARY_WRITE_CEILING * WRITE_HEADROOM)} inserts/s each, {WRITE_HEADROOM:.0%} of its ceiling); "
                "adding a shard moves key ranges between primaries, and each failover pauses one shard's writes",
            ),
            (other, "the same CQL and data model" + ("; JVM garbage-collection pauses and about twice the nodes" if other == "Apache Cassandra" else "")),
            ("DynamoDB or Bigtable", "managed, but tied to one cloud and billed per request"),
        ],
        consequences=(
            "No transaction spans rows: a write is one row"
            + (f" (and its {layouts[0].lookup_table} entry, a logged batch)" if layouts[0].lookup_table else "")
            + ". Reads by any other key "
            "need a table of their own. Their change events reach the event relay from the store's CDC log (ScyllaDB CDC, Cassandra CDC), "
            "in place of the PostgreSQL outbox table: no transaction spans the two stores. "
            "The scaffold has no CQL adapter: its PostgreSQL table is a stand-in for development; production needs a repository on the "
            f"{technology} driver over schema/<service>.cql."
        ),
        subject=DECISION,
        inputs={
            "needed_primaries": float(primaries),
            "min_primaries": float(MIN_SHARDS),
            "nodes": float(nodes),
            "replication_factor": float(REPLICATION_FACTOR),
        },
        spec=spec,
    ).model_copy(update={"choices": [*TECHNOLOGIES.values(), SHARDED]})


def _postgres_bytes(spec: Spec, arch: Architecture, candidate: Candidate, technology: str) -> Figure:
    """``wide_column.postgres_bytes.<table>``: the table as PostgreSQL would hold it at the horizon, the size its primaries needed
    are counted from, under the one key that labels it the comparison.

    The table's own sizes (``bytes.<N>y.<table>``, its bytes a day) become the store's rows once it is held there
    (``design/wide_column_sizes.py``); the PostgreSQL size the decision weighed is kept here, with the capacity stage's formula,
    so the sharded-PostgreSQL alternative is stated once and never read as the table's size (issue 22, l1).
    """
    name = candidate.table.name
    weighed = next((f for f in arch.figures if f.key == f"bytes.{horizon(spec):g}y.{name}"), None)
    return figure(
        f"wide_column.postgres_bytes.{name}",
        f"size {name} would take as a PostgreSQL table with its indexes at the horizon (the sharded-PostgreSQL alternative, what its "
        f"primaries needed are counted from; {technology} holds it: bytes.{horizon(spec):g}y.{name})",
        candidate.bytes_at_horizon,
        "bytes",
        weighed.formula if weighed is not None else "bytes_at_horizon",
        dict(weighed.inputs) if weighed is not None else {"bytes_at_horizon": candidate.bytes_at_horizon},
        f"table {name}",
    )


def _applied(spec: Spec, arch: Architecture, taken: list[Candidate], technology: str, made: Decision) -> Applied:
    tables: list[tuple[str, Table]] = []
    figures = []
    placements = []
    mechanisms = []
    for c in taken:
        layout = _layout(spec, arch, c, technology)
        note = f"held by {technology} in production (schema/<service>.cql); this PostgreSQL table is the scaffold's stand-in"
        comment = f"{c.table.comment}; {note}" if c.table.comment else note
        tables.append((c.store, c.table.model_copy(update={"wide_column": layout, "comment": comment})))
        scope = f"table {c.table.name}"
        figures += [
            figure(
                f"wide_column.partition_bytes.{c.table.name}",
                f"bytes of the busiest {c.partition} partition of {c.table.name} (one bucket)",
                c.busiest_bytes_per_day * c.bucket_days,
                "bytes",
                "rows_per_day / keys x hot_key_factor x row_bytes x bucket_days",
                {
                    "rows_per_day": c.table.rows_per_day,
                    "keys": c.keys,
                    "hot_key_factor": HOT_KEY_FACTOR,
                    "row_bytes": c.row_bytes,
                    "bucket_days": c.bucket_days,
                },
                scope,
            ),
            figure(
                f"wide_column.bytes.{c.table.name}",
                f"{c.table.name} in {technology} with its copies, at the horizon",
                c.rows_at_horizon * c.row_bytes * REPLICATION_FACTOR,
                "bytes",
                "rows x row_bytes x replication_factor",
                {"rows": c.rows_at_horizon, "row_bytes": c.row_bytes, "replication_factor": REPLICATION_FACTOR},
                scope,
            ),
            _postgres_bytes(spec, arch, c, technology),
            figure(
                f"wide_column.postgres_inserts.{c.table.name}",
                f"rows/s PostgreSQL would insert into {c.table.name} at peak: its new rows and the outbox and idempotency rows "
                "committed with them (what the primaries needed are counted from)",
                c.peak_inserts,
                "inserts/s",
                "new_rows + guarantee_rows",
                dict(c.insert_terms),
                scope,
            ),
            figure(
                f"wide_column.writes.{c.table.name}",
                f"writes/s {technology} applies to {c.table.name} at peak: new rows, plain updates and deletes, and the lightweight "
                "transaction (four operations) of each Idempotency-Key insert and each change refusing a stale version (If-Match)",
                c.peak_writes,
                "writes/s",
                "new_rows + changes + (keyed_inserts + guarded_changes) x lwt_operations",
                dict(c.write_terms),
                scope,
            ),
            figure(
                f"wide_column.nodes.{c.table.name}",
                f"{technology} nodes for {c.table.name}",
                c.nodes,
                "nodes",
                "max(replication_factor, ceil(rows x row_bytes x replication_factor / node_bytes), "
                "ceil(writes_per_s x replication_factor / node_writes_per_s)) (writes_per_s: every kind, wide_column.writes)",
                {
                    "replication_factor": REPLICATION_FACTOR,
                    "rows": c.rows_at_horizon,
                    "row_bytes": c.row_bytes,
                    "node_bytes": NODE_DATA_BYTES,
                    "writes_per_s": c.peak_writes,
                    "node_writes_per_s": NODE_WRITES_PER_S,
                },
                scope,
            ),
        ]
        placements.append(
            Placement(
                data=c.table.name,
                data_class="transactional",
                store=f"{technology} (wide-column; partition ({c.partition}, bucket of {_days(c.bucket_days)}))",
                reason=c.said(),
                retention="kept (no retention stated)" if c.table.retention_days is None else f"{fmt(c.table.retention_days)} days (TTL)",
                component=STORE,
                alternatives=[f"{SHARDED}: {c.needed_shards} primaries"],
                decision=DECISION,
            )
        )
        for name in c.served:
            mechanisms.append(
                Mechanism(
                    use_case=name,
                    pattern=CODE,
                    decision=DECISION,
                    serves="write" if name in c.writes else "read",
                    store=STORE,
                    entities=[c.table.entity or ""],
                    how=f"CQL on {c.table.name} by partition ({c.partition}, bucket) at {CONSISTENCY}",
                    database_share=0.0,
                    # its events leave through the relay, read from the store's CDC log: no outbox row commits with a CQL write
                    publish="cdc" if name in c.writes else "outbox",
                )
            )
    # the database's size no longer counts the tables the store holds: its totals re-summed without them
    figures += storage_figures(spec, arch, [table for _, table in tables])
    nodes = sum(c.nodes for c in taken)
    component = Component(
        name=STORE,
        kind="wide-column",
        technology=technology,
        purpose=f"holds {', '.join(c.table.name for c in taken)}: pages by partition key and time, {REPLICATION_FACTOR} copies, {CONSISTENCY}",
        services=sorted({owner_of(arch, c.table.entity or "") for c in taken}),
        use_cases=[n for c in taken for n in c.served],
        instances=nodes,
        decision=DECISION,
    )
    return Applied(
        made,
        components=(component,),
        figures=tuple(figures),
        tables=tuple(tables),
        placements=tuple(placements),
        mechanisms=tuple(mechanisms),
        assumptions=(
            f"wide-column store: the busiest partition key carries {HOT_KEY_FACTOR:g}x the average key's rows; rows take "
            f"{CQL_ROW_OVERHEAD_BYTES} B of CQL overhead besides their values; a node holds {size(NODE_DATA_BYTES)} and applies "
            f"{fmt(NODE_WRITES_PER_S)} writes/s",
        ),
    )
