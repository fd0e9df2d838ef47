"""Tables and resources of a module, read from the IR: columns as SQLAlchemy types, API properties as columns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backend_architect.ir.model import Api, ApiSchema, Column, Operation, Table
from backend_architect.scaffold.naming import constant, field_name, identifier, literal

#: IR column type -> (SQLAlchemy type expression, value kind used by cursors and typed claims).
_TYPES: dict[str, tuple[str, str]] = {
    "uuid": ("sa.Uuid()", "uuid"),
    "bigint": ("sa.BigInteger()", "int"),
    "integer": ("sa.Integer()", "int"),
    "smallint": ("sa.SmallInteger()", "int"),
    "boolean": ("sa.Boolean()", "bool"),
    "varchar": ("sa.Text()", "text"),
    "char": ("sa.Text()", "text"),
    "text": ("sa.Text()", "text"),
    "date": ("sa.Date()", "date"),
    "timestamptz": ("sa.DateTime(timezone=True)", "timestamp"),
    "jsonb": ("JSONB()", "json"),
    "bytea": ("sa.LargeBinary()", "other"),
    "vector": ("ARRAY(REAL())", "other"),
    "numeric": ("sa.Numeric()", "numeric"),
    "float": ("sa.Float()", "numeric"),
}


class Gap(Exception):
    """What the scaffold cannot generate for one operation, and why (its route answers 501 and the README lists it)."""


#: Names the generated tables module defines itself: a design table with one of them gets another variable.
RUNTIME_VARIABLES = frozenset({"sa", "metadata", "outbox", "idempotency_keys", "runtime_deliveries", "runtime_sessions", "runtime_presence"})

#: Columns the runtime maintains itself.
VERSION, TENANT, DELETED_AT, UPDATED_AT = "version", "tenant_id", "deleted_at", "updated_at"


@dataclass(frozen=True)
class ColumnPlan:
    name: str
    sa_type: str
    kind: str
    nullable: bool
    primary_key: bool
    #: The database fills it when an insert leaves it out (a DEFAULT or an identity).
    generated: bool = False


@dataclass(frozen=True)
class TablePlan:
    """A designed table as the generated code needs it."""

    name: str
    var: str
    schema: str | None
    entity: str | None
    columns: tuple[ColumnPlan, ...]
    key: str
    key_kind: str
    #: UUIDv7 keys are made by the service; identity keys by the database.
    app_keys: bool
    version: str | None
    tenant: str | None
    deleted_at: str | None
    updated_at: str | None
    #: The shard key whose logical shard the service writes into each new id (``design/shard_ids.py``), when the design says so.
    id_shard: str | None = None

    def column(self, name: str) -> ColumnPlan:
        return next(c for c in self.columns if c.name == name)

    def has(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)


def column_plan(column: Column, primary_key: list[str]) -> ColumnPlan:
    sa_type, kind = _TYPES[column.type]
    if column.type == "numeric" and column.precision is not None:
        sa_type = f"sa.Numeric({column.precision}, {column.scale or 0})"
    return ColumnPlan(column.name, sa_type, kind, column.nullable, column.name in primary_key, column.default is not None or column.identity)


def table_plan(table: Table, schema: str | None) -> TablePlan:
    columns = tuple(column_plan(c, table.primary_key) for c in table.columns)
    names = {c.name for c in columns}
    key = "id" if "id" in names else table.primary_key[0]
    key_type = next(c.type for c in table.columns if c.name == key)
    return TablePlan(
        name=table.name,
        var=identifier(table.name, avoid=RUNTIME_VARIABLES),
        schema=schema,
        entity=table.entity,
        columns=columns,
        key=key,
        key_kind="uuid" if key_type == "uuid" else "int",
        app_keys=key_type == "uuid",
        version=VERSION if VERSION in names else None,
        tenant=TENANT if table.tenant_scoped and TENANT in names else None,
        deleted_at=DELETED_AT if table.soft_delete and DELETED_AT in names else None,
        updated_at=UPDATED_AT if UPDATED_AT in names else None,
        id_shard=table.sharding.key if table.sharding is not None and table.sharding.id_shard and key_type == "uuid" else None,
    )


@dataclass(frozen=True)
class FieldPlan:
    """One property of an API schema and the column(s) holding it.

    ``kind`` is the column's value kind, or how the property maps: ``money`` (amount and
    currency columns), ``geo`` (latitude, longitude and the geohash cell the server keeps),
    ``secret`` (a plaintext stored as a one-way hash), ``children`` (composition rows written
    with the parent: ``child`` names their entity), ``links`` (the rows of a join table a create sets).
    """

    prop: str
    attr: str
    columns: tuple[str, ...]
    money: bool
    kind: str
    child: str | None = None

    @property
    def read_expression(self) -> str:
        """The property's JSON value from ``row`` (a dict of column values)."""
        if self.money:
            return f"money(row[{literal(self.columns[0])}], row[{literal(self.columns[1])}])"
        if self.kind == "geo":
            return f"point(row[{literal(self.columns[0])}], row[{literal(self.columns[1])}])"
        column = literal(self.columns[0])
        if self.kind == "short_url":
            return f"short_url(row[{column}])"
        if self.kind in {"text", "int", "bool", "json"}:
            return f"row[{column}]"
        return f"to_json(row[{column}])"


