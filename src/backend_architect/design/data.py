"""Stage 2: tables, keys and relationships, one datastore per service.

Third normal form: one table per entity, references as foreign keys inside a service
and as plain ids across services (each service owns the truth of its own data). Keys
are UUIDv7 where ids leave the database, identity columns otherwise (``design/keys.py``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from backend_architect.design import blob_contract
from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.data_decisions import enum_decision, key_decision, normalization_decision
from backend_architect.design.job_keys import job_keys
from backend_architect.design.keys import DEFAULT_POSTGRES_VERSION, key_strategy, postgres_version, uuid_default, uuid_keyed
from backend_architect.design.link_once import LINK_ONCE
from backend_architect.design.link_writes import join_rows
from backend_architect.design.overrides import settled, steer
from backend_architect.design.ownership import server_default
from backend_architect.design.patterns.short_keys import key_column
from backend_architect.design.semantics import is_link
from backend_architect.design.unique_keys import ON_THIS_INDEX
from backend_architect.design.usecases import by_primary
from backend_architect.ir.model import (
    Architecture,
    CheckConstraint,
    Column,
    Datastore,
    ForeignKey,
    Service,
    Table,
    UniqueConstraint,
)
from backend_architect.spec.field_types import EMAIL_LENGTH, URL_LENGTH
from backend_architect.spec.identifiers import quote_name
from backend_architect.spec.model import EntitySpec, FieldSpec, Spec, UniqueWhileSpec
from backend_architect.spec.naming import (
    DELETED_AT,
    TENANT_COLUMN,
    VERSION_COLUMN,
    join_columns,
    join_table,
    resolve_column,
    snake,
    table_name,
)
from backend_architect.spec.units import SECONDS_PER_DAY

#: PostgreSQL truncates identifiers at 63 bytes (NAMEDATALEN - 1).
MAX_IDENTIFIER = 63
#: Retention assumed when neither the entity nor the scale gives one.
DEFAULT_RETENTION_YEARS = 5.0
#: Blob content goes to object storage; the row keeps its key.
OBJECT_KEY_LENGTH = 1024


def derive_data(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """A datastore per service holding a table per owned entity, keys and derived indexes."""
    use_cases = analysis.use_cases
    owner = {entity: service for service in arch.services for entity in service.entities}
    by_numbers = uuid_keyed(spec, use_cases, arch)
    steered = steer(spec, "keys", "numbers", KEY_VARIANTS)
    uuid_keys = {"numbers": by_numbers, "uuidv7": frozenset(spec.entities), "identity": frozenset[str]()}[steered.build]
    author = f"the spec author chose {KEY_VARIANTS[steered.build][0]}: {steered.override.reason}" if steered.override and steered.overruled else None
    version = postgres_version(spec)
    assumptions = list(arch.assumptions)
    if spec.scale.retention_years is None:
        assumptions.append(
            f"scale.retention_years: not given; sized over a {DEFAULT_RETENTION_YEARS:g}-year horizon (nothing is deleted but what an entity's retention says)"
        )
    if spec.constraints.postgres_version is None:
        assumptions.append(f"constraints.postgres_version: not given; PostgreSQL {DEFAULT_POSTGRES_VERSION} assumed")
    primary = by_primary(use_cases)
    linked = join_rows(spec, analysis)
    stores: list[Datastore] = []
    for service in arch.services:
        tables = []
        for entity in service.entities:
            ctx = _Context(spec, entity, service, owner, uuid_keys, primary, version, author)
            table = _server_defaults(spec, analysis, _with_short_key(_entity_table(ctx), key_column(spec, analysis, entity)))
            facts = analysis.entities[entity]
            rows_now, rows_per_day = facts.rows_now, facts.rows_per_day
            kept = spec.entities[entity].retention
            # no retention stated: rows are kept (None), and sizing runs over the horizon, never a deletion at its end
            days = kept / SECONDS_PER_DAY if kept else None
            sized = {"rows_now": rows_now, "rows_per_day": rows_per_day, "retention_days": days, "created_by": list(facts.creators)}
            tables.append(table.model_copy(update=sized))
            for relation, other in spec.entities[entity].many_to_many.items():
                join = _join_table(ctx, relation, other)
                rows = linked.get(join.name)
                if rows is not None:  # the creates setting the relation fill it (design/link_writes.py)
                    sized = {"rows_now": rows.rows_now, "rows_per_day": rows.rows_per_day, "created_by": list(rows.creators)}
                    said = f"{join.comment}; set by {', '.join(rows.creators)} with each {entity} it writes"
                    join = join.model_copy(update={**sized, "comment": said})
                tables.append(join)
        schema = service.name.replace("-", "_") if service.kind == "module" else None
        stores.append(Datastore(name=service.datastore or f"{service.name}-db", engine="postgresql", service=service.name, schema_name=schema, tables=tables))
    keys = key_decision(stores, version)
    if steered.override is not None:
        numbers = key_decision([s.model_copy(update={"tables": [_numbers_key(t, by_numbers) for t in s.tables]}) for s in stores], version)
        keys = settled(steered, numbers, keys)
    decisions = [keys, enum_decision(spec), normalization_decision(use_cases, spec)]
    return arch.model_copy(update={"datastores": stores, "assumptions": assumptions, "decisions": [*arch.decisions, *(d for d in decisions if d)]})


#: What ``choose:`` builds for the keys decision: the first name of each is the one the record uses.
KEY_VARIANTS = {
    "numbers": ["UUIDv7 where ids leave the database, bigint identity elsewhere"],
    "uuidv7": ["UUIDv7 everywhere", "uuid"],
    "identity": ["bigint identity everywhere", "bigint", "identity"],
}


def _numbers_key(table: Table, uuid_keys: frozenset[str]) -> Table:
    """The table's key as the numbers would have made it (for the record of an overruled keys decision)."""
    if table.key_strategy == "composite" or table.entity is None:
        return table
    return table.model_copy(update={"key_strategy": "uuidv7" if table.entity in uuid_keys else "identity"})


