"""The CQL (Cassandra Query Language) of the tables a wide-column store holds: keyspace, table by partition key and bucket, the by-id lookup.

Read by ScyllaDB and Apache Cassandra alike. Every identifier is double-quoted (a quote inside
doubled), so a name from the spec is never read as CQL.
"""

from __future__ import annotations

from collections.abc import Mapping

from backend_architect.ir.model import Architecture, Column, ColumnType, Datastore, Table, WideColumn
from backend_architect.ir.payloads import payload_columns
from backend_architect.ir.query import DIRECT_SOURCE, OUTBOX_SOURCE, event_source
from backend_architect.ir.runtime_tables import RUNTIME_RETENTION_DAYS

#: The CQL type holding each logical column type.
CQL_TYPES: dict[ColumnType, str] = {
    "uuid": "uuid",
    "bigint": "bigint",
    "integer": "int",
    "smallint": "smallint",
    "boolean": "boolean",
    "numeric": "decimal",
    "varchar": "text",
    "char": "text",
    "text": "text",
    "date": "date",
    "timestamptz": "timestamp",
    "jsonb": "text",
    "bytea": "blob",
    "vector": "list<float>",
    "float": "double",
}


def quote(name: str) -> str:
    """A CQL identifier, double-quoted.

    >>> quote('messages'), quote('a"b')
    ('"messages"', '"a""b"')
    """
    return '"' + name.replace('"', '""') + '"'


def wide_column_tables(store: Datastore) -> list[Table]:
    """The tables of ``store`` a wide-column store holds."""
    return [t for t in store.tables if t.wide_column is not None]


def cdc_images(arch: Architecture) -> dict[str, bool]:
    """Each entity whose events leave from its store's CDC log, with whether a payload needs the row's images.

    It does when an event carries a column beyond the row's key (partition and clustering) and its write is not an insert:
    an insert's log row holds every column it set, an update's or a delete's does not (a job's or an action's write is taken
    for a change). A payload of the key alone needs none (its consumer reads the row).
    """
    kinds: dict[str, set[str]] = {}
    for api in arch.apis:
        for op in api.operations:
            for name in op.use_cases:
                kinds.setdefault(name, set()).add(op.kind)
    tables = {t.entity: t for s in arch.datastores for t in s.tables if t.entity and t.wide_column is not None and t.role is None}
    out: dict[str, bool] = {}
    for event in arch.events:
        if event_source(arch, event) in {OUTBOX_SOURCE, DIRECT_SOURCE}:
            continue
        table = tables.get(event.entity)
        layout = table.wide_column if table is not None else None
        keys = {*table.primary_key, *layout.partition_key, *layout.clustering} if table is not None and layout is not None else set()
        beyond = any(c is not None and name not in keys for name, c in payload_columns(event, table))
        changes = kinds.get(event.use_case, set()) != {"create"}
        out[event.entity] = out.get(event.entity, False) or (beyond and changes)
    return out


def cdc_option(technology: str, images: bool) -> str:
    """The table option that turns on the CDC log the relay reads, with the row images the events' payloads need (``images``).

    A CDC log row holds only the key and the columns a write set: a delete's only the key, an update's only the changed
    columns. An event promising more of the row (MessageDeleted carrying the author and content) is built from the images:
    ScyllaDB's full preimage (the whole row before the change: a delete's content) and postimage (the whole row after it: an
    update's unchanged columns). Apache Cassandra's CDC keeps commit-log segments with no images, so its option is a flag.

    >>> cdc_option("ScyllaDB", True), cdc_option("ScyllaDB", False), cdc_option("Apache Cassandra", True)
    ("cdc = {'enabled': true, 'preimage': 'full', 'postimage': true}", "cdc = {'enabled': true}", 'cdc = true')
    """
    if "cassandra" in technology.lower():
        return "cdc = true"
    return "cdc = {'enabled': true, 'preimage': 'full', 'postimage': true}" if images else "cdc = {'enabled': true}"


