"""A live database → the same whole-schema Architecture the SQL importer builds, plus runtime statistics.

PostgreSQL is read from its catalog inside a READ ONLY transaction on a session whose
default is read-only too: the reviewer never writes to a database it reviews. Index
definitions come back as ``pg_get_indexdef()`` text and go through the same parser path as
a schema file, so a file and the database it was loaded into give the same answer.
SQLite is opened with ``mode=ro``.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from backend_architect.errors import InputError, Location
from backend_architect.importers.sql.builder import SchemaBuilder, TableDraft
from backend_architect.importers.sql.defaults import catalog_default_text
from backend_architect.importers.sql.postgres import SourceText, apply, parse_statements
from backend_architect.importers.sql.types import logical_type
from backend_architect.ir.model import Architecture, Column, ForeignKey, SequenceState, TableStats, UniqueConstraint

_ON_DELETE = {"c": "cascade", "r": "restrict", "n": "set null", "a": "no action", "d": "set default"}
CONNECT_TIMEOUT_SECONDS = 10

_TABLES = """
SELECT c.oid, n.nspname, c.relname, c.relispartition
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY n.nspname, c.relname
"""
_COLUMNS = """
SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid = ANY(%s)
ORDER BY a.attrelid, a.attnum
"""
_CONSTRAINTS = """
SELECT conrelid, conname, contype, conkey, confrelid, confkey, confdeltype, convalidated, conindid
FROM pg_constraint WHERE contype IN ('p', 'u', 'f', 'c') AND conrelid = ANY(%s) AND coninhcount = 0
ORDER BY conrelid, conname
"""
_INDEXES = """
SELECT i.indrelid, ic.relname, pg_get_indexdef(i.indexrelid), i.indisvalid, pg_relation_size(i.indexrelid),
       COALESCE(s.idx_scan, 0), EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
WHERE i.indrelid = ANY(%s) ORDER BY i.indrelid, ic.relname
"""
_PARTITIONS = "SELECT inhrelid, inhparent FROM pg_inherits WHERE inhrelid = ANY(%s)"
_SEQUENCES = "SELECT schemaname, sequencename, data_type::text, last_value, max_value FROM pg_sequences ORDER BY 1, 2"
_STATS = "SELECT relid, seq_scan, COALESCE(idx_scan, 0), n_live_tup, n_dead_tup FROM pg_stat_user_tables"
_STATS_AGE = """
SELECT EXTRACT(EPOCH FROM now() - COALESCE((SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()), pg_postmaster_start_time())) / 86400
"""


def redacted(url: str) -> str:
    """The URL without its password, wherever the URL holds one (user info, ``password=`` or ``sslpassword=``), for messages.

    >>> redacted("postgresql://app:s3cret@db.example:5432/shop")
    'postgresql://app@db.example:5432/shop'
    >>> redacted("postgresql://db/shop?sslmode=require&password=s3cret&application_name=x"), redacted("postgresql://db/shop?password=s3cret")
    ('postgresql://db/shop?sslmode=require&application_name=x', 'postgresql://db/shop')
    """
    without_user_password = re.sub(r"(//[^:/@?#]+):[^@/?#]*@", r"\1@", url)
    query = re.sub(r"(?i)(?<=[?&])(?:ssl)?password=[^&#]*(?:&|(?=#)|$)", "", without_user_password)
    return query.rstrip("?&")


def scrubbed(message: str, url: str) -> str:
    """``message`` (a driver's error about ``url``) with every password the URL holds replaced, in case the driver quoted it."""
    from urllib.parse import parse_qs, unquote, urlsplit

    try:
        parts = urlsplit(url)
        secrets = [parts.password or "", *(v for key, values in parse_qs(parts.query).items() if key.lower() in {"password", "sslpassword"} for v in values)]
    except ValueError:
        return redacted(message)
    for secret in secrets:
        for spelling in {secret, unquote(secret)}:
            if len(spelling) >= 3:
                message = message.replace(spelling, "***")
    return message


def import_live(url: str) -> Architecture:
    """The schema (and, on PostgreSQL, the runtime statistics) of the database at ``url``."""
    if url.startswith("sqlite://"):
        return _import_sqlite(url)
    return _import_postgres(url)


def connect_read_only(url: str) -> Any:
    """A connection whose every transaction is read-only; one-line InputError when it cannot be made."""
    import psycopg

    try:
        connection = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS, options="-c default_transaction_read_only=on", autocommit=False)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(Location(redacted(url)), f"cannot connect: {scrubbed(first, url)}") from None
    connection.read_only = True
    return connection


