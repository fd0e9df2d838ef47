"""Request and response bodies: an entity's read shape, and exactly what each write use case sends.

A response carries every column but secrets, with server-owned fields ``readOnly`` (see
``design.ownership``). A request carries only what its use case writes: a whole-entity
create or replace the client-owned fields (never ids, timestamps, server-owned fields, the
parent in the path, the caller's own reference, or a field another actor decides: see
``design.client_inputs``); a partial update or custom method only the fields it names; a
create of an aggregate its parts too (``lines: [OrderLineCreate]``, at least one, written in
the same transaction), but not the parts its proximity query picks. A hashed credential is
taken as its plaintext, write-only (``password_hash`` -> ``password``), where it is set: a
register or other create of its entity, and a password change; nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend_architect.design import blob_contract
from backend_architect.design.analysis import UseCase
from backend_architect.design.api.paths import Resources, camel
from backend_architect.design.client_inputs import decided_by_others, server_picked_parts
from backend_architect.design.link_writes import link_write
from backend_architect.design.member_rows import MadeWith, made_with
from backend_architect.design.ownership import caller_reference, is_hashed, is_state, plaintext_name, server_owned
from backend_architect.design.semantics import is_credential
from backend_architect.ir.model import ApiProperty, ApiSchema, Column, Embed, LinkItems
from backend_architect.spec.model import DEFAULT_PAGE_MAX
from backend_architect.spec.naming import TENANT_COLUMN, VERSION_COLUMN, parent_relation, plural, snake

#: Columns only the server writes, on every table.
SERVER_COLUMNS = frozenset({"id", "created_at", "updated_at", "deleted_at", VERSION_COLUMN, TENANT_COLUMN})
#: NIST SP 800-63B: memorized secrets of at least 8 characters, and at least 64 allowed.
PASSWORD_MIN, PASSWORD_MAX = 8, 128
#: How a request body says its parts or links are written (the cross-shard write decision restates it where the rows part).
PARTS = "written with it in one transaction."
#: How an operation says a write's rows commit together (restated the same way).
ONE_TRANSACTION = "rows in one transaction."
#: Items a nested array takes when the spec gives no ``max_per_parent``.
DEFAULT_MAX_ITEMS = 100


def decimal_pattern(precision: int | None, scale: int | None) -> str:
    """The pattern of a decimal string that fits numeric(precision, scale): bounded, so the input is too.

    >>> decimal_pattern(12, 4)
    '^-?\\\\d{1,8}(\\\\.\\\\d{1,4})?$'
    >>> decimal_pattern(None, None)
    '^-?\\\\d{1,131072}(\\\\.\\\\d{1,16383})?$'
    """
    if precision is None:
        return r"^-?\d{1,131072}(\.\d{1,16383})?$"  # PostgreSQL's unconstrained numeric
    digits = max(precision - (scale or 0), 1)
    return rf"^-?\d{{1,{digits}}}(\.\d{{1,{scale}}})?$" if scale else rf"^-?\d{{1,{digits}}}$"


def column_property(column: Column, field_kind: str | None) -> ApiProperty:
    """A column as an API property: its JSON type, format, bounds, nullability and secrecy."""
    read_only = column.name in SERVER_COLUMNS or column.identity or column.generated
    base: dict[str, Any] = {"name": column.name, "nullable": column.nullable, "pii": column.pii, "description": column.comment}
    base["required"] = not column.nullable and column.default is None and not read_only
    base["read_only"] = read_only
    base["write_only"] = column.secret
    kind = column.type
    if kind == "uuid":
        return ApiProperty(type="string", format="uuid", **base)
    if kind in {"bigint", "integer", "smallint"}:
        return ApiProperty(type="integer", format="int64" if kind == "bigint" else "int32", **base)
    if kind == "numeric":
        return ApiProperty(type="string", format="decimal", pattern=decimal_pattern(column.precision, column.scale), **base)
    if kind == "boolean":
        return ApiProperty(type="boolean", **base)
    if kind == "timestamptz":
        return ApiProperty(type="string", format="date-time", **base)
    if kind == "date":
        return ApiProperty(type="string", format="date", **base)
    if kind == "jsonb":
        return ApiProperty(type="object", **base)
    if kind in {"varchar", "char"}:
        fmt = {"email": "email", "url": "uri"}.get(field_kind or "")
        pattern = "^[A-Z]{3}$" if kind == "char" and column.length == 3 else None
        if field_kind == "blob" and column.name == column.source_field:
            pattern = blob_contract.KEY_PATTERN  # only keys the upload operation issued
        return ApiProperty(type="string", format=fmt, max_length=column.length, enum=list(column.enum_values), pattern=pattern, **base)
    return ApiProperty(type="string", max_length=100_000 if kind == "text" else None, **base)


def plaintext(prop: ApiProperty, name: str | None = None, description: str | None = None) -> ApiProperty:
    """The write-only plaintext a hashed credential is taken as: ``password``, format password, 8 to 128 characters."""
    return prop.model_copy(
        update={
            "name": name or plaintext_name(prop.name),
            "format": "password",
            "min_length": PASSWORD_MIN,
            "max_length": PASSWORD_MAX,
            "pattern": None,
            "write_only": True,
            "read_only": False,
            "pii": False,
            "description": description or "Write-only; stored as a one-way hash, never returned.",
        }
    )


@dataclass
class Schemas:
    """The schemas of one service's API, built as operations need them."""

    res: Resources
    schemas: dict[str, ApiSchema] = field(default_factory=dict)
    _properties: dict[str, tuple[ApiProperty, ...]] = field(default_factory=dict)

    # --- an entity's fields ---------------------------------------------------------------

    def properties(self, entity: str) -> list[ApiProperty]:
        """Every column of ``entity`` as a property (a money pair as one ``Money``, a point as one ``GeoPoint``), server-owned ones read-only."""
        if entity not in self._properties:
            self._properties[entity] = tuple(self._column_properties(entity))
        return list(self._properties[entity])

    def _column_properties(self, entity: str) -> list[ApiProperty]:
        spec = self.res.spec
        body = spec.entities[entity]
        props: list[ApiProperty] = []
        seen_money: set[str] = set()
        for column in self.res.table(entity).columns:
            if column.type == "vector" or column.name == VERSION_COLUMN:
                continue
            source = column.source_field or ""
            spec_field = body.fields.get(source)
            if spec_field is not None and spec_field.type.kind in {"money", "geo"}:
                # a money pair is one Money; a point is one GeoPoint (its geohash cell is the server's index, never shown)
                if source not in seen_money:
                    seen_money.add(source)
                    ref = "Money" if spec_field.type.kind == "money" else "GeoPoint"
                    described = spec_field.description if ref == "GeoPoint" else column.comment
                    props.append(
                        ApiProperty(name=source, type="object", ref=ref, nullable=column.nullable, required=not column.nullable, description=described)
                    )
                continue
            prop = column_property(column, spec_field.type.kind if spec_field else None)
            props.append(prop)
        return [self._owned(entity, p) for p in props]

    def _owned(self, entity: str, prop: ApiProperty) -> ApiProperty:
        source = self._source(entity, prop.name)
        reason = server_owned(self.res.spec, self.res.analysis, entity, source) if source else None
        if reason is None:
            return prop
        text = f"Set by the server ({reason})."
        return prop.model_copy(update={"read_only": True, "required": False, "description": f"{prop.description} {text}" if prop.description else text})

    def _source(self, entity: str, prop: str) -> str | None:
        """The spec field a property carries (a reference's ``author_id`` carries ``author``)."""
        body = self.res.spec.entities[entity]
        if prop in body.fields:
            return prop
        column = next((c for c in self.res.table(entity).columns if c.name == prop), None)
        return column.source_field if column is not None else None

    # --- responses ------------------------------------------------------------------------

    def read(self, entity: str) -> str:
        """``{Entity}``: what every response carries (no secrets); read-only fields always present."""
        if entity not in self.schemas:
            props = [p.model_copy(update={"required": p.required or p.read_only}) for p in self.properties(entity) if not p.write_only]
            self.schemas[entity] = ApiSchema(name=entity, entity=entity, properties=props)
        return entity

    def view(self, entity: str, embedded: list[Embed]) -> str:
        """``{Entity}With{Parts}``: the item with the rows a get answers inside it (``design/embeds.py``): each child list an
        array of at most its cap, newest first; each referenced row an object."""
        name = entity + "With" + "And".join(camel(e.name)[:1].upper() + camel(e.name)[1:] for e in embedded)
        if name not in self.schemas:
            props = list(self.schemas[self.read(entity)].properties)
            for e in embedded:
                if e.relation == "links":
                    # the link list in the form the create sets it (names or ids), so a search matching on them shows why
                    written = self.links(entity, e.name)
                    form = f"by {e.entity}.{e.label}" if e.label else f"by {e.entity} id"
                    said = f"The {e.name.replace('_', ' ')} of the {entity}, {form}: its {e.table} rows, at most {e.max_items} ({e.basis})."
                    props.append(written.model_copy(update={"required": True, "description": said}))
                    continue
                self.read(e.entity)
                if e.relation == "children":
                    said = (
                        f"The {e.entity} rows naming this {entity} ({e.table}.{e.column}), newest first, at most {e.max_items} "
                        f"({e.basis}); of a {entity} with more, only the newest {e.max_items} are in the response."
                    )
                    props.append(ApiProperty(name=e.name, type="array", items=e.entity, required=True, max_items=e.max_items, description=said))
                else:
                    said = f"The {e.entity} this {entity} names by {e.column}" + (" (null when it names none)." if e.nullable else ".")
                    props.append(ApiProperty(name=e.name, type="object", ref=e.entity, required=True, nullable=e.nullable, description=said))
            self.schemas[name] = ApiSchema(name=name, entity=entity, properties=props)
        return name

    def page(self, entity: str, most: int = DEFAULT_PAGE_MAX) -> str:
        """``{Entity}Page``: a page of at most ``most`` items, the ``limit`` maximum of the reads answering it; a read allowing
        another page size gets a page of its own (``{Entity}Max{most}Page``), so a schema's bound is every reader's bound."""
        name = page_name(entity, most)
        if name not in self.schemas:
            self.read(entity)
            self.schemas[name] = ApiSchema(
                name=name,
                entity=entity,
                properties=[
                    ApiProperty(name="items", type="array", items=entity, required=True, max_items=most),
                    ApiProperty(
                        name="next_cursor",
                        type="string",
                        nullable=True,
                        required=True,
                        max_length=512,
                        description="Opaque cursor for the next page; null on the last page.",
                    ),
                ],
            )
        return name

    # --- requests -------------------------------------------------------------------------

    def writable(self, entity: str, caller: str | None = None, credentials: bool = False, omit: frozenset[str] = frozenset()) -> list[ApiProperty]:
        """The fields a client may send for ``entity``: not server-owned, not in the path, not the caller's reference.

        Hashed credentials are sent as plaintext when ``credentials`` (a create), else left out.
        """
        implicit = set(omit) | {TENANT_COLUMN}
        parent = self.res.parent(entity)
        if parent:
            implicit.add(f"{snake(parent)}_id")
        mine = caller_reference(self.res.spec, entity, caller)
        if mine:
            implicit.add(f"{mine}_id")
        props = []
        for prop in self.properties(entity):
            if prop.read_only or prop.name in implicit:
                continue
            if self._credential(entity, prop.name):
                if credentials:
                    props.append(plaintext(prop))
                continue
            if prop.write_only and is_hashed(prop.name):
                continue  # the hash of a secret the server makes (an API key's): no client sends it
            props.append(prop)
        return props

    def _credential(self, entity: str, name: str) -> bool:
        return is_credential(name, self.res.spec.entities[entity])

    def create(self, use_case: UseCase, caller: str | None, in_path: frozenset[str] = frozenset()) -> str | None:
        """The body of a create: the client-owned fields (less those the path fills), and the parts it writes with the entity."""
        entity = use_case.entity
        props = self.without_others(use_case, self.writable(entity, caller, credentials=True, omit=in_path))
        skipped = set(server_picked_parts(self.res.spec, use_case)) | set(self.server_made_parts(use_case)) | set(self.creator_rows(use_case))
        for child in use_case.children:
            if child not in skipped:
                props.append(self._children(entity, child, self.made_with(use_case, child)))
        props += [self.links(entity, relation) for relation in use_case.links]
        return self.named(f"{entity}Create", use_case, entity, props)

    def without_others(self, use_case: UseCase, props: list[ApiProperty]) -> list[ApiProperty]:
        """``props`` less the fields another actor decides (``design.client_inputs``: the driver who accepts a trip)."""
        others = set(decided_by_others(self.res.spec, self.res.analysis, use_case))
        return [p for p in props if self._source(use_case.entity, p.name) not in others]

    def links(self, entity: str, relation: str) -> ApiProperty:
        """``tags: ["jazz", "live"]``: a many-to-many relation a create sets, by the targets' unique names (made when missing)
        or by their ids, optional, at most ``max_per_parent`` (``design/link_writes.py``)."""
        local = self.res.local(self.res.spec.entities[entity].many_to_many[relation])
        link = link_write(self.res.spec, entity, relation, local=local)
        things = relation.replace("_", " ")
        where = {"table": link.table, "columns": list(link.columns), "target": self.res.tables[link.target].name if local else None}
        if link.name_field is not None:
            column = next((c for c in self.res.tables[link.target].columns if c.name == link.name_field), None) if link.target in self.res.tables else None
            items = LinkItems(by="name", max_length=column.length if column is not None else None, name=link.name_field, **where)
            said = f"The {things} of the {entity}, by {link.target}.{link.name_field} (a name not yet known is created); its {link.table} rows are {PARTS}"
        else:
            key = next((p for p in self.properties(link.target) if p.name == "id"), None) if link.target in self.res.tables else None
            integer = key is not None and key.type == "integer"
            items = LinkItems(type="integer" if integer else "string", format=key.format if key is not None else "uuid", **where)
            said = f"The {things} of the {entity}, by {link.target} id; its {link.table} rows are {PARTS}"
        return ApiProperty(name=link.body_field, type="array", links=items, max_items=link.most, description=said)

    def _part_fields(self, child: str) -> list[ApiProperty]:
        """The fields of a part the client decides, less the reference to its parent (the path or the parent's row fills it)."""
        relation = parent_relation(self.res.spec, child)
        omit = frozenset({f"{relation[0]}_id"}) if relation else frozenset()
        return self.writable(child, None, credentials=True, omit=omit)

    def server_made_parts(self, use_case: UseCase) -> list[str]:
        """Parts a create writes whose every field the server sets (an amount it computes, a state it starts, a reference it
        fills): the server makes their rows, so the body names none, rather than an array of items with nothing in them.

        Why: uber's request ride wrote a Payment (amount generated, status a lifecycle state) with its Trip, and the contract
        asked for a required ``payments`` array with no item schema, whose example was null.
        """
        return [c for c in use_case.children if c in self.res.spec.entities and not self._part_fields(c)]

    def made_with(self, use_case: UseCase, child: str) -> MadeWith | None:
        """The membership rows a create of its scope writes (``design.member_rows``); none: ``child`` is no membership of it."""
        return made_with(self.res.spec, use_case.spec, use_case.entity, child, self.res.analysis.people)

    def creator_rows(self, use_case: UseCase) -> list[str]:
        """Memberships a create of their scope writes for its creator alone: the server writes the caller's row, the body lists none.

        Why: a body listing members of a scope whose only row is its creator's let a caller add anyone, contradicting the
        assumption sized and the member-write rule (``design.member_rows``)."""
        return [c for c in use_case.children if (m := self.made_with(use_case, c)) is not None and not m.listed]

    def _children(self, entity: str, child: str, members: MadeWith | None = None) -> ApiProperty:
        """``lines: [OrderLineCreate]``: the parts written with their parent, at least one; a membership's list within the bounds
        ``members`` reads (a pair's two), the caller among them."""
        item = self.named(f"{child}Create", None, child, self._part_fields(child), parts=True)
        body = self.res.spec.entities[child]
        most = int(body.max_per_parent) if body.max_per_parent else DEFAULT_MAX_ITEMS
        least = 1
        said = f"The {plural(snake(child)).replace('_', ' ')} of the {entity}, {PARTS}"
        if members is not None:
            least, most = members.least, members.most
            said = (
                f"The {plural(snake(child)).replace('_', ' ')} of the {entity}: every member it is made with, the caller among them "
                f"(a list without the caller's {members.member_field}_id answers 422), {PARTS}"
            )
        return ApiProperty(
            name=part_name(entity, child),
            type="array",
            items=item,
            required=True,
            min_items=least,
            max_items=max(most, 1),
            description=said,
        )

    def update(self, use_case: UseCase, caller: str | None) -> str | None:
        """A partial update (JSON Merge Patch): the fields it names, or every client-owned field; none required."""
        entity = use_case.entity
        props = self.named_fields(use_case) if use_case.written_columns else self.writable(entity, caller)
        props = [p.model_copy(update={"required": False}) for p in props]
        return self.named(f"{entity}Update", use_case, entity, props, whole=not use_case.written_columns)

    def replace(self, use_case: UseCase, caller: str | None) -> str | None:
        props = self.without_others(use_case, self.writable(use_case.entity, caller, credentials=False))
        props += [self.links(use_case.entity, relation) for relation in use_case.links]
        return self.named(f"{use_case.entity}Create", use_case, use_case.entity, props)

    def action(self, use_case: UseCase) -> str | None:
        """A custom method's body: the fields it names, but the states it moves (the method names the target state)."""
        body = self.res.spec.entities[use_case.entity]
        props = [p for p in self.named_fields(use_case) if not (p.name in body.fields and is_state(p.name, body.fields[p.name]))]
        props = [p.model_copy(update={"required": not p.nullable}) for p in props]
        return self.named("", use_case, use_case.entity, props)

    def named_fields(self, use_case: UseCase) -> list[ApiProperty]:
        """The fields a use case names (``writes: [Book.price, Book.stock]``) that the client decides.

        A field the server sets (``generated: true``, a public key, a total, a counter; see ``design.ownership``) is
        the use case's effect, stamped by the server ("end trip" sets ``ended_at`` and ``fare``), never sent: it stays
        ``readOnly`` and out of the body. A lifecycle state is the one server-owned field a use case may name to choose:
        an update sends the state it moves to (a custom method's name says its state instead, see ``action``).
        """
        entity = use_case.entity
        wanted = set(use_case.written_columns) | {w.split(".", 1)[1] for w in use_case.spec.writes if w.startswith(entity + ".")}
        props = []
        for prop in self.properties(entity):
            if prop.name in SERVER_COLUMNS or prop.name not in wanted or self.stamped(entity, prop):
                continue
            if self._credential(entity, prop.name) or (prop.write_only and is_hashed(prop.name)):
                continue  # a credential changes through its own flow; a server-made secret's hash is never sent
            props.append(prop.model_copy(update={"read_only": False}))
        return props

    def stamped(self, entity: str, prop: ApiProperty) -> bool:
        """``prop`` is server-owned and not a lifecycle state: the server stamps it when a use case names it."""
        if not prop.read_only:
            return False
        source = self._source(entity, prop.name)
        body = self.res.spec.entities[entity]
        return not (source is not None and source in body.fields and is_state(source, body.fields[source]))

    def server_set(self, use_case: UseCase) -> list[str]:
        """The server-owned fields a write names that the server sets as its effect (out of the body, said in the description)."""
        entity = use_case.entity
        wanted = set(use_case.written_columns) | {w.split(".", 1)[1] for w in use_case.spec.writes if w.startswith(entity + ".")}
        return [p.name for p in self.properties(entity) if p.name in wanted and p.name not in SERVER_COLUMNS and self.stamped(entity, p)]

    def named(self, default: str, use_case: UseCase | None, entity: str, props: list[ApiProperty], whole: bool = True, parts: bool = False) -> str | None:
        """Register a request schema: ``default`` when it is free or the same shape, else one named for the use case."""
        if not props:
            return None
        if default and (whole or parts):
            existing = self.schemas.get(default)
            if existing is None:
                self.schemas[default] = ApiSchema(name=default, entity=entity, properties=props)
                return default
            if existing.properties == props:
                return default
        if use_case is None:
            name = f"{default or entity}Request"
        else:
            name = camel(use_case.id)
            name = name[:1].upper() + name[1:] + "Request"
        self.schemas[name] = ApiSchema(name=name, entity=entity, properties=props)
        return name