def _with_short_key(table: Table, column: Column | None) -> Table:
    """An entity keyed by a short code or slug gets that column beside its id (replacing a declared field of the name), unique."""
    if column is None:
        return table
    declared = next((c for c in table.columns if c.name == column.name), None)
    if declared is not None:
        column = column.model_copy(update={"length": declared.length or column.length, "comment": declared.comment or column.comment})
    columns = [c for c in table.columns if c.name != column.name]
    columns.insert(1, column)
    uniques = [u for u in table.uniques if u.columns != [column.name]]
    unique = UniqueConstraint(name=constraint_name("uq", table.name, [column.name]), columns=[column.name], reason=f"the public {column.name} identifies a row")
    return table.model_copy(update={"columns": columns, "uniques": [unique, *uniques]})


@dataclass(frozen=True)
class _Context:
    spec: Spec
    entity: str
    service: Service
    owner: dict[str, Service]
    uuid_keys: frozenset[str]
    use_cases: dict[str, list[UseCase]]
    postgres_version: int
    #: The spec author's reason, when they chose the keys.
    author: str | None = None

    def local(self, other: str) -> bool:
        """Foreign keys only inside one service's data; across services, plain ids."""
        return self.owner[other].name == self.service.name


def _id_column(entity: str, uuid_keys: frozenset[str], name: str = "id", nullable: bool = False, comment: str | None = None) -> Column:
    if entity in uuid_keys:
        return Column(name=name, type="uuid", nullable=nullable, avg_bytes=16, comment=comment)
    return Column(name=name, type="bigint", nullable=nullable, avg_bytes=8, comment=comment)