def _import_postgres(url: str) -> Architecture:
    import psycopg

    connection = connect_read_only(url)
    try:
        with connection.transaction(), connection.cursor() as cursor:
            return _read_catalog(cursor, url)
    except psycopg.Error as exc:
        raise InputError(Location(redacted(url)), f"cannot read the catalog: {scrubbed(str(exc).strip().splitlines()[0], url)}") from None
    finally:
        connection.close()


def _read_catalog(cursor: Any, url: str) -> Architecture:
    builder = SchemaBuilder()
    drafts: dict[int, TableDraft] = {}
    cursor.execute(_TABLES)
    for oid, schema, name, _ in cursor.fetchall():
        drafts[oid] = builder.create(schema, name, None)
    oids = list(drafts)
    attnames: dict[tuple[int, int], str] = {}
    cursor.execute(_COLUMNS, (oids,))
    for relid, attnum, name, sql_type, not_null, default, identity in cursor.fetchall():
        attnames[(relid, attnum)] = name
        logical, length = logical_type(sql_type)
        drafts[relid].columns[name] = Column(
            name=name,
            type=logical,
            length=length,
            nullable=not not_null,
            default=catalog_default_text(default) if default is not None else None,
            identity=bool(identity),
            sql_type=sql_type,
        )
    cursor.execute(_PARTITIONS, (oids,))
    for child, parent in cursor.fetchall():
        if child in drafts and parent in drafts:
            drafts[child].partition_of = drafts[parent].qualified
    cursor.execute(_CONSTRAINTS, (oids,))
    for relid, name, kind, keys, ref_relid, ref_keys, on_delete, validated, _ in cursor.fetchall():
        draft = drafts[relid]
        columns = [attnames[(relid, k)] for k in keys or ()]
        if not validated:
            draft.not_valid.append(name)
        if kind == "p":
            draft.primary_key = columns
        elif kind == "u":
            draft.uniques.append(UniqueConstraint(name=name, columns=columns))
        elif kind == "f" and ref_relid in drafts:
            target = drafts[ref_relid]
            draft.foreign_keys.append(
                ForeignKey(
                    name=name,
                    columns=columns,
                    ref_table=target.qualified,
                    ref_columns=[attnames[(ref_relid, k)] for k in ref_keys or ()],
                    on_delete=_ON_DELETE.get(on_delete, "no action"),
                    relation=name,
                )
            )
    cursor.execute(_INDEXES, (oids,))
    definitions = []
    for relid, name, definition, valid, size, scans, backs_constraint in cursor.fetchall():
        if not backs_constraint:
            definitions.append((drafts[relid], name, definition, valid, size, scans))
    _apply_indexes(builder, definitions, url)
    cursor.execute(_STATS_AGE)
    age = float(cursor.fetchone()[0] or 0)
    cursor.execute(_STATS)
    stats = {
        relid: TableStats(seq_scans=seq, index_scans=idx, live_rows=live, dead_rows=dead, stats_age_days=age)
        for relid, seq, idx, live, dead in cursor.fetchall()
    }
    cursor.execute(_SEQUENCES)
    sequences = cursor.fetchall()
    stores = builder.datastores()
    by_name = {(store.name, table.name): table for store in stores for table in store.tables}
    for relid, draft in drafts.items():
        table = by_name.get((draft.schema, draft.name))
        if table is not None and relid in stats:
            table.stats = stats[relid]
    for schema, name, data_type, last_value, max_value in sequences:
        store = next((s for s in stores if s.name == schema), None)
        if store is not None:
            store.sequences.append(SequenceState(name=name, data_type=data_type, last_value=last_value, max_value=max_value))
    database = urlsplit(url).path.lstrip("/") or "postgres"
    cursor.execute("SELECT current_setting('server_version_num')::int / 10000")
    version = int(cursor.fetchone()[0])
    return Architecture(system=database, description=f"imported from {redacted(url)}", datastores=stores, postgres_version=version)