def part_name(entity: str, child: str) -> str:
    """The property a part is written under: its name less its parent's, plural (OrderLine in Order -> ``lines``).

    >>> part_name("Order", "OrderLine"), part_name("Group", "GroupMember"), part_name("Conversation", "Membership")
    ('lines', 'members', 'memberships')
    """
    name, prefix = snake(child), snake(entity) + "_"
    if name.startswith(prefix) and len(name) > len(prefix):
        name = name[len(prefix) :]
    return plural(name)


def page_name(entity: str, most: int = DEFAULT_PAGE_MAX) -> str:
    """The page schema of ``entity`` holding at most ``most`` items: one per bound, so its maxItems is its readers' ``limit``.

    >>> page_name("Tweet"), page_name("Tweet", 1000)
    ('TweetPage', 'TweetMax1000Page')
    """
    return f"{entity}Page" if most == DEFAULT_PAGE_MAX else f"{entity}Max{most}Page"


def is_page_of(name: str, entity: str) -> bool:
    """Whether ``name`` is a page schema of ``entity``, whatever its bound.

    >>> is_page_of("TweetMax1000Page", "Tweet"), is_page_of("TweetPage", "Tweet"), is_page_of("TweetOnlinePage", "Tweet")
    (True, True, False)
    """
    bound = name.removeprefix(f"{entity}Max").removesuffix("Page")
    return name == f"{entity}Page" or (name.startswith(f"{entity}Max") and name.endswith("Page") and bound.isdigit())
