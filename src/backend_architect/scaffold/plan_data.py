"""Tables and resources of a module, read from the IR: columns as SQLAlchemy types, API properties as columns."""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.errors import InputError, Location
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
        var=identifier(table.name, avoid=frozenset({"sa", "metadata"})),
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
    )


@dataclass(frozen=True)
class FieldPlan:
    """One property of an API schema and the column(s) holding it."""

    prop: str
    attr: str
    columns: tuple[str, ...]
    money: bool
    kind: str

    @property
    def read_expression(self) -> str:
        """The property's JSON value from ``row`` (a dict of column values)."""
        if self.money:
            return f"money(row[{literal(self.columns[0])}], row[{literal(self.columns[1])}])"
        column = literal(self.columns[0])
        if self.kind in {"text", "int", "bool", "json"}:
            return f"row[{column}]"
        return f"to_json(row[{column}])"


def fields(schema: ApiSchema, table: TablePlan, ir_table: Table, origin: str) -> tuple[FieldPlan, ...]:
    """The schema's properties mapped to columns: by name, or a Money object to its amount and currency columns."""
    out = []
    for prop in schema.properties:
        if prop.ref == "Money":
            amount = [c.name for c in ir_table.columns if c.source_field == prop.name and c.type == "numeric"]
            currency = [c.name for c in ir_table.columns if c.source_field == prop.name and c.type == "char"]
            if len(amount) != 1 or len(currency) != 1:
                raise InputError(Location(origin), f"schema {schema.name}: cannot find the amount and currency columns of {prop.name} in {table.name}")
            out.append(FieldPlan(prop.name, field_name(prop.name), (amount[0], currency[0]), True, "money"))
        elif table.has(prop.name):
            out.append(FieldPlan(prop.name, field_name(prop.name), (prop.name,), False, table.column(prop.name).kind))
        else:
            raise InputError(Location(origin), f"schema {schema.name}: property {prop.name} has no column in table {table.name}")
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

    @property
    def to_api(self) -> str:
        return f"{identifier(self.entity)}_to_api"


def item_location(api: Api, entity: str, table: TablePlan) -> str | None:
    """The GET path of one item, as an f-string over the row: ``/v1/books/{row['book_id']}/reviews/{row['id']}``."""
    get = next((op for op in api.operations if op.entity == entity and op.kind == "get"), None)
    if get is None:
        return None
    path = api.base_path + get.path
    params = [p.name for p in get.parameters if p.location == "path"]
    for position, name in enumerate(params):
        column = table.key if position == len(params) - 1 else name
        if not table.has(column):
            return None
        path = path.replace("{" + name + "}", "{row[" + literal(column) + "]}")
    return path


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


def owner_column(op: Operation, table: TablePlan, ir_table: Table, actors: list[str]) -> str | None:
    """The column holding the caller's identity for an owner-only operation.

    The owner is the token's subject. The row is the caller's own record when its entity is
    the actor (a customer reading their Customer); otherwise the column referencing the actor
    (``customer_id`` of an Order placed by a customer).
    """
    for actor in actors:
        if table.entity and identifier(table.entity) == identifier(actor):
            return table.key
    for actor in actors:
        for column in ir_table.columns:
            if column.source_field and identifier(column.source_field) == identifier(actor) and column.name.endswith("_id"):
                return column.name
    return None
