"""Checks a spec's references after its shape has been validated.

Each check is a small function yielding ``Problem``s with the path of the value at
fault, so the loader can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.spec.field_types import suggest
from backend_architect.spec.identifiers import check_identifiers
from backend_architect.spec.model import PUSH_KINDS, Spec, UniqueWhileSpec, UseCaseSpec, slug
from backend_architect.spec.naming import (
    BUILTIN_COLUMNS,
    column_names,
    parent_relation,
    relations,
    resolve_column,
    snake,
    split_filter,
    table_name,
)
from backend_architect.spec.positions import Path
from backend_architect.spec.problems import Note, Problem
from backend_architect.spec.reactions import check_reactions
from backend_architect.spec.relations import join_path
from backend_architect.spec.subject import owner_of_field, primary_entity
from backend_architect.spec.values import check_values

#: A media type as RFC 6838 names it (type/subtype), as an upload declares it.
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")

#: Field kinds searched as text; any other searched field is matched exactly.
TEXT_KINDS = frozenset({"string", "text", "email", "url", "json"})


def check_references(spec: Spec) -> list[Problem]:
    """Every dangling reference, duplicate and contradiction in ``spec``."""
    checks = (
        _entity_names,
        _entity_fields,
        _entity_relations,
        _unique_keys,
        _part_of_cycles,
        _tenancy,
        _use_case_names,
        _use_case_refs,
        _services,
        _push_shares,
        _periodic,
        check_reactions,
        check_identifiers,
        check_values,
    )
    return [problem for check in checks for problem in check(spec)]


def spec_notes(spec: Spec) -> list[Note]:
    """What the engine will read in a way the author may not expect (a valid spec's warnings)."""
    notes: list[Note] = []
    for i, use_case in enumerate(spec.use_cases):
        main = primary_entity(spec, use_case)
        for j, ref in enumerate(use_case.search):
            entity, dot, field = ref.partition(".")
            if not dot:
                entity, field = main or "", ref
            spec_field = spec.entities.get(entity, None)
            found = spec_field.fields.get(field) if spec_field else None
            if found is not None and found.type.kind not in TEXT_KINDS:
                notes.append(Note(("use_cases", i, "search", j), f"'{entity}.{field}' is not text ({found.type}): searched by exact match, not full text"))
    return notes


def _unknown_entity(spec: Spec, name: str) -> str:
    hint = suggest(name, list(spec.entities)) or _choices("the spec's entities", list(spec.entities))
    return f"unknown entity '{name}'{hint}"


def _choices(what: str, names: list[str]) -> str:
    """`` (expected one of the spec's entities: A, B, C)``: what a name may be, when no close one stands out."""
    shown = ", ".join(sorted(names)[:8]) + (", ..." if len(names) > 8 else "")
    return f" (expected one of {what}: {shown})" if names else f" (there are no {what.removeprefix('the ')})"


def _entity_names(spec: Spec) -> Iterator[Problem]:
    """Two entities, or an entity and a many-to-many link, may not map to the same table."""
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
                yield Problem(("entities", name, "fields", field_name), f"'{field_name}' is a standard column of every table; remove this field", True)
        columns = column_names(spec, name)
        dupes = sorted({c for c in columns if columns.count(c) > 1} - set(BUILTIN_COLUMNS))
        for column in dupes:
            yield Problem(("entities", name, "fields"), f"two fields of '{name}' both become column '{column}'")


def _entity_relations(spec: Spec) -> Iterator[Problem]:
    """``part_of``, ``many_to_many`` and ``ref(...)`` must name entities; ``avg_per_parent`` needs a parent (or counts links)."""
    for name, entity in spec.entities.items():
        if entity.part_of is not None:
            if entity.part_of not in spec.entities:
                yield Problem(("entities", name, "part_of"), _unknown_entity(spec, entity.part_of))
            elif entity.part_of == name:
                yield Problem(("entities", name, "part_of"), "an entity cannot be part of itself; use a nullable ref(Self) for a hierarchy")
        for relation, other in entity.many_to_many.items():
            if other not in spec.entities:
                yield Problem(("entities", name, "many_to_many", relation), _unknown_entity(spec, other))
            elif relation in entity.fields:
                yield Problem(("entities", name, "many_to_many", relation), f"'{relation}' is both a field and a many-to-many relation of {name}; rename one")
        for field_name, field in entity.fields.items():
            if field.media is not None and field.type.kind != "blob":
                yield Problem(("entities", name, "fields", field_name, "media"), f"'media' processes uploaded files: {name}.{field_name} needs type blob")
            for bound in ("max_bytes", "content_types"):
                if bound in field.model_fields_set and field.type.kind != "blob":
                    yield Problem(("entities", name, "fields", field_name, bound), f"'{bound}' bounds uploaded files: {name}.{field_name} needs type blob")
            for kind in field.content_types:
                if not _CONTENT_TYPE.fullmatch(kind):
                    yield Problem(("entities", name, "fields", field_name, "content_types"), f"'{kind}' is not a content type (type/subtype, e.g. image/png)")
            target = field.type.target
            if field.type.kind == "ref" and target not in spec.entities:
                yield Problem(("entities", name, "fields", field_name), _unknown_entity(spec, target or ""))
            if field.type.kind == "ref" and field.default is not None:
                yield Problem(("entities", name, "fields", field_name, "default"), "a reference cannot have a default")
            if field.share is not None and not field.is_nullable:
                yield Problem(
                    ("entities", name, "fields", field_name, "share"),
                    f"'share' is the share of rows that set an optional field: every row sets {name}.{field_name}; "
                    "make it optional (a trailing '?') or drop share",
                )
            if field.on_delete is not None and field.type.kind != "ref":
                yield Problem(("entities", name, "fields", field_name, "on_delete"), "on_delete applies to references only (type: ref(Entity))")
            if field.on_delete == "set_null" and not field.is_nullable:
                yield Problem(
                    ("entities", name, "fields", field_name, "on_delete"),
                    f"on_delete: set_null needs a nullable reference: write ref({target})? or nullable: true",
                )
        # a many-to-many target without a parent counts its links per linking row by it (a video's 5 tags)
        linked = any(name in other.many_to_many.values() for other in spec.entities.values())
        if entity.avg_per_parent is not None and parent_relation(spec, name) is None and not linked:
            yield Problem(
                ("entities", name, "avg_per_parent"),
                f"avg_per_parent needs a parent to count {name} rows by: part_of: X, belongs_to: X, a required ref(X) field, "
                f"or many_to_many: [{name}] on the entity whose links it counts",
            )


def _unique_keys(spec: Spec) -> Iterator[Problem]:
    """Composite unique keys name fields or relations of their entity; a key unique in some states names an enum or
    bool field of the entity and values it can take."""
    for name, entity in spec.entities.items():
        for i, key in enumerate(entity.unique):
            parts, at = (key.fields, ("entities", name, "unique", i, "fields")) if isinstance(key, UniqueWhileSpec) else (key, ("entities", name, "unique", i))
            for j, part in enumerate(parts):
                if resolve_column(spec, name, part) is None:
                    yield Problem((*at, j), _unknown_field(spec, name, part))
            if isinstance(key, UniqueWhileSpec):
                yield from _unique_states(spec, name, key, ("entities", name, "unique", i, "when"))


def _unique_states(spec: Spec, name: str, key: UniqueWhileSpec, at: tuple[str | int, ...]) -> Iterator[Problem]:
    """``when: {status: [accepted, started]}``: each field an enum (values among its members) or a bool (true/false)."""
    entity = spec.entities[name]
    for field_name, values in key.when.items():
        field = entity.fields.get(field_name)
        if field is None or field.type.kind not in {"enum", "bool"}:
            states = [n for n, f in entity.fields.items() if f.type.kind in {"enum", "bool"}]
            yield Problem((*at, field_name), f"'{field_name}' is not an enum or bool field of '{name}'" + _choices(f"{name}'s state fields", states))
            continue
        allowed: tuple[str | bool, ...] = field.type.values if field.type.kind == "enum" else (True, False)
        for j, value in enumerate(values):
            if value not in allowed or isinstance(value, bool) != (field.type.kind == "bool"):
                shown = [str(v).lower() for v in allowed]
                yield Problem((*at, field_name, j), f"{value!r} is not a value of {name}.{field_name}" + _choices("its values", shown))


def _unknown_field(spec: Spec, entity: str, name: str) -> str:
    choices = [*spec.entities[entity].fields, *relations(spec, entity), *column_names(spec, entity)]
    hint = suggest(name, choices) or _choices(f"{entity}'s fields", list(dict.fromkeys(choices)))
    return f"'{entity}' has no field or relation '{name}'{hint}"


def _part_of_cycles(spec: Spec) -> Iterator[Problem]:
    """Composition must be a tree: A part_of B part_of A cannot be stored."""
    for start in spec.entities:
        seen = [start]
        current = spec.entities[start].part_of
        while current in spec.entities and current not in seen:
            seen.append(current)
            current = spec.entities[current].part_of
        if current == start and len(seen) > 1 and start == min(seen):
            yield Problem(("entities", start, "part_of"), f"part_of forms a cycle: {' -> '.join([*seen, start])}")


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
            yield Problem(("use_cases", i, "name"), f"'name' needs letters or digits, got {use_case.name!r} (e.g. name: browse books)")
        elif key in seen:
            yield Problem(("use_cases", i, "name"), f"duplicate use case name '{use_case.name}' (also use case {seen[key] + 1})")
        seen.setdefault(key, i)


def _use_case_refs(spec: Spec) -> Iterator[Problem]:
    """Reads, writes, filters, sorts, searches and calls name things that exist."""
    for i, use_case in enumerate(spec.use_cases):
        if not use_case.reads and not use_case.writes:
            yield Problem(("use_cases", i, "name"), f"use case '{use_case.name}' reads and writes nothing; add reads: or writes: (e.g. reads: [Book])")
        for key in ("reads", "writes"):
            for j, ref in enumerate(getattr(use_case, key)):
                entity, _, field = ref.partition(".")
                if entity not in spec.entities:
                    yield Problem(("use_cases", i, key, j), _unknown_entity(spec, entity))
                elif field and resolve_column(spec, entity, field) is None and not (key == "writes" and field in spec.entities[entity].many_to_many):
                    # writing a many-to-many relation (Article.tags) makes or unmakes links
                    yield Problem(("use_cases", i, key, j), _unknown_field(spec, entity, field))
        main = primary_entity(spec, use_case)
        for key in ("filter", "sort", "search"):
            for j, ref in enumerate(getattr(use_case, key)):
                yield from _field_ref(spec, use_case, main, key, ref, ("use_cases", i, key, j))
        yield from _mechanism_refs(spec, use_case, main, i)
        for j, name in enumerate(use_case.calls):
            if name not in spec.external:
                hint = suggest(name, list(spec.external)) or _choices("the spec's external systems", list(spec.external))
                yield Problem(("use_cases", i, "calls", j), f"unknown external system '{name}'{hint}")


def _mechanism_refs(spec: Spec, use_case: UseCaseSpec, main: str | None, i: int) -> Iterator[Problem]:
    """``near``, ``top``, ``series``, ``traverse`` and ``latest`` name what they work on, of the right kind."""
    if main is None or main not in spec.entities:
        return
    if use_case.near is not None:
        entity, field = _split(use_case.near, main)
        found = spec.entities.get(entity)
        kind = found.fields[field].type.kind if found and field in found.fields else None
        if kind != "geo":
            yield Problem(("use_cases", i, "near"), f"'near' names a geo field, as in near: Driver.location; {entity}.{field} is {kind or 'not a field'}")
    for key, spec_field in (("top", use_case.top.field if use_case.top else None), ("series", use_case.series.field if use_case.series else None)):
        if spec_field is not None and resolve_column(spec, main, spec_field) is None:
            yield Problem(("use_cases", i, key, "field"), _unknown_field(spec, main, spec_field))
    if use_case.series is not None and use_case.series.field in spec.entities[main].fields:
        kind = spec.entities[main].fields[use_case.series.field].type.kind
        if kind not in {"int", "bigint", "decimal", "money"} and use_case.series.aggregate not in {"count", "last"}:
            yield Problem(("use_cases", i, "series", "field"), f"'series' {use_case.series.aggregate}s a number; {main}.{use_case.series.field} is {kind}")
    if use_case.traverse is not None:
        yield from _traverse_problem(spec, use_case.traverse.via, main, ("use_cases", i, "traverse", "via"))
    if use_case.deliver is not None and use_case.deliver.to and "." in use_case.deliver.to:
        yield from _deliver_to_problem(spec, use_case.deliver.to, ("use_cases", i, "deliver", "to"))
    if use_case.latest and not use_case.writes:
        yield Problem(("use_cases", i, "latest"), "'latest: true' is for a use case that writes the value kept (e.g. writes: [Driver.location])")


def _deliver_to_problem(spec: Spec, to: str, path: Path) -> Iterator[Problem]:
    """``deliver.to`` as ``Entity.field`` names a reference whose rows receive the delivery (``Message.recipient``)."""
    entity, _, field = to.partition(".")
    body = spec.entities.get(entity)
    if body is None:
        yield Problem(path, _unknown_entity(spec, entity))
    elif field not in body.fields or body.fields[field].type.kind != "ref":
        kind = body.fields[field].type.kind if field in body.fields else "not a field"
        yield Problem(path, f"'to' names who receives the delivery: a reference such as Message.recipient; {entity}.{field} is {kind}")


def _split(ref: str, main: str) -> tuple[str, str]:
    entity, dot, field = ref.partition(".")
    return (entity, field) if dot else (main, ref)


def _traverse_problem(spec: Spec, via: str, main: str, path: Path) -> Iterator[Problem]:
    """A traversal walks edges between rows of one kind: a self reference, a self many-to-many, or a link entity between two of them."""
    entity, field = _split(via, main)
    body = spec.entities.get(entity)
    if body is None:
        yield Problem(path, _unknown_entity(spec, entity))
        return
    if field and field in body.fields:
        target = body.fields[field].type.target
        owner_refs = [f.type.target for f in body.fields.values() if f.type.kind == "ref"]
        if target is None or (target != entity and owner_refs.count(target) < 2):
            yield Problem(path, f"'traverse' walks a relation between rows of one kind; {entity}.{field} does not link two of them")
        return
    if field and field in body.many_to_many:
        return
    if not field or entity != main:
        targets = [f.type.target for f in body.fields.values() if f.type.kind == "ref"]
        if any(targets.count(t) >= 2 for t in targets):
            return
    yield Problem(path, f"'traverse' needs a relation such as Follow.followee (a link entity) or many_to_many: {{friends: User}}; got {via!r}")


def _field_ref(spec: Spec, use_case: UseCaseSpec, main: str | None, key: str, ref: str, path: Path) -> Iterator[Problem]:
    """A filter, sort or search names a field of the main entity, or ``Entity.field`` of an entity a relation joins to it."""
    constant: str | None = None
    if key == "filter":
        ref, constant = split_filter(ref)
    text = ref.removeprefix("-") if key == "sort" else ref
    entity, dot, field = text.partition(".")
    if not dot:
        if main not in spec.entities:
            return  # the use case's main entity is already reported as unknown
        entity, field = owner_of_field(spec, use_case, main, text), text
    if entity not in spec.entities:
        yield Problem(path, _unknown_entity(spec, entity))
        return
    column = resolve_column(spec, entity, field)
    if column is None and field not in spec.entities[entity].many_to_many:
        yield Problem(path, _unknown_field(spec, entity, field))
        return
    touched = {r.split(".", 1)[0] for r in (*use_case.reads, *use_case.writes)}
    if entity not in touched and main is not None and main in spec.entities:
        avoid = (entity, field) if field in relations(spec, entity) else None
        if join_path(spec, main, entity, avoid=avoid) is None:
            yield Problem(
                path,
                f"no relation joins '{entity}' to '{main}', so '{entity}.{field}' cannot select {main} rows: "
                f"add one (e.g. a ref({main}) field on {entity}, a ref({entity}) field on {main}, or many_to_many: [{entity}] on {main}), "
                f"or list {entity} in reads",
            )
            return
    if constant is not None:
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


def _periodic(spec: Spec) -> Iterator[Problem]:
    """``every`` counts the actor's clients online from the rate: it needs the rate, and a scheduled job has no clients."""
    for i, use_case in enumerate(spec.use_cases):
        if use_case.every is None:
            continue
        if use_case.rate is None:
            yield Problem(("use_cases", i, "every"), "'every' counts the clients online as the peak rate x every: give the use case's rate too")
        elif use_case.schedule is not None:
            yield Problem(
                ("use_cases", i, "every"), "a scheduled job is run by the scheduler, not by clients: 'every' does not apply (the schedule sets its interval)"
            )


def _push_shares(spec: Spec) -> Iterator[Problem]:
    """Stated shares of the push providers are parts of one whole: together at most 100%, and only on a push provider."""
    stated = [(name, e.share) for name, e in spec.external.items() if e.share is not None]
    for name, _ in stated:
        if (spec.external[name].kind or "").lower() not in PUSH_KINDS:
            yield Problem(("external", name, "share"), f"'{name}' is not a push provider (kind: push): a share splits push notifications between providers")
    total = sum(v or 0.0 for _, v in stated)
    if total > 1.0 + 1e-9:
        name = stated[-1][0]
        yield Problem(
            ("external", name, "share"), f"the push providers' shares add up to {total:.0%}; together they may carry at most 100% of the notifications"
        )


__all__ = ["TEXT_KINDS", "Note", "Problem", "check_references", "primary_entity", "snake", "spec_notes"]
