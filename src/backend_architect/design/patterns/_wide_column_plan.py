"""The numbers behind the wide-column store (PAT055): which tables a partition key and a clustering range serve, and how many shards they need.

Private to ``wide_column``. A table qualifies on its shape (append-mostly; every read a page of
one key's rows in time order, or one row by id; no join, no write with other rows, no unique key
but the primary key, no foreign key into it) and its size: it needs many PostgreSQL primaries
(by bytes at the horizon or by inserts at peak). The shape is what a CQL table serves; the size
is what makes a leaderless store, grown by adding nodes, worth its cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from backend_architect.design.aggregate_parts import in_parent_aggregate
from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.capacity import rows_after
from backend_architect.design.churn import APPEND_MOSTLY_SHARE, churn, kept_out_of_database
from backend_architect.design.commit_scope import ONE_TRANSACTION
from backend_architect.design.loads import insert_figures, inserts_said, peak_inserts, table_inserts
from backend_architect.design.partition_rule import referencing_tables
from backend_architect.design.patterns._api import operation_of, schema_of
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING, figures, fmt, owner_of, size
from backend_architect.design.patterns._shards import primaries_needed
from backend_architect.design.patterns._stores import HOT_STORE_BYTES, horizon, is_log
from backend_architect.design.patterns.search import engine_serves_search
from backend_architect.design.payload import payload_columns
from backend_architect.design.region_homes import home_note, region_plan
from backend_architect.design.request_steps import LWT_OPERATIONS, guarded_changes, keyed_creates
from backend_architect.design.write_headroom import WRITE_HEADROOM
from backend_architect.ir.model import Architecture, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import plural, table_name

CODE, NAME = "PAT055", "wide-column-store"
#: The decision's id, steerable as ``decisions: {wide-column: {choose | force | forbid, reason}}``.
DECISION = "wide-column"

#: PostgreSQL primaries a table needs from which a wide-column store pays off: at 16 primaries (48 nodes with two standbys
#: each) resharding moves ranges between primaries and every failover pauses one shard's writes, where a leaderless ring
#: grows by adding a node and serves through a node's loss. Below it, sharded PostgreSQL (Citus) is the simpler operation.
MIN_SHARDS = 16
#: Largest partition (one key's rows in one bucket): Cassandra and ScyllaDB advise keeping partitions under 100 MB
#: (compaction, repair and reads hold a partition whole).
PARTITION_MAX_BYTES = 100e6
#: How much busier the busiest key is than the average (a large server's channel against the median one): an assumption
#: stated in the design, since a spec rarely gives the distribution.
HOT_KEY_FACTOR = 100.0
#: Bucket lengths the design picks from, in days: a calendar-like unit a reader recognises.
BUCKET_DAYS = (1.0, 7.0, 10.0, 30.0, 90.0, 365.0)
#: Copies of each row; with QUORUM reads and writes (2 of 3) any one node can be lost with no error and no stale read.
REPLICATION_FACTOR = 3
CONSISTENCY = "LOCAL_QUORUM"
#: Data one node holds (after replication), planned well below its disks for compaction's headroom.
NODE_DATA_BYTES = 4e12
#: Writes/s one node applies (each replica's write counts), planned at the low end of published ScyllaDB figures.
NODE_WRITES_PER_S = 30_000.0
#: Bytes a CQL row adds to its cells' values: the clustering key repeated in the row header, timestamps and cell flags.
CQL_ROW_OVERHEAD_BYTES = 32


@dataclass(frozen=True)
class Candidate:
    """A table a wide-column store could hold: its layout, its numbers, and what disqualifies it (empty when nothing does)."""

    store: str
    table: Table
    partition: str
    clustering: tuple[str, ...]
    bucket_days: float
    busiest_bytes_per_day: float
    needed_shards: int
    bytes_at_horizon: float
    peak_inserts: float
    peak_writes: float
    rows_at_horizon: float
    row_bytes: float
    changes_share: float
    keys: float
    disqualified: tuple[str, ...]
    served: tuple[str, ...]
    #: The served use cases that write (the rest read).
    writes: tuple[str, ...] = ()
    #: The terms of ``peak_inserts``: the new rows and the guarantee rows PostgreSQL would commit with them.
    insert_terms: tuple[tuple[str, float], ...] = ()
    #: The terms of ``peak_writes``: the new rows, the updates and deletes, and the lightweight transactions' operations.
    write_terms: tuple[tuple[str, float], ...] = ()

    @property
    def qualifies(self) -> bool:
        return not self.disqualified and self.needed_shards >= MIN_SHARDS

    @property
    def nodes(self) -> int:
        return max(
            REPLICATION_FACTOR,
            math.ceil(self.rows_at_horizon * self.row_bytes * REPLICATION_FACTOR / NODE_DATA_BYTES),
            math.ceil(self.peak_writes * REPLICATION_FACTOR / NODE_WRITES_PER_S),
        )

    def said(self) -> str:
        """The numbers against their thresholds, each rate named for what it counts (the new rows, and the guarantee rows
        PostgreSQL would commit beside them, apart)."""
        why = "; ".join(self.disqualified)
        inserts = (self.peak_inserts, dict(self.insert_terms).get("guarantee_rows", 0.0))
        return primaries_said(self.table.name, self.bytes_at_horizon, inserts) + (f"; {why}" if why else "")


#: Where the numbers of a "primaries needed" sentence end (what disqualifies the table follows).
_NUMBERS_END = f"; a wide-column store from {MIN_SHARDS})"


def primaries_said(table: str, bytes_at_horizon: float, inserts: tuple[float, float]) -> str:
    """``table``'s PostgreSQL primaries needed (``primaries_needed``) from its bytes at the horizon and its peak inserts (all
    rows, the guarantee rows among them), against the thresholds the shard count uses."""
    rows, guarantee = inserts
    return (
        f"{table}: {fmt(primaries_needed(bytes_at_horizon, rows))} PostgreSQL primaries needed ({size(bytes_at_horizon)} at the horizon / "
        f"{size(HOT_STORE_BYTES)}, {inserts_said(rows, guarantee)} / {fmt(PRIMARY_WRITE_CEILING * WRITE_HEADROOM)} ({WRITE_HEADROOM:.0%} of one "
        f"primary's {fmt(PRIMARY_WRITE_CEILING)}/s)" + _NUMBERS_END
    )


def restated(reason: str, table: Table, known: dict[str, float], years: float, peak_factor: float) -> str:
    """A "not needed" note's numbers restated from ``known``, the figures the sharding decision sized the table by.

    The note is written in the storage stage, before the history decision keys a tiered table by its partition column (a
    wider key, more bytes a row); the shard count reads the table as stored. Restating the numbers once the table is stored
    gives every sentence on the table's size and primaries one sizing (issue 22, h2: 866.8 TB and 434 primaries beside
    899.6 TB and 450 shards). What disqualifies the table follows the numbers unchanged.
    """
    head, found, tail = reason.partition(_NUMBERS_END)
    start = head.find(f"{table.name}: ")
    if not found or start < 0:
        return reason
    rows = table_inserts(known, table, peak_factor)
    numbers = primaries_said(table.name, known.get(f"bytes.{years:g}y.{table.name}", 0.0), (rows, known.get(f"qps.peak.guarantee.table.{table.name}", 0.0)))
    return head[:start] + numbers + tail


#: Key defaults that make ids in the order they were made: a UUIDv7 (either of the DDL's generators) or a Snowflake-style id.
TIME_ORDERED_DEFAULTS = ("uuidv7()", "uuid_generate_v7()", "snowflake")


def _time_column(table: Table, use_case: UseCase) -> str | None:
    """The time-ordered column a list sorts by (created_at, a datetime field, or a key generated in time order such as a
    UUIDv7, which the key decision may have made), None when it sorts by something else."""
    sorts = [r.column for r in use_case.sorts if r.column]
    if not sorts:
        return "created_at" if any(c.name == "created_at" for c in table.columns) else None
    columns = {c.name: c for c in table.columns}
    first = sorts[0]
    column = columns.get(first)
    # an id the application makes carrying its shard is a UUIDv7 all the same (design/shard_ids.py), though it has no default
    carried = table.sharding is not None and bool(table.sharding.id_shard) and first == "id"
    ordered_key = column is not None and first in table.primary_key and (carried or any(d in (column.default or "") for d in TIME_ORDERED_DEFAULTS))
    return first if (column is not None and column.type in {"timestamptz", "date"}) or first == "created_at" or ordered_key else None


def _shape(spec: Spec, analysis: Analysis, arch: Architecture, table: Table) -> tuple[str | None, tuple[str, ...], list[str], list[str]]:
    """The partition column, the clustering columns, what disqualifies the table's access patterns, and the use cases it serves
    (searches served by a search engine are not among them: the engine answers them)."""
    entity = table.entity or ""
    problems: list[str] = []
    served: list[str] = []
    partition: set[str] = set()
    clustering: set[str] = set()
    engine = None
    for use_case in analysis.use_cases:
        if entity not in use_case.entities:
            continue
        if use_case.is_write:
            written = written_with(use_case, entity)
            if written is None:
                served.append(use_case.name)
            else:
                problems.append(written[0])
            continue
        if use_case.is_job and owner_of(arch, entity) != owner_of(arch, use_case.entity):
            continue  # a job reads other services' rows from its own event-fed copy (design/communication.py), never this table
        taken = read_entities(arch, use_case)
        if entity not in taken:
            continue  # named by the use case, but the read as built takes none of its rows (a message page without its files)
        if len(taken) > 1:
            problems.append(joins_said(use_case.name, entity, taken - {entity}))
            continue
        if use_case.searches:
            engine = engine_serves_search(spec, analysis, arch) if engine is None else engine
            if not engine:
                problems.append(f"'{use_case.name}' searches its text in the database")
            continue
        if use_case.spec.series is not None or use_case.spec.top is not None or use_case.is_job:
            problems.append(f"'{use_case.name}' aggregates rows (a scan a partition key cannot serve)")
            continue
        if use_case.kind == "get":
            served.append(use_case.name)
            continue
        keys = {r.column for r in use_case.filters if r.entity == entity and r.column and not r.join}
        # an owner-only read selects by the caller's reference though the spec writes no filter (design/owner_reads.py)
        unwritten = {use_case.owner_column} - keys if use_case.owner_column and use_case.entity == entity else set()
        keys |= unwritten
        if len(keys) != 1 or len(use_case.filters) + len(unwritten) != 1:
            problems.append(f"'{use_case.name}' filters on {', '.join(sorted(k for k in keys if k)) or 'nothing'}, not on one partition key")
            continue
        time = _time_column(table, use_case)
        if time is None:
            problems.append(f"'{use_case.name}' sorts by a column that is not time-ordered")
            continue
        if use_case.spec.consistency != "eventual":
            # a page spans replicas and buckets at QUORUM: each row is current, but the page is no snapshot
            home = home_note(region_plan(spec, analysis), use_case.name)
            problems.append(f"'{use_case.name}' reads its pages with strong consistency{home} (a page across replicas is no snapshot)")
            continue
        if not any(fk.columns == sorted(keys) for fk in table.foreign_keys) and not _references(spec, entity, next(iter(keys))):
            problems.append(f"'{use_case.name}' pages by {next(iter(keys))}, not by a reference to another entity's rows (too few keys to spread)")
            continue
        partition |= keys
        clustering.add(time)
        served.append(use_case.name)
    if len(partition) > 1 or len(clustering) > 1:
        problems.append(f"its pages read by different keys ({', '.join(sorted(partition))}) or orders ({', '.join(sorted(clustering))})")
    if not partition and not problems:
        problems.append("no request pages one key's rows")
    if table.uniques:
        problems.append(f"unique ({', '.join(table.uniques[0].columns)}) must hold across partitions")
    key = next(iter(partition), None)
    order = (next(iter(clustering)), *table.primary_key[:1]) if clustering and table.primary_key else ()
    return key, tuple(dict.fromkeys(order)), problems, served


def written_with(use_case: UseCase, entity: str, how: str = ONE_TRANSACTION) -> tuple[str, tuple[str, ...]] | None:
    """What disqualifies a write of ``entity`` for a CQL table, and the entities whose rows it writes with it; None: it writes
    ``entity``'s rows alone, which a CQL table serves.

    ``how`` says how those rows commit together: in one transaction as the storage stage first reads them, restated once the
    sharding decision has placed the tables (``design/commit_scope.py``, ``design/wide_column_notes.py``).
    """
    others = tuple(e for e in dict.fromkeys((use_case.entity, *use_case.writes, *use_case.children)) if e != entity)
    if use_case.entity != entity and entity not in use_case.writes and entity not in use_case.children:
        # a check it reads, not a row it writes: whether the read and the write share a transaction depends on where both rows live
        return f"'{use_case.name}' reads {entity} to check its write of {use_case.entity}", ()
    if use_case.entity != entity:
        return f"'{use_case.name}' writes {entity} with {use_case.entity} {how}", others
    if others:
        return f"'{use_case.name}' writes {entity} with other rows {how}", others
    return None


def joins_said(use_case: str, entity: str, others: set[str]) -> str:
    """What disqualifies a read taking rows of ``entity`` with others: a join, as the storage stage first reads it (restated
    as two reads where the placement puts the tables on different servers: ``design/wide_column_notes.py``)."""
    return f"'{use_case}' joins {entity} with {', '.join(sorted(others))}"


def part_of_said(parent: str, how: str = "in its transaction") -> str:
    """What disqualifies a part of an aggregate: created and deleted with its parent, ``how`` as the placement says."""
    return f"part of the {parent} aggregate (created and deleted with it, {how})"


def read_entities(arch: Architecture, use_case: UseCase) -> set[str]:
    """The entities a read takes rows from, as built: its own, those its filters and sorts join through, and those its
    operation's answer embeds (a page's items, an object a property holds); every entity it names when no operation serves it.

    A use case reading [Message, Attachment] whose operation answers a page of Message rows takes Message rows only.
    """
    found = operation_of(arch, use_case.name)
    if found is None:
        return set(use_case.entities)
    service, op = found
    taken = {use_case.entity} | {e for ref in (*use_case.filters, *use_case.sorts) for hop in ref.join for e in (hop.source, hop.target)}
    pending, seen = [op.response_schema] if op.response_schema else [], set()
    while pending:
        name = pending.pop()
        schema = schema_of(arch, service, name) if name not in seen else None
        seen.add(name)
        if schema is None:
            continue
        taken |= {schema.entity} if schema.entity else set()
        pending += [p.items or p.ref or "" for p in schema.properties if p.items or p.ref]
    return taken


def _references(spec: Spec, entity: str, column: str) -> bool:
    """Whether ``column`` holds a reference to another entity (channel_id for ``channel: ref(Channel)``): one key per referenced row."""
    field = spec.entities[entity].fields.get(column.removesuffix("_id"))
    return field is not None and field.type.kind == "ref"


def candidates(spec: Spec, analysis: Analysis, arch: Architecture) -> list[Candidate]:
    """Every entity table that grows, with its layout and the numbers (in datastore order)."""
    # the inserts as every stage after this one states them: the guarantee rows of what the design publishes by now (an
    # analytics store's feed placed earlier in this stage included), not the capacity stage's first count
    known = figures(arch) | {f.key: f.value for f in insert_figures(analysis, arch)}
    years = horizon(spec)
    growth = spec.scale.growth_per_year or 0.0
    referenced = referencing_tables(arch)
    found: list[Candidate] = []
    for store in arch.datastores:
        for table in store.tables:
            facts = analysis.entities.get(table.entity or "")
            if facts is None or table.role is not None or table.rows_per_day <= 0:
                continue
            at_horizon = known.get(f"bytes.{years:g}y.{table.name}", 0.0)
            inserts = table_inserts(known, table, analysis.peak_factor)
            needed = primaries_needed(at_horizon, inserts)
            if needed < 2:
                continue
            key, clustering, problems, served = _shape(spec, analysis, arch, table)
            # the one churn verdict (``design/churn.py``), read from the new rows a day the design prints
            churned = churn(analysis, table, kept_out_of_database(arch))
            if not is_log(table, facts.mutability) and not churned.appended:
                problems.append(f"its rows change: {churned.said()} (append-mostly up to {APPEND_MOSTLY_SHARE:.0%})")
            parent_of = spec.entities[table.entity or ""].part_of
            if parent_of and in_parent_aggregate(analysis, table.entity or "", parent_of):
                # a part some request creates alone is its own aggregate: nothing ties its writes to its parent's
                problems.append(part_of_said(parent_of))
            if referenced.get(table.name):
                # whether the reference stays a foreign key is the partitioning stage's to say (none into a partitioned table)
                problems.append(f"{', '.join(referenced[table.name])} reference its rows")
            # the store takes the rows and their changes; the outbox and key rows counted with them in PostgreSQL become its CDC log and
            # a keyed create's lightweight transaction in the same store (design/request_steps.py)
            new_rows = peak_inserts(table.rows_per_day, analysis.peak_factor)
            # a change refusing a stale version (If-Match) is a lightweight transaction, not a plain write: counted with the keyed inserts
            guarded = guarded_changes(analysis, arch, table.entity or "")
            write_terms = (
                ("new_rows", new_rows),
                (
                    "changes",
                    sum(
                        u.peak_qps
                        for u in analysis.use_cases
                        if u.entity == table.entity and u.kind in {"update", "delete", "action"} and u.changes_rows and u.name not in guarded
                    ),
                ),
                ("keyed_inserts", sum(keyed_creates(analysis, arch, table.entity or "").values())),
                ("guarded_changes", sum(guarded.values())),
                ("lwt_operations", LWT_OPERATIONS),
            )
            writes = write_terms[0][1] + write_terms[1][1] + (write_terms[2][1] + write_terms[3][1]) * LWT_OPERATIONS
            insert_terms = (("new_rows", new_rows), ("guarantee_rows", known.get(f"qps.peak.guarantee.table.{table.name}", 0.0)))
            widths = _cql_row_bytes(spec, table)
            parent = _parent_rows(spec, arch, table, key)
            per_key = table.rows_per_day / max(parent, 1.0)
            # the busiest key is a hundred average ones, and never more than every row of the day
            busiest = min(per_key * HOT_KEY_FACTOR, table.rows_per_day) * widths
            bucket = max((d for d in BUCKET_DAYS if d * busiest <= PARTITION_MAX_BYTES), default=BUCKET_DAYS[0])
            if busiest > PARTITION_MAX_BYTES and key:
                problems.append(f"one day of the busiest {key} is {size(busiest)}, past a partition's {size(PARTITION_MAX_BYTES)}")
            rows, _ = rows_after(table, years, growth)
            found.append(
                Candidate(
                    store.name,
                    table,
                    key or "",
                    clustering,
                    bucket,
                    busiest,
                    needed,
                    at_horizon,
                    inserts,
                    writes,
                    rows,
                    widths,
                    churned.share,
                    parent,
                    tuple(problems),
                    tuple(served),
                    tuple(u.name for u in analysis.use_cases if u.name in served and u.is_write),
                    insert_terms,
                    write_terms,
                )
            )
    return found


def _cql_row_bytes(spec: Spec, table: Table) -> float:
    """Bytes one CQL row takes: its columns' values (the spec's fields, the key and timestamps) plus the row's own overhead."""
    own = {c.name for c in payload_columns(spec, table)}
    keys = [c for c in table.columns if c.name not in own and (c.name in table.primary_key or c.name == "created_at")]
    return float(sum(c.avg_bytes for c in table.columns if c.name in own) + sum(c.avg_bytes for c in keys) + CQL_ROW_OVERHEAD_BYTES)


def _parent_rows(spec: Spec, arch: Architecture, table: Table, key: str | None) -> float:
    """Distinct partition keys: rows of the table the key references (channels for channel_id; across services, where no foreign
    key names it, the table of the entity the spec's reference targets: users for a tweet's author_id), else 1 (one key takes every row)."""
    if key is None:
        return 1.0
    target = next((fk.ref_table for fk in table.foreign_keys if fk.columns == [key]), None)
    field = spec.entities[table.entity].fields.get(key.removesuffix("_id")) if table.entity in spec.entities else None
    if target is None and field is not None and field.type.kind == "ref" and field.type.target:
        target = table_name(field.type.target)
    rows = {t.name: max(t.rows_now, t.rows_per_day) for s in arch.datastores for t in s.tables}
    if target is None:
        stem = key.removesuffix("_id")
        # the referenced table by the naming every table follows (match_id -> matches, category_id -> categories)
        target = next((name for name in rows if name in {stem, plural(stem)}), None)
    return rows.get(target or "", 1.0) or 1.0