def _field_columns(name: str, field: FieldSpec, ctx: _Context) -> list[Column]:
    kind = field.type.kind
    common = {"nullable": field.is_nullable, "pii": field.pii, "secret": field.secret, "source_field": name, "comment": field.description}
    default = _sql_default(field)
    if kind == "geo":
        # a point as two exact coordinates and the geohash cell that indexes proximity (no extension needed);
        # the geo pattern picks the cell precision from the search radius
        lat = Column(name=f"{name}_lat", type="numeric", precision=9, scale=6, avg_bytes=8, **common)
        lon = Column(name=f"{name}_lon", type="numeric", precision=9, scale=6, avg_bytes=8, **common)
        cell = Column(
            name=f"{name}_cell", type="varchar", length=12, avg_bytes=8, generated=True, **{**common, "comment": "geohash cell of the point: indexes proximity"}
        )
        return [lat, lon, cell]
    if kind == "money":
        amount = Column(name=f"{name}_amount", type="numeric", precision=19, scale=4, avg_bytes=field.avg_bytes or 12, default=default, **common)
        currency = Column(name=f"{name}_currency", type="char", length=3, avg_bytes=4, **common)
        return [amount, currency]
    if kind == "ref":
        target = field.type.target or ""
        note = None if ctx.local(target) else f"id of {target}, owned by {ctx.owner[target].name}: no foreign key across services"
        column = _id_column(target, ctx.uuid_keys, f"{name}_id", field.is_nullable, note)
        return [column.model_copy(update={"source_field": name, "pii": field.pii})]
    simple: dict[str, dict[str, object]] = {
        "string": {"type": "varchar", "length": field.type.length, "avg_bytes": min(field.type.length or 255, 32)},
        "text": {"type": "text", "avg_bytes": 400},
        "int": {"type": "integer", "avg_bytes": 4},
        "bigint": {"type": "bigint", "avg_bytes": 8},
        "decimal": {"type": "numeric", "precision": field.type.precision, "scale": field.type.scale, "avg_bytes": 4 + (field.type.precision or 18) // 2},
        "bool": {"type": "boolean", "avg_bytes": 1},
        "date": {"type": "date", "avg_bytes": 4},
        "datetime": {"type": "timestamptz", "avg_bytes": 8},
        "uuid": {"type": "uuid", "avg_bytes": 16},
        "email": {"type": "varchar", "length": EMAIL_LENGTH, "avg_bytes": 24},
        "url": {"type": "varchar", "length": URL_LENGTH, "avg_bytes": 80},
        "json": {"type": "jsonb", "avg_bytes": 300},
        "blob": {"type": "varchar", "length": OBJECT_KEY_LENGTH, "avg_bytes": 64},
        "vector": {"type": "vector", "dims": field.type.dims, "avg_bytes": 4 * (field.type.dims or 1) + 24},
        "enum": {"type": "varchar", "length": max(len(v) for v in field.type.values or ("x",)), "enum_values": list(field.type.values), "avg_bytes": 8},
    }
    attributes = dict(simple[kind])
    if field.avg_bytes is not None and kind != "blob":
        attributes["avg_bytes"] = field.avg_bytes
    if kind == "blob":
        return _blob_columns(name, field, common, attributes)
    return [Column(name=name, default=default, **common, **attributes)]


def _blob_columns(name: str, field: FieldSpec, common: dict[str, object], attributes: dict[str, object]) -> list[Column]:
    """A blob as the row keeps it (``design.blob_contract``): the object's key, then its confirmed size, content type and
    SHA-256, which the service records from the stored object when it confirms the upload (never from the client)."""
    size, content_type, checksum = blob_contract.meta_columns(name)
    key = {**common, "comment": "object-store key of the confirmed upload, issued by the upload operation; the content lives in object storage"}
    meta = {"nullable": True, "generated": True, "source_field": name, "pii": field.pii}
    return [
        Column(name=name, **key, **attributes),
        Column(name=size, type="bigint", avg_bytes=8, comment="size of the stored object in bytes, recorded when the upload is confirmed", **meta),
        Column(
            name=content_type,
            type="varchar",
            length=255,
            avg_bytes=16,
            comment="content type of the stored object, one of the allowed types",
            # the upload's allowed types, so the row (a CHECK), the contract and its examples say the same
            enum_values=blob_contract.content_types(name, field),
            **meta,
        ),
        Column(
            name=checksum, type="varchar", length=44, avg_bytes=44, comment="base64 SHA-256 of the object, checked by the store when the client sent it", **meta
        ),
    ]


def _sql_default(field: FieldSpec) -> str | None:
    value = field.default
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if field.type.kind == "datetime" and value.lower() == "now":
        return "CURRENT_TIMESTAMP"
    if field.type.kind == "date" and value.lower() in {"today", "now"}:
        return "CURRENT_DATE"  # 'today' as a string would be fixed when the table is created
    return "'" + value.replace("'", "''") + "'"


def constraint_name(prefix: str, table: str, columns: list[str]) -> str:
    """``prefix_table_col1_col2``, shortened with a stable hash when past 63 bytes.

    >>> constraint_name("ix", "orders", ["customer_id", "created_at"])
    'ix_orders_customer_id_created_at'
    """
    name = "_".join([prefix, table, *columns])
    if len(name.encode()) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return name[: MAX_IDENTIFIER - 9].rstrip("_") + "_" + digest


def _entity_table(ctx: _Context) -> Table:
    spec, entity_name = ctx.spec, ctx.entity
    entity = spec.entities[entity_name]
    table = table_name(entity_name)
    columns = [_id_column(entity_name, ctx.uuid_keys)]
    if columns[0].type == "bigint":
        columns[0] = columns[0].model_copy(update={"identity": True})
    else:
        columns[0] = columns[0].model_copy(update={"default": uuid_default(ctx.postgres_version)})
    strategy, key_reason = key_strategy(spec, entity_name, ctx.service, ctx.uuid_keys)
    if ctx.author is not None:
        key_reason = ctx.author  # the spec author chose the keys: their reason is the decision's
    fks: list[ForeignKey] = []
    if entity.tenant_scoped:
        tenant = spec.tenant
        tenant_column = _id_column(tenant, ctx.uuid_keys, TENANT_COLUMN) if tenant else Column(name=TENANT_COLUMN, type="uuid", avg_bytes=16)
        columns.append(tenant_column.model_copy(update={"comment": "tenant that owns the row; every query filters on it"}))
        if tenant and ctx.local(tenant):
            fks.append(_fk(table, TENANT_COLUMN, tenant, "tenant", "restrict"))
    if entity.part_of:
        parent = entity.part_of
        column = _id_column(parent, ctx.uuid_keys, f"{snake(parent)}_id")
        if ctx.local(parent):
            fks.append(_fk(table, column.name, parent, snake(parent), "cascade"))
        else:
            column = column.model_copy(update={"comment": f"id of {parent}, owned by {ctx.owner[parent].name}"})
        columns.append(column)
    link = is_link(spec, entity_name)
    for name, field in entity.fields.items():
        columns += _field_columns(name, field, ctx)
        if field.type.kind == "ref" and field.type.target and ctx.local(field.type.target):
            fks.append(_fk(table, f"{name}_id", field.type.target, name, _on_delete(field, link)))
    columns.append(Column(name="created_at", type="timestamptz", default="CURRENT_TIMESTAMP", avg_bytes=8))
    if not entity.append_only:
        columns.append(Column(name="updated_at", type="timestamptz", default="CURRENT_TIMESTAMP", avg_bytes=8))
    if _updates_race(ctx):
        columns.append(
            Column(name=VERSION_COLUMN, type="integer", default="1", avg_bytes=4, comment="optimistic concurrency: bumped on every update, exposed as the ETag")
        )
    if entity.soft_delete:
        columns.append(Column(name=DELETED_AT, type="timestamptz", nullable=True, avg_bytes=8, comment="soft delete: set instead of deleting the row"))
    checks = [CheckConstraint(name=constraint_name("ck", table, [c.name]), column=c.name, values=c.enum_values) for c in columns if c.enum_values]
    return Table(
        name=table,
        entity=entity_name,
        comment=entity.description or f"{entity_name} rows",
        columns=columns,
        primary_key=["id"],
        key_strategy=strategy,
        key_reason=key_reason,
        foreign_keys=fks,
        uniques=_uniques(spec, entity_name, entity, table),
        checks=checks,
        append_only=entity.append_only,
        tenant_scoped=entity.tenant_scoped,
        soft_delete=entity.soft_delete,
    )


def _on_delete(field: FieldSpec, link: bool) -> str:
    """The spec's word first; a link goes with either side it links; a nullable reference is cleared; else the delete is refused."""
    if field.on_delete is not None:
        return field.on_delete.replace("_", " ")
    if link:
        return "cascade"
    return "set null" if field.is_nullable else "restrict"


def _server_defaults(spec: Spec, analysis: Analysis, table: Table) -> Table:
    """Server-owned fields that start at a known value get it as their default: a state its first value, a counter 0 (``design.ownership``)."""
    entity = table.entity or ""
    columns = []
    for column in table.columns:
        start = server_default(spec, analysis, entity, column.source_field) if column.source_field and column.default is None else None
        columns.append(column.model_copy(update={"default": start}) if start is not None else column)
    return table.model_copy(update={"columns": columns})


def _updates_race(ctx: _Context) -> bool:
    """Rows changed by an update use case can be changed by two clients at once; a ``latest`` write's last value wins, no version needed."""
    return any(u.kind in {"update", "replace", "action"} and not u.spec.latest for u in ctx.use_cases.get(ctx.entity, ()))


def _fk(table: str, column: str, target: str, relation: str, on_delete: str) -> ForeignKey:
    return ForeignKey(
        name=constraint_name("fk", table, [column]), columns=[column], ref_table=table_name(target), ref_columns=["id"], on_delete=on_delete, relation=relation
    )


def _uniques(spec: Spec, name: str, entity: EntitySpec, table: str) -> list[UniqueConstraint]:
    keys: list[tuple[list[str], str]] = []
    prefix = [TENANT_COLUMN] if entity.tenant_scoped else []
    for field_name, field in entity.fields.items():
        if field.unique:
            column = resolve_column(spec, name, field_name) or field_name
            keys.append(([*prefix, column], f"{field_name} is unique" + (" per tenant" if prefix else "")))
    states: dict[int, str] = {}
    for key in entity.unique:
        if isinstance(key, UniqueWhileSpec):
            columns = [resolve_column(spec, name, part) or part for part in key.fields]
            states[len(keys)] = _state_predicate(key)
            keys.append(([*prefix, *columns], _while_reason(name, key)))
            continue
        columns = [resolve_column(spec, name, part) or part for part in key]
        keys.append(([*prefix, *columns], f"composite key ({', '.join(key)})"))
    if is_link(spec, name):
        pair = [*prefix, *_link_columns(spec, name)]
        if not any(set(cols) <= set(pair) for cols, _ in keys):
            keys.append((pair, LINK_ONCE))
    for job in job_keys(spec):
        # a key the spec already holds (a narrower one, or the same) keeps reruns out too
        cols = [*prefix, *job.columns]
        if job.entity == name and not any(set(have) <= set(cols) for have, _ in keys):
            keys.append((cols, f"one {name} per {job.source}{' and day' if len(job.columns) > 1 else ''}: a rerun of '{job.job}' inserts nothing twice"))
    return [
        UniqueConstraint(name=constraint_name("uq", table, cols), columns=cols, reason=reason, where=states.get(i)) for i, (cols, reason) in enumerate(keys)
    ]


def _state_predicate(key: UniqueWhileSpec) -> str:
    """``status IN ('accepted', 'started')``: the states a key is unique in, as portable SQL (quoted names and literals)."""
    parts = []
    for field_name, values in key.when.items():
        literals = ", ".join(("TRUE" if v else "FALSE") if isinstance(v, bool) else "'" + v.replace("'", "''") + "'" for v in values)
        parts.append(f"{quote_name(field_name)} = {literals}" if len(values) == 1 else f"{quote_name(field_name)} IN ({literals})")
    return " AND ".join(parts)


def _while_reason(name: str, key: UniqueWhileSpec) -> str:
    """One sentence a reviewer can check against the requirement: who holds at most one row, and in which states."""
    holder = " and ".join(key.fields)
    states = " and ".join(f"{f} is {' or '.join(str(v).lower() for v in values)}" for f, values in key.when.items())
    return f"at most one {name} per {holder} while {states}: of two concurrent writes that would break it, {ON_THIS_INDEX} and is answered 409 Conflict"


def _link_columns(spec: Spec, name: str) -> list[str]:
    """The two columns a link entity joins: its parent's id (``part_of``) and its required references."""
    entity = spec.entities[name]
    columns = [f"{snake(entity.part_of)}_id"] if entity.part_of else []
    columns += [f"{n}_id" for n, f in entity.fields.items() if f.type.kind == "ref" and not f.is_nullable]
    return columns


def _join_table(ctx: _Context, relation: str, other: str) -> Table:
    left, right = ctx.entity, other
    name = join_table(left, relation)
    left_col, right_col = join_columns(left, relation, right)
    columns = [
        _id_column(left, ctx.uuid_keys, left_col),
        _id_column(right, ctx.uuid_keys, right_col),
        Column(name="created_at", type="timestamptz", default="CURRENT_TIMESTAMP", avg_bytes=8),
    ]
    fks = [_fk(name, left_col, left, snake(left), "cascade")]
    if ctx.local(right):
        fks.append(_fk(name, right_col, right, snake(right), "cascade"))
    return Table(
        name=name,
        entity=None,
        comment=f"links {left} and {right} (many to many)",
        columns=columns,
        primary_key=[left_col, right_col],
        key_strategy="composite",
        key_reason="a link exists once: the pair of ids is the key, and leads the index for one direction",
        foreign_keys=fks,
    )