#: A hashed credential column: ``password_hash``, ``pin_digest``, ``hashed_password``.
_HASHED = re.compile(r"^hashed_|_(hash|hashed|digest)$")


def secret_column(ir_table: Table, prop: str) -> str | None:
    """The column a write-only plaintext is stored in, as a one-way hash (``password`` -> ``password_hash``)."""
    for column in ir_table.columns:
        if _HASHED.search(column.name) and (column.source_field in {prop, column.name} or _HASHED.sub("", column.name) == prop):
            return column.name
    return None


def fields(schema: ApiSchema, table: TablePlan, ir_table: Table, children: dict[str, str] | None = None) -> tuple[FieldPlan, ...]:
    """The schema's properties mapped to columns: by name, a Money object to its amount and currency, a GeoPoint to its
    coordinates, a password to its hash, an array of a part's create shape to the part's rows (``children``: schema -> entity)."""
    out = []
    for prop in schema.properties:
        if prop.ref in {"Money", "GeoPoint"}:
            money = prop.ref == "Money"
            mine = [c for c in ir_table.columns if c.source_field == prop.name]
            wanted = ("_amount", "_currency") if money else ("_lat", "_lon", "_cell")
            columns = tuple(next((c.name for c in mine if c.name == prop.name + suffix), "") for suffix in wanted)
            if not all(columns):
                raise Gap(f"schema {schema.name}: cannot find the columns of {prop.name} in {table.name}")
            out.append(FieldPlan(prop.name, field_name(prop.name), columns, money, "money" if money else "geo"))
        elif prop.type == "array" and prop.items and children and prop.items in children:
            out.append(FieldPlan(prop.name, field_name(prop.name), (), False, "children", children[prop.items]))
        elif prop.type == "array" and prop.links is not None:
            # a set of links a create writes to its join table (plan_writes.link_plans), not a column
            out.append(FieldPlan(prop.name, field_name(prop.name), (), False, "links"))
        elif table.has(prop.name):
            out.append(FieldPlan(prop.name, field_name(prop.name), (prop.name,), False, table.column(prop.name).kind))
        elif prop.format == "password" and (hashed := secret_column(ir_table, prop.name)) is not None:
            out.append(FieldPlan(prop.name, field_name(prop.name), (hashed,), False, "secret"))
        elif prop.name == "short_url" and prop.read_only and table.has("code"):
            # the link to share is made from the row's short code and the service's public URL (core.keys.short_url)
            out.append(FieldPlan(prop.name, field_name(prop.name), ("code",), False, "short_url"))
        else:
            raise Gap(f"schema {schema.name}: property {prop.name} has no column in table {table.name}")
    return tuple(out)


@dataclass(frozen=True)
class ResourcePlan:
    """An entity as the routes serve it: its table, its read shape and where its items live."""

    entity: str
    var: str
    table: TablePlan
    read_fields: tuple[FieldPlan, ...]
    #: f-string body of the item's URL path (None when the API has no GET for it).
    location: str | None
    parent: tuple[str, str] | None  # (parent resource variable, this table's column)
    #: The public short key the server makes for new rows (``code``, ``slug``), if the entity has one.
    key: Any = None
    #: A link addressed by its pair (``/chats/{chat_id}/memberships/{user_id}``): the column of the pair's last part.
    pair: str | None = None

    @property
    def address(self) -> str:
        """The column item paths address rows by: the public short key, a link's other end, else the table's key."""
        return str(self.key.column) if self.key is not None else self.pair or self.table.key

    @property
    def to_api(self) -> str:
        return f"{identifier(self.entity)}_to_api"


def item_location(api: Api, entity: str, table: TablePlan, address: str | None = None) -> str | None:
    """The GET path of one item, as an f-string over the row and the request's path values (an ancestor's key the row
    does not hold): ``/v1/books/{row['book_id']}/reviews/{row['id']}``."""
    gets = [op for op in api.operations if op.entity == entity and op.kind == "get" and op.path.endswith("}") and not op.flow]
    get = next(iter(gets), None)
    if get is None:
        return None
    path = api.base_path + get.path
    params = [p.name for p in get.parameters if p.location == "path"]
    for position, name in enumerate(params):
        column = (address or table.key) if position == len(params) - 1 else name
        value = "row[" + literal(column) + "]" if table.has(column) else "path[" + literal(name) + "]"
        path = path.replace("{" + name + "}", "{" + value + "}")
    return path