def _apply_indexes(builder: SchemaBuilder, definitions: list[tuple[TableDraft, str, str, bool, int, int]], url: str) -> None:
    """Index definitions through the schema-file parser, then what only the catalog knows (validity, size, scans)."""
    if not definitions:
        return
    text = ";\n".join(d[2] for d in definitions) + ";\n"
    statements, _ = parse_statements(SourceText(redacted(url), text.encode()))
    for statement in statements:
        apply(builder, statement)
    facts = {(d[0].schema, d[1]): d for d in definitions}
    for draft in builder.tables.values():
        updated = []
        for index in draft.indexes:
            fact = facts.get((draft.schema, index.name))
            if fact is not None:
                index = index.model_copy(update={"valid": bool(fact[3]), "size_bytes": int(fact[4]), "scans": int(fact[5]), "source": None})
            updated.append(index)
        draft.indexes = updated


def _import_sqlite(url: str) -> Architecture:
    path = unquote(urlsplit(url).path)
    if url.startswith("sqlite:////"):
        path = "/" + path.lstrip("/")
    elif url.startswith("sqlite:///"):
        path = path.lstrip("/") if not Path(path).is_absolute() or not Path(path).exists() else path
    if not Path(path).is_file():
        raise InputError(Location(url), "cannot connect: no such database file")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=CONNECT_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        raise InputError(Location(url), f"cannot connect: {exc}") from None
    try:
        return _read_sqlite(connection, url)
    except sqlite3.DatabaseError as exc:
        raise InputError(Location(url), f"cannot read the schema: {exc}") from None
    finally:
        connection.close()


def _read_sqlite(connection: sqlite3.Connection, url: str) -> Architecture:
    builder = SchemaBuilder(search_path=["main"])
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    for (name,) in rows:
        draft = builder.create("main", name, None)
        keyed = []
        for _, column, declared, not_null, default, pk in connection.execute(f"PRAGMA table_info({_quote(name)})"):
            sql_type = _sqlite_type(str(declared or ""))
            logical, length = logical_type(sql_type)
            draft.columns[column] = Column(
                name=column,
                type=logical,
                length=length,
                nullable=not not_null and not pk,
                default=catalog_default_text(default) if default is not None else None,
                sql_type=sql_type,
            )
            if pk:
                keyed.append((pk, column))
        draft.primary_key = [c for _, c in sorted(keyed)]
        groups: dict[int, list[tuple[str, str, str, str]]] = {}
        for fk_id, _, table, source, target, _, on_delete, _ in connection.execute(f"PRAGMA foreign_key_list({_quote(name)})"):
            groups.setdefault(fk_id, []).append((table, source, target, on_delete))
        for fk_id, parts in sorted(groups.items()):
            draft.foreign_keys.append(
                ForeignKey(
                    name=f"{name}_fk{fk_id}",
                    columns=[p[1] for p in parts],
                    ref_table=f"main.{parts[0][0]}",
                    ref_columns=[p[2] for p in parts if p[2]],
                    on_delete=str(parts[0][3]).lower() if str(parts[0][3]).lower() in _ON_DELETE.values() else "no action",
                    relation=f"{name}_fk{fk_id}",
                )
            )
    indexes = connection.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").fetchall()
    for table, _, sql in indexes:
        owner = builder.table("main", table)
        if owner is None:
            continue
        from backend_architect.importers.sql.generic import index_from_sql

        made = index_from_sql(sql, "sqlite")
        if made is not None:
            builder.add_index(owner, made)
    for (name,) in rows:
        holder = builder.table("main", name)
        for _, index, unique, origin, _ in connection.execute(f"PRAGMA index_list({_quote(name)})"):
            if origin == "u" and unique and holder is not None:
                columns = [c for _, _, c in connection.execute(f"PRAGMA index_info({_quote(index)})")]
                holder.uniques.append(UniqueConstraint(name=index, columns=[c for c in columns if c]))
    return Architecture(system=Path(url).stem, description=f"imported from {url}", datastores=builder.datastores(engine="sqlite"))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_type(declared: str) -> str:
    """A declared SQLite type spelt as the file importer spells it (sqlglot's rendering: INTEGER is int)."""
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        return exp.DataType.build(declared, dialect="sqlite").sql().lower() if declared else ""
    except (ParseError, ValueError):
        return declared.lower()
