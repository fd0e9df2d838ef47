"""Checks a spec's references after its shape has been validated.

Each check is a small function yielding ``Problem``s with the path of the value at
fault, so the loader can point at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.spec.field_types import suggest
from backend_architect.spec.model import Spec, UseCaseSpec, slug
from backend_architect.spec.naming import BUILTIN_COLUMNS, column_names, join_table, relations, resolve_column, snake, split_filter, table_name
from backend_architect.spec.positions import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    at_key: bool = False


def check_references(spec: Spec) -> list[Problem]:
    """Every dangling reference, duplicate and contradiction in ``spec``."""
    checks = (
        _entity_names,
        _entity_fields,
        _entity_relations,
        _identifier_lengths,
        _unique_keys,
        _belongs_to_cycles,
        _tenancy,
        _use_case_names,
        _use_case_refs,
        _services,
    )
    return [problem for check in checks for problem in check(spec)]


def _unknown_entity(spec: Spec, name: str) -> str:
    return f"unknown entity '{name}'{suggest(name, list(spec.entities))}"


def _entity_names(spec: Spec) -> Iterator[Problem]:
    """Two entity names may not map to the same table."""
    seen: dict[str, str] = {}
    for name in spec.entities:
        table = table_name(name)
        if table in seen:
            yield Problem(("entities", name), f"entity '{name}' and '{seen[table]}' would both be table '{table}'", True)
        seen[table] = name


def _entity_fields(spec: Spec) -> Iterator[Problem]:
    """Fields may not shadow built-in columns, and column names must not collide."""
    for name, entity in spec.entities.items():
        for field_name in entity.fields:
            if field_name in BUILTIN_COLUMNS:
                yield Problem(("entities", name, "fields", field_name), f"'{field_name}' is added to every table; remove this field", True)
        columns = column_names(spec, name)
        dupes = sorted({c for c in columns if columns.count(c) > 1} - set(BUILTIN_COLUMNS))
        for column in dupes:
            yield Problem(("entities", name, "fields"), f"two fields of '{name}' both become column '{column}'")


#: PostgreSQL keeps 63 bytes of an identifier; the DDL names a table's primary key ``pk_<table>`` and a
#: SQLite boolean's check ``ck_<column>_bool``, so tables and columns leave room for those.
MAX_TABLE_BYTES = 63 - len("pk_")
MAX_COLUMN_BYTES = 63 - len("ck__bool")


def _identifier_lengths(spec: Spec) -> Iterator[Problem]:
    """Tables and columns derived from names must fit PostgreSQL's identifiers with the prefixes the DDL adds."""
    for name, entity in spec.entities.items():
        tables: list[tuple[Path, str]] = [(("entities", name), table_name(name))]
        tables += [(("entities", name, "many_to_many", i), join_table(name, other)) for i, other in enumerate(entity.many_to_many)]
        for path, table in tables:
            if len(table.encode()) > MAX_TABLE_BYTES:
                size = len(table.encode())
                yield Problem(path, f"table '{table[:40]}…' would be {size} bytes; PostgreSQL names hold {MAX_TABLE_BYTES} here: shorten the name", True)
        for field_name in entity.fields:
            column = resolve_column(spec, name, field_name) or field_name
            if len(column.encode()) > MAX_COLUMN_BYTES:
                yield Problem(
                    ("entities", name, "fields", field_name),
                    f"column '{column[:40]}…' would be {len(column.encode())} bytes; PostgreSQL names hold {MAX_COLUMN_BYTES} here: shorten the name",
                    True,
                )