def pair_address(api: Api, entity: str, table: Table) -> str | None:
    """The column a link's item paths end with: the target of its relate/unrelate operation (``user_id`` in
    ``/chats/{chat_id}/memberships/{user_id}``), when the design addresses the link by its pair; None otherwise."""
    for op in api.operations:
        if op.entity != entity or op.flow not in {"relate", "unrelate"}:
            continue
        last = [p for p in op.parameters if p.location == "path"][-1:]
        ref = last[0].spec_ref if last else None
        if ref and ref.partition(".")[0] == entity:
            field = ref.partition(".")[2]
            by_source = [c.name for c in table.columns if c.source_field == field]
            return by_source[0] if len(by_source) == 1 else None
    return None


def parent_link(api: Api, entity: str, tables: dict[str, TablePlan], ir_tables: dict[str, Table]) -> tuple[str, str] | None:
    """Composition: the collection path nests under a parent's item (``/books/{book_id}/reviews``): the parent and the column."""
    collection = next((op for op in api.operations if op.entity == entity and op.kind in {"list", "create"}), None)
    item = next((op for op in api.operations if op.entity == entity and op.kind in {"get", "update", "action", "delete", "replace"}), None)
    op = collection or item
    if op is None:
        return None
    params = [p.name for p in op.parameters if p.location == "path"]
    if op is item:
        params = params[:-1]
    if not params:
        return None
    column = params[-1]
    table = next(t for t in tables.values() if t.entity == entity)
    ir_table = ir_tables[table.name]
    foreign = next((fk for fk in ir_table.foreign_keys if fk.columns == [column]), None)
    parent = tables.get(foreign.ref_table) if foreign else None
    if parent is None or parent.entity is None:
        parent = next((t for t in tables.values() if t.entity and identifier(t.entity) + "_id" == column), None)
    if parent is None or parent.entity is None or not table.has(column):
        return None
    return constant(parent.entity), column


#: Actor words for anyone signed in: the caller is the people entity (User, Account...), whatever it is called.
ANYONE = frozenset("user users member members account person people subscriber".split())
#: Entity names that hold the people a system serves.
PEOPLE = frozenset("user customer member account person player subscriber rider driver courier patient student reader viewer buyer seller".split())
_ACROSS = re.compile(r"^id of ([A-Za-z0-9_]+), owned by ")


def referenced_entity(column: Column, ir_table: Table, entity_of_table: dict[str, str]) -> str | None:
    """The entity a reference column points at: its foreign key's table, else the design's note on a reference across services."""
    fk = next((f for f in ir_table.foreign_keys if f.columns == [column.name]), None)
    if fk is not None:
        return entity_of_table.get(fk.ref_table)
    across = _ACROSS.match(column.comment or "")
    return across.group(1) if across else None


def people_entity(tables: list[Table]) -> str | None:
    """The entity people sign in as: the one holding a hashed secret, else the one named for people."""
    for table in tables:
        if table.entity and any(_HASHED.search(c.name) for c in table.columns):
            return table.entity
    return next((t.entity for t in tables if t.entity and identifier(t.entity) in PEOPLE), None)


def owner_column(
    op: Operation, table: TablePlan, ir_table: Table, actors: list[str], people: str | None = None, entity_of_table: dict[str, str] | None = None
) -> str | None:
    """The column holding the caller's identity for an owner-only operation.

    The owner is the token's subject. The row is the caller's own record when its entity is
    the actor (a customer reading their Customer); otherwise the column referencing the actor
    (``customer_id`` of an Order placed by a customer), or referencing the people entity when
    the actor is anyone signed in (a member's View through its ``user_id``).
    """
    for actor in actors:
        if table.entity and identifier(table.entity) == identifier(actor):
            return table.key
    for actor in actors:
        for column in ir_table.columns:
            if column.source_field and identifier(column.source_field) == identifier(actor) and column.name.endswith("_id"):
                return column.name
    wanted = {identifier(a) for a in actors} | ({identifier(people)} if people and any(identifier(a) in ANYONE for a in actors) else set())
    for column in ir_table.columns:
        if column.name.endswith("_id") and not column.nullable:
            target = referenced_entity(column, ir_table, entity_of_table or {})
            if target is not None and identifier(target) in wanted:
                return column.name
    return None