def render_cql(store: Datastore, keys_of: list[str] | None = None, cdc_entities: Mapping[str, bool] | None = None) -> str | None:
    """The CQL of ``store``'s wide-column tables, None when it has none; with ``keys_of`` (use cases taking Idempotency-Key whose
    writes it holds), the keys table their conditional insert writes (``ir.query.guarded_how``); a table whose entity's events
    leave from the store's CDC log (``cdc_entities``: entity -> whether a payload needs the row's images, ``cdc_images``) is
    created with CDC on, so the log the relay reads exists and holds what the events carry."""
    cdc_entities = cdc_entities or {}
    tables = wide_column_tables(store)
    if not tables:
        return None
    first = tables[0].wide_column
    assert first is not None
    keyspace = quote(first.keyspace)
    lines = [
        f"-- {first.technology}: the tables of {store.service or store.name} a wide-column store holds (PAT055).",
        f"-- Reads and writes at {first.consistency}: with replication factor {first.replication_factor}, two copies answer each request.",
        f"CREATE KEYSPACE IF NOT EXISTS {keyspace}",
        f"  WITH replication = {{'class': 'NetworkTopologyStrategy', 'replication_factor': {first.replication_factor}}};",
        "",
    ]
    for table in tables:
        layout = table.wide_column
        assert layout is not None
        cdc = cdc_option(layout.technology, cdc_entities[table.entity]) if table.entity and table.entity in cdc_entities else None
        lines += _table(keyspace, table, layout, cdc)
    if keys_of:
        lines += [
            f"-- idempotency_keys: the Idempotency-Key of {', '.join(keys_of)}, taken by a conditional insert (INSERT ... IF NOT EXISTS)",
            f"-- before the write, with the id of the row it makes; expires after {RUNTIME_RETENTION_DAYS} days.",
            f"CREATE TABLE IF NOT EXISTS {keyspace}.{quote('idempotency_keys')} (",
            '  "scope" text,',
            '  "key" text,',
            '  "request_hash" text,',
            '  "row_id" uuid,',
            '  "status" int,',
            '  "body" blob,',
            '  PRIMARY KEY (("scope", "key"))',
            f") WITH default_time_to_live = {RUNTIME_RETENTION_DAYS * 86_400};",
            "",
        ]
    return "\n".join(lines)


def _table(keyspace: str, table: Table, layout: WideColumn, cdc: str | None = None) -> list[str]:
    by_name = {c.name: c for c in table.columns}
    bucket = Column(name=layout.bucket_column, type="integer", avg_bytes=4)
    key = [*layout.partition_key, *layout.clustering]
    ordered = [by_name.get(n, bucket) for n in key] + [c for c in table.columns if c.name not in key]
    columns = [f"  {quote(c.name)} {CQL_TYPES[c.type]}," for c in ordered]
    partition = ", ".join(quote(c) for c in layout.partition_key)
    clustering = "".join(f", {quote(c)}" for c in layout.clustering)
    order = ", ".join(f"{quote(c)} DESC" for c in layout.clustering)
    lines = [
        f"-- {layout.reason}",
        f"-- {quote(layout.bucket_column)} = floor(days since 1970-01-01 of {layout.bucket_from} / {layout.bucket_days:g}): the writer computes it;",
        "-- a page walks the buckets newest first until it is full.",
        f"CREATE TABLE IF NOT EXISTS {keyspace}.{quote(table.name)} (",
        *columns,
        f"  PRIMARY KEY (({partition}){clustering})",
        f") WITH CLUSTERING ORDER BY ({order})",
        *([f"  AND {cdc}"] if cdc else []),
        "  AND compaction = {'class': 'LeveledCompactionStrategy'};",
        "",
    ]
    if layout.lookup_table:
        ids = [by_name[n] for n in table.primary_key[:1] if n in by_name]
        located = [by_name.get(n, bucket) for n in dict.fromkeys([*layout.partition_key, *layout.clustering]) if n not in table.primary_key[:1]]
        lines += [
            f"-- {layout.lookup_table}: the partition of each {table.name} row, read by the requests addressing one row by id "
            f"({', '.join(layout.lookup_for) or 'none stated'}); written with it in a logged batch.",
            f"CREATE TABLE IF NOT EXISTS {keyspace}.{quote(layout.lookup_table)} (",
            *(f"  {quote(c.name)} {CQL_TYPES[c.type]} PRIMARY KEY," for c in ids),
            *(f"  {quote(c.name)} {CQL_TYPES[c.type]}," for c in located),
        ]
        lines[-1] = lines[-1].rstrip(",")
        lines += [");", ""]
    return lines
