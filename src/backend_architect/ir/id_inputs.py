"""Ids a client sends and ids the contract gives out, read from the contract as built (the operations and their schemas).

An id a client sends is a path parameter (``/questions/{question_id}``), a query parameter
(``?question_id=``, ``?tag_id=``), a request body's reference (``author_id``) or a create's links by
id (``tags: [id, ...]``); an id the contract gives out is in a response a client can call: an
entity's own ``id``, a reference column of a row it answers, the same in the schemas it holds.
Internal operations (only other services call them) neither take from nor give to a client. The
design record (design.md, "Ids a client sends") and the critic (DES014) read :func:`unlearnable`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.ir.model import Api, ApiSchema, Architecture, Operation, Table

_ID_OF = re.compile(r"^id of (\w+)\b")
_ID_FORMATS = frozenset({"uuid", "int64", "int32"})


@dataclass(frozen=True)
class IdInput:
    """One id a client sends: whose id, in which operation, and where in the request."""

    entity: str
    operation: str
    where: str

    @property
    def said(self) -> str:
        return f"{self.operation} takes a {self.entity} id ({self.where})"


class _Tables:
    """The contract's tables by name and by entity, and what entity a column's id is of."""

    def __init__(self, arch: Architecture) -> None:
        self.by_name: dict[str, Table] = {t.name: t for s in arch.datastores for t in s.tables}
        self.by_entity: dict[str, Table] = {}
        for table in self.by_name.values():
            if table.entity and table.entity not in self.by_entity:
                self.by_entity[table.entity] = table

    def target(self, table: Table | None, column: str) -> str | None:
        """The entity a column of ``table`` holds the id of: its own id, a foreign key's table, or another service's (its comment)."""
        if table is None:
            return None
        if column == "id":
            return table.entity
        for key in table.foreign_keys:
            if key.columns == [column] and key.ref_table in self.by_name:
                return self.by_name[key.ref_table].entity
        found = next((c for c in table.columns if c.name == column), None)
        said = _ID_OF.match(found.comment or "") if found is not None else None
        return said.group(1) if said else None

    def links(self, table: Table | None) -> list[Table]:
        """The join tables (no entity of their own) that reference ``table``."""
        if table is None:
            return []
        return [t for t in self.by_name.values() if t.entity is None and any(k.ref_table == table.name for k in t.foreign_keys)]


def _schema_ids(api: Api, name: str | None, tables: _Tables, seen: set[str]) -> Iterator[str]:
    """The entities whose ids a schema gives out: its own ``id``, its reference columns, and those of the schemas it holds."""
    schemas = {s.name: s for s in api.schemas}
    schema: ApiSchema | None = schemas.get(name or "")
    if schema is None or schema.name in seen:
        return
    seen.add(schema.name)
    table = tables.by_entity.get(schema.entity or "")
    for prop in schema.properties:
        if prop.write_only:
            continue
        target = tables.target(table, prop.name) if prop.name == "id" or prop.name.endswith("_id") else None
        if target is not None:
            yield target
        for inner in (prop.items, prop.ref):
            yield from _schema_ids(api, inner, tables, seen)


def given_out(arch: Architecture) -> dict[str, list[str]]:
    """Per entity, the operations a client can call whose response gives out its ids."""
    tables = _Tables(arch)
    found: dict[str, list[str]] = {}
    for api in arch.apis:
        for op in api.operations:
            if op.internal:
                continue
            for entity in dict.fromkeys(_schema_ids(api, op.response_schema, tables, set())):
                found.setdefault(entity, []).append(f"{op.method.upper()} {api.base_path}{op.path}")
                if op.entity == entity and op.kind in {"list", "create"}:
                    # the entity's own list or create first: the response a reader looks for to learn its ids
                    found[entity].insert(0, found[entity].pop())
    return found


def returned(arch: Architecture) -> set[str]:
    """Entities whose ids some response a client can call gives out."""
    return set(given_out(arch))


def _param_target(op: Operation, name: str, spec_ref: str | None, tables: _Tables) -> str | None:
    own = tables.by_entity.get(op.entity or "")
    if spec_ref and "." in spec_ref:
        entity, _, field = spec_ref.partition(".")
        holder = tables.by_entity.get(entity)
        found = tables.target(holder, name) or tables.target(holder, f"{field}_id")
        if found is not None:
            return found
    found = tables.target(own, name)
    if found is not None:
        return found
    for link in tables.links(own):
        found = tables.target(link, name)
        if found is not None:
            return found
    # a path's own key or an ancestor's: {question_id} names the Question whatever table reads it
    return next((e for e in tables.by_entity if f"{_snake(e)}_id" == name), None)


def _snake(name: str) -> str:
    """``AnswerVote`` -> ``answer_vote``: the entity's part of the path parameter naming it (``answer_vote_id``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def inputs(arch: Architecture) -> list[IdInput]:
    """Every id a client sends, operation by operation: path and query parameters, body references and links by id."""
    tables = _Tables(arch)
    found: list[IdInput] = []
    for api in arch.apis:
        schemas = {s.name: s for s in api.schemas}
        for op in api.operations:
            if op.internal:
                continue
            label = f"{op.method.upper()} {api.base_path}{op.path}"
            for param in op.parameters:
                if param.location == "header" or param.format not in _ID_FORMATS or not param.name.endswith("_id"):
                    continue
                target = _param_target(op, param.name, param.spec_ref, tables)
                if target is not None:
                    found.append(IdInput(target, label, f"{param.location} parameter {param.name}"))
            body = schemas.get(op.request_schema or "")
            if body is None:
                continue
            table = tables.by_entity.get(body.entity or "")
            for prop in body.properties:
                if prop.links is not None and prop.links.by == "id":
                    link = tables.by_name.get(prop.links.table)
                    target = tables.target(link, prop.links.columns[1]) if link is not None and len(prop.links.columns) > 1 else None
                    if target is not None:
                        found.append(IdInput(target, label, f"body {prop.name}"))
                elif prop.name.endswith("_id") and not prop.read_only:
                    target = tables.target(table, prop.name)
                    if target is not None:
                        found.append(IdInput(target, label, f"body {prop.name}"))
    return found


def unlearnable(arch: Architecture) -> list[IdInput]:
    """The ids a client sends that no response gives out: a contract no client can use as written."""
    given = returned(arch)
    return [i for i in inputs(arch) if i.entity not in given]