def _entity_relations(spec: Spec) -> Iterator[Problem]:
    """``belongs_to``, ``many_to_many`` and ``ref(...)`` must name entities."""
    for name, entity in spec.entities.items():
        if entity.belongs_to is not None:
            if entity.belongs_to not in spec.entities:
                yield Problem(("entities", name, "belongs_to"), _unknown_entity(spec, entity.belongs_to))
            elif entity.belongs_to == name:
                yield Problem(("entities", name, "belongs_to"), "an entity cannot belong to itself; use a nullable ref(Self) for a hierarchy")
        for i, other in enumerate(entity.many_to_many):
            if other not in spec.entities:
                yield Problem(("entities", name, "many_to_many", i), _unknown_entity(spec, other))
        for field_name, field in entity.fields.items():
            target = field.type.target
            if field.type.kind == "ref" and target not in spec.entities:
                yield Problem(("entities", name, "fields", field_name), _unknown_entity(spec, target or ""))
            if field.type.kind == "ref" and field.unique is False and field.default is not None:
                yield Problem(("entities", name, "fields", field_name), "a reference cannot have a default")
        if entity.avg_per_parent is not None and entity.belongs_to is None:
            yield Problem(("entities", name, "avg_per_parent"), "avg_per_parent needs belongs_to")


def _unique_keys(spec: Spec) -> Iterator[Problem]:
    """Composite unique keys name fields or relations of their entity."""
    for name, entity in spec.entities.items():
        for i, key in enumerate(entity.unique):
            for j, part in enumerate(key):
                if resolve_column(spec, name, part) is None:
                    yield Problem(("entities", name, "unique", i, j), _unknown_field(spec, name, part))


def _unknown_field(spec: Spec, entity: str, name: str) -> str:
    choices = [*spec.entities[entity].fields, *relations(spec, entity), *column_names(spec, entity)]
    return f"'{entity}' has no field or relation '{name}'{suggest(name, choices)}"


def _belongs_to_cycles(spec: Spec) -> Iterator[Problem]:
    """Composition must be a tree: A belongs_to B belongs_to A cannot be stored."""
    for start in spec.entities:
        seen = [start]
        current = spec.entities[start].belongs_to
        while current in spec.entities and current not in seen:
            seen.append(current)
            current = spec.entities[current].belongs_to
        if current == start and len(seen) > 1 and start == min(seen):
            yield Problem(("entities", start, "belongs_to"), f"belongs_to forms a cycle: {' -> '.join([*seen, start])}")


def _tenancy(spec: Spec) -> Iterator[Problem]:
    """``tenant`` names an entity, which is not itself tenant scoped."""
    if spec.tenant is None:
        return
    if spec.tenant not in spec.entities:
        yield Problem(("tenant",), _unknown_entity(spec, spec.tenant))
    elif spec.entities[spec.tenant].tenant_scoped:
        yield Problem(("entities", spec.tenant, "tenant_scoped"), "the tenant entity cannot be tenant scoped itself")


def _use_case_names(spec: Spec) -> Iterator[Problem]:
    """Use case names become operation ids, so they must differ."""
    seen: dict[str, int] = {}
    for i, use_case in enumerate(spec.use_cases):
        key = slug(use_case.name)
        if not key:
            yield Problem(("use_cases", i, "name"), "a use case name needs letters or digits")
        elif key in seen:
            yield Problem(("use_cases", i, "name"), f"duplicate use case name '{use_case.name}' (also use case {seen[key] + 1})")
        seen.setdefault(key, i)


def primary_entity(use_case: UseCaseSpec) -> str | None:
    """The entity a use case is mainly about: the first written, else the first read."""
    for ref in (*use_case.writes, *use_case.reads):
        return ref.split(".", 1)[0]
    return None


def _use_case_refs(spec: Spec) -> Iterator[Problem]:
    """Reads, writes, filters, sorts, searches and calls name things that exist."""
    for i, use_case in enumerate(spec.use_cases):
        if not use_case.reads and not use_case.writes:
            yield Problem(("use_cases", i, "name"), f"use case '{use_case.name}' reads and writes nothing; add reads: or writes:")
        for key in ("reads", "writes"):
            for j, ref in enumerate(getattr(use_case, key)):
                entity, _, field = ref.partition(".")
                if entity not in spec.entities:
                    yield Problem(("use_cases", i, key, j), _unknown_entity(spec, entity))
                elif field and resolve_column(spec, entity, field) is None:
                    yield Problem(("use_cases", i, key, j), _unknown_field(spec, entity, field))
        main = primary_entity(use_case)
        for key in ("filter", "sort", "search"):
            for j, ref in enumerate(getattr(use_case, key)):
                yield from _field_ref(spec, use_case, main, key, ref, ("use_cases", i, key, j))
        for j, name in enumerate(use_case.calls):
            if name not in spec.external:
                yield Problem(("use_cases", i, "calls", j), f"unknown external system '{name}'{suggest(name, list(spec.external))}")


def _field_ref(spec: Spec, use_case: UseCaseSpec, main: str | None, key: str, ref: str, path: Path) -> Iterator[Problem]:
    constant: str | None = None
    if key == "filter":
        ref, constant = split_filter(ref)
    text = ref.removeprefix("-") if key == "sort" else ref
    entity, dot, field = text.partition(".")
    if not dot:
        entity, field = main or "", text
    if entity not in spec.entities:
        yield Problem(path, _unknown_entity(spec, entity))
        return
    if entity not in {r.split(".", 1)[0] for r in (*use_case.reads, *use_case.writes)}:
        yield Problem(path, f"'{entity}' is not in this use case's reads or writes")
    column = resolve_column(spec, entity, field)
    if column is None:
        yield Problem(path, _unknown_field(spec, entity, field))
    elif key == "search":
        spec_field = spec.entities[entity].fields.get(field)
        if spec_field is None or spec_field.type.kind not in {"string", "text", "email", "url", "json"}:
            yield Problem(path, f"'{entity}.{field}' is not text; full-text search needs a string or text field")
    elif constant is not None:
        problem = _constant_problem(spec, entity, field, constant)
        if problem:
            yield Problem(path, problem)


def _constant_problem(spec: Spec, entity: str, field: str, constant: str) -> str | None:
    """A constant filter (``status=open``) compares an enum, bool, string or integer field to a valid value."""
    spec_field = spec.entities[entity].fields.get(field)
    kind = spec_field.type.kind if spec_field else None
    if kind == "enum" and spec_field is not None and constant not in spec_field.type.values:
        return f"'{constant}' is not a value of {entity}.{field}{suggest(constant, list(spec_field.type.values))}"
    if kind == "bool" and constant not in {"true", "false"}:
        return f"{entity}.{field} is a bool: compare it to true or false"
    if kind in {"int", "bigint"} and not constant.lstrip("-").isdigit():
        return f"{entity}.{field} is an integer: compare it to a whole number"
    if kind not in {"enum", "bool", "int", "bigint", "string"}:
        return f"a constant filter needs an enum, bool, integer or string field; {entity}.{field} is not one"
    return None


def _services(spec: Spec) -> Iterator[Problem]:
    """Explicit services own every entity exactly once and call services that exist."""
    if spec.services is None:
        return
    owner: dict[str, str] = {}
    for name, service in spec.services.items():
        for j, entity in enumerate(service.owns):
            if entity not in spec.entities:
                yield Problem(("services", name, "owns", j), _unknown_entity(spec, entity))
            elif entity in owner:
                yield Problem(("services", name, "owns", j), f"'{entity}' is already owned by service '{owner[entity]}'")
            owner.setdefault(entity, name)
        for j, callee in enumerate(service.calls):
            if callee not in spec.services:
                yield Problem(("services", name, "calls", j), f"unknown service '{callee}'{suggest(callee, list(spec.services))}")
            elif callee == name:
                yield Problem(("services", name, "calls", j), "a service cannot call itself")
    unowned = [e for e in spec.entities if e not in owner]
    if unowned:
        yield Problem(("services",), f"no service owns {', '.join(unowned)}; every entity needs an owner", True)


__all__ = ["Problem", "check_references", "primary_entity", "snake"]
