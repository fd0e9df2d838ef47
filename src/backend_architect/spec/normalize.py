"""Natural spellings of a spec, rewritten into its one canonical form before validation.

People write specs the way their framework taught them: ``belongs_to: [User]`` (Rails),
``max_length: 100`` (Django), ``Tag[]`` (Prisma), use cases as a mapping, ``sort: created_at
desc``. Each rule below reads one such family, rewrites it in place into the form the
model validates, and records where the value came from so errors still point at what the
author wrote. Two tuples:

* ``SPELLING_RULES`` change how a thing is written, never what it means; ``fmt`` applies
  them to the file itself (comments kept) so a loose spec can be committed canonical.
* ``DESUGAR_RULES`` expand shorthands into the general form (``belongs_to: User`` becomes
  the field ``user: ref(User)``); only the loader applies them.

Rules work on plain ``dict``/``list`` trees and on ruamel's round-trip ones alike, and
never raise: what they cannot read they leave for the validator, or report as a problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from backend_architect.spec.aliases import (
    AUTH_VALUES,
    COMPLIANCE_VALUES,
    CONSISTENCY_VALUES,
    KEY_ALIASES,
    KEY_VALUES,
    KIND_VALUES,
    ON_DELETE_VALUES,
)
from backend_architect.spec.naming import snake
from backend_architect.spec.positions import Path, Positions
from backend_architect.spec.problems import Note, Problem


@dataclass
class Context:
    """What a rule may use: the positions to update, and where to put problems and notes."""

    positions: Positions
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def problem(self, path: Path, message: str, *, at_key: bool = False) -> None:
        self.problems.append(Problem(path, message, at_key))

    def note(self, path: Path, message: str) -> None:
        self.notes.append(Note(path, message))


Rule = Callable[[dict[str, Any], Context], None]


# --- walking the document ---------------------------------------------------------------


def _mapping(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _entities(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, entity in list((_mapping(doc.get("entities")) or {}).items()):
        if isinstance(entity, dict):
            yield str(name), entity


def _fields(entity: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Fields in the long form (a mapping); the short form is a type string."""
    for name, spec in list((_mapping(entity.get("fields")) or {}).items()):
        if isinstance(spec, dict):
            yield str(name), spec


def _use_cases(doc: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    cases = doc.get("use_cases")
    if isinstance(cases, list):
        for i, case in enumerate(cases):
            if isinstance(case, dict):
                yield i, case


def _replace(mapping: dict[str, Any], old: str, new: str, value: Any) -> None:
    """Put ``new: value`` where ``old`` stood, keeping the key order (and ruamel's comments)."""
    keys = list(mapping)
    index = keys.index(old)
    insert = getattr(mapping, "insert", None)
    if insert is not None:
        del mapping[old]
        insert(index, new, value)
        return
    items = [(new, value) if k == old else (k, mapping[k]) for k in keys]
    mapping.clear()
    mapping.update(items)


def _rename_keys(mapping: dict[str, Any], level: str, path: Path, ctx: Context) -> None:
    aliases = KEY_ALIASES[level]
    for key in list(mapping):
        canonical = aliases.get(str(key))
        if canonical is None:
            continue
        if canonical in mapping:
            ctx.problem((*path, key), f"'{key}' and '{canonical}' mean the same thing here; keep one ('{canonical}')", at_key=True)
            del mapping[key]
            continue
        _replace(mapping, key, canonical, mapping[key])
        ctx.positions.move((*path, canonical), (*path, key))


# --- spelling rules: how a thing is written ---------------------------------------------


def entities_as_list(doc: dict[str, Any], ctx: Context) -> None:
    """``entities`` (or ``models``) as a list of ``{name: Book, fields: ...}`` reads as a mapping by name."""
    _rename_keys(doc, "spec", (), ctx)
    items = doc.get("entities")
    if not isinstance(items, list):
        return
    result: dict[str, Any] = {}
    for i, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            ctx.problem(("entities", i), "an entity in a list needs 'name: EntityName' (or write entities as a mapping: Book: {fields: ...})")
            continue
        body = {k: v for k, v in item.items() if k != "name"}
        result[name] = body
        ctx.positions.move(("entities", name), ("entities", i))
    doc["entities"] = result


def use_cases_as_mapping(doc: dict[str, Any], ctx: Context) -> None:
    """``use_cases`` as a mapping ``browse books: {reads: [Book]}`` reads as the list form with ``name``."""
    cases = doc.get("use_cases")
    if not isinstance(cases, dict):
        return
    result = []
    for i, (name, body) in enumerate(cases.items()):
        item = dict(body) if isinstance(body, dict) else {}
        if body is not None and not isinstance(body, dict):
            ctx.problem(("use_cases", name), f"use case '{name}' is a mapping of its keys, e.g. {{reads: [Book], rate: 10/s}}")
        result.append({"name": str(name), **item})
        ctx.positions.move(("use_cases", i), ("use_cases", name))
    doc["use_cases"] = result


def team_as_number(doc: dict[str, Any], ctx: Context) -> None:
    """``team: 5`` reads as ``team: {size: 5}``."""
    team = doc.get("team")
    if isinstance(team, int) and not isinstance(team, bool):
        doc["team"] = {"size": team}
        ctx.positions.move(("team", "size"), ("team",))
    elif isinstance(team, dict):
        _rename_keys(team, "team", ("team",), ctx)


def scale_spellings(doc: dict[str, Any], ctx: Context) -> None:
    """Scale keys by their usual names (``dau``, ``sla``, ``region``); ``retention: 7y``; ``peak_factor: 3x``."""
    scale = _mapping(doc.get("scale"))
    if scale is None:
        return
    _rename_keys(scale, "scale", ("scale",), ctx)
    years = scale.get("retention_years")
    if isinstance(years, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(y|yr|yrs|years?)\s*", years)
        if match:
            scale["retention_years"] = float(match[1]) if "." in match[1] else int(match[1])
    factor = scale.get("peak_factor")
    if isinstance(factor, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*x\s*", factor, re.IGNORECASE)
        if match:
            scale["peak_factor"] = float(match[1])
    rates = scale.get("rates")
    if isinstance(rates, str) and rates.strip().lower() in {"avg", "mean", "averages", "peaks"}:
        scale["rates"] = "peak" if rates.strip().lower() == "peaks" else "average"


def constraint_spellings(doc: dict[str, Any], ctx: Context) -> None:
    """Constraint names and values as people write them: ``GDPR``, ``PCI-DSS``, ``avoid: kafka``, ``language: Python``."""
    constraints = _mapping(doc.get("constraints"))
    if constraints is None:
        return
    _rename_keys(constraints, "constraints", ("constraints",), ctx)
    for key in ("prefer", "avoid", "compliance"):
        if isinstance(constraints.get(key), str):
            constraints[key] = [constraints[key]]
    if isinstance(constraints.get("compliance"), list):
        constraints["compliance"] = [_compliance(v) if isinstance(v, str) else v for v in constraints["compliance"]]
    if isinstance(constraints.get("language"), str):
        constraints["language"] = constraints["language"].strip().lower()


def _compliance(value: str) -> str:
    text = value.strip().lower()
    return COMPLIANCE_VALUES.get(text, text)


def external_spellings(doc: dict[str, Any], ctx: Context) -> None:
    """``external: {stripe: payment}`` reads as ``stripe: {kind: payment}``."""
    external = _mapping(doc.get("external"))
    if external is None:
        return
    for name, value in list(external.items()):
        if isinstance(value, str):
            external[name] = {"kind": value}
            ctx.positions.move(("external", name, "kind"), ("external", name))
        elif value is None:
            external[name] = {}


def _entity_named(doc: dict[str, Any], text: Any) -> Any:
    """``user``, ``users`` or ``order_line`` name the entity ``User`` / ``OrderLine`` (Rails writes them so)."""
    entities = _mapping(doc.get("entities")) or {}
    if not isinstance(text, str) or text in entities:
        return text
    from backend_architect.spec.naming import table_name

    for name in entities:
        if text in {snake(str(name)), table_name(str(name))}:
            return name
    return text


def _entity_names(doc: dict[str, Any], value: Any) -> Any:
    if isinstance(value, list):
        return [_entity_named(doc, v) for v in value]
    if isinstance(value, dict):
        return {k: _entity_named(doc, v) for k, v in value.items()}
    return _entity_named(doc, value)


def entity_spellings(doc: dict[str, Any], ctx: Context) -> None:
    """Entity keys by their framework names (``unique_together``, ``paranoid``, ``has_and_belongs_to_many``); ``belongs_to: [X]`` as ``X``.

    Relations may name an entity as Rails does (``belongs_to: user``, ``has_many: comments``).
    """
    for name, entity in _entities(doc):
        path: Path = ("entities", name)
        _rename_keys(entity, "entity", path, ctx)
        for key in ("belongs_to", "part_of", "has_many", "has_one", "many_to_many"):
            if key in entity:
                entity[key] = _entity_names(doc, entity[key])
        owner = entity.get("belongs_to")
        if isinstance(owner, list) and len(owner) == 1 and isinstance(owner[0], str):
            entity["belongs_to"] = owner[0]
            ctx.positions.move((*path, "belongs_to"), (*path, "belongs_to", 0))
        strategy = entity.get("key")
        if isinstance(strategy, str) and strategy.strip().lower() in KEY_VALUES:
            entity["key"] = KEY_VALUES[strategy.strip().lower()]
        if isinstance(entity.get("rows_per_day"), int | float | str):
            ctx.problem((*path, "rows_per_day"), "write new rows over time as growth, e.g. growth: 5k/day", at_key=True)


def field_spellings(doc: dict[str, Any], ctx: Context) -> None:
    """Field options by their framework names: ``null``/``required``/``optional``, ``max_length``, ``choices``, ``references``, ``x_id: ref(X)``."""
    for entity_name, entity in _entities(doc):
        fields = _mapping(entity.get("fields"))
        if fields is None:
            continue
        for name, spec in list(fields.items()):
            path: Path = ("entities", entity_name, "fields", name)
            if isinstance(spec, dict):
                _rename_keys(spec, "field", path, ctx)
                _fold_field_options(spec, path, ctx)
            name = _snake_field_name(fields, str(name), path, ctx)
            _drop_id_suffix(fields, name, ("entities", entity_name, "fields", name), ctx)


def _fold_field_options(spec: dict[str, Any], path: Path, ctx: Context) -> None:
    """Options that other frameworks keep beside the type, folded into the compact type."""
    _word(spec, "on_delete", {**ON_DELETE_VALUES, "cascade": "cascade", "restrict": "restrict", "set_null": "set_null"})
    for key, nullable in (("required", False), ("optional", True)):
        if key in spec and isinstance(spec[key], bool):
            if "nullable" in spec:
                ctx.problem((*path, key), f"'{key}' and 'nullable' both say whether the field may be empty; keep 'nullable'", at_key=True)
                del spec[key]
                continue
            _replace(spec, key, "nullable", nullable if spec[key] else not nullable)
            ctx.positions.move((*path, "nullable"), (*path, key))
    target = next((spec[k] for k in ("ref", "references", "to") if isinstance(spec.get(k), str)), None)
    if target is not None and spec.get("type") in (None, "ref", "reference", "foreign_key"):
        for key in ("ref", "references", "to"):
            spec.pop(key, None)
        spec["type"] = f"ref({target})"
    kind = spec.get("type")
    if not isinstance(kind, str):
        return
    values = next((spec[k] for k in ("values", "choices", "options", "enum") if isinstance(spec.get(k), list)), None)
    if values is not None and kind.strip().lower() in {"enum", "string", "str", "text", "choice"}:
        for key in ("values", "choices", "options", "enum"):
            spec.pop(key, None)
        labels = [str(v[0]) if isinstance(v, list) and v else str(v) for v in values]
        spec["type"] = f"enum[{','.join(labels)}]"
        return
    length = next((spec[k] for k in ("max_length", "length") if isinstance(spec.get(k), int) and not isinstance(spec.get(k), bool)), None)
    if length is not None and kind.strip().lower() in {"string", "str", "varchar", "char"}:
        spec.pop("max_length", None)
        spec.pop("length", None)
        spec["type"] = f"string({length})"
        return
    precision = spec.get("max_digits", spec.get("precision"))
    scale = spec.get("decimal_places", spec.get("scale"))
    if isinstance(precision, int) and kind.strip().lower() in {"decimal", "numeric"}:
        for key in ("max_digits", "precision", "decimal_places", "scale"):
            spec.pop(key, None)
        spec["type"] = f"decimal({precision},{scale if isinstance(scale, int) else 0})"


_REF = re.compile(r"\s*(?:ref|reference|foreignkey)\(\s*([A-Za-z][A-Za-z0-9_]*)\s*\)(\s*\[\s*\])?\s*(\?)?\s*", re.IGNORECASE)


def _ref_target(spec: Any) -> str | None:
    kind = spec.get("type") if isinstance(spec, dict) else spec
    match = _REF.fullmatch(kind) if isinstance(kind, str) else None
    return match[1] if match else None


_CAMEL = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+")


def _snake_field_name(fields: dict[str, Any], name: str, path: Path, ctx: Context) -> str:
    """``createdAt`` / ``authorId`` (Prisma, JPA) are ``created_at`` / ``author_id``: columns are snake_case."""
    if not _CAMEL.fullmatch(name):
        return name
    renamed = snake(name)
    if renamed in fields:
        return name
    _replace(fields, name, renamed, fields[name])
    ctx.positions.move((*path[:-1], renamed), path)
    return renamed


def canonical_type(text: str) -> str:
    """A compact type in its canonical spelling: ``String`` -> ``string``, ``varchar(80)`` -> ``string(80)``, ``enum(a|b)`` -> ``enum[a,b]``.

    Only the spelling changes; a type that does not parse is returned as written (the
    validator reports it).

    >>> [canonical_type(t) for t in ["String", "varchar(80)?", "enum(a | b)", "Int[]", "decimal(12,2)"]]
    ['string', 'string(80)?', 'enum[a,b]', 'json', 'decimal(12,2)']
    """
    from backend_architect.spec.field_types import parse_field_type

    try:
        parsed = parse_field_type(text)
    except ValueError:
        return text
    if parsed.kind in {"string", "decimal"} and "(" not in text:
        return parsed.kind + ("?" if parsed.nullable else "")  # the default size stays implicit
    return str(parsed)


def type_spellings(doc: dict[str, Any], ctx: Context) -> None:
    """Field types in their canonical spelling.

    ``DateTime``, ``varchar(80)``, ``enum(a|b)`` and ``Tag[]`` are read as ``datetime``,
    ``string(80)``, ``enum[a,b]`` and ``json``.
    """
    for _name, entity in _entities(doc):
        fields = _mapping(entity.get("fields"))
        if fields is None:
            continue
        for field_name, spec in list(fields.items()):
            holder, key = (spec, "type") if isinstance(spec, dict) else (fields, field_name)
            kind = holder.get(key)
            if isinstance(kind, str) and _ref_target(kind) is None:
                holder[key] = canonical_type(kind)


def _drop_id_suffix(fields: dict[str, Any], name: str, path: Path, ctx: Context) -> None:
    """``author_id: ref(User)`` names the relation ``author``: its column is ``author_id`` either way."""
    if not name.endswith("_id") or _ref_target(fields[name]) is None:
        return
    relation = name.removesuffix("_id")
    if not relation or relation in fields:
        return
    _replace(fields, name, relation, fields[name])
    ctx.positions.move((*path[:-1], relation), path)


def use_case_spellings(doc: dict[str, Any], ctx: Context) -> None:
    """Use-case keys and values as people write them: ``order_by: created_at desc``, ``auth: public``, ``where: {status: open}``, ``kind: query``."""
    for i, case in _use_cases(doc):
        path: Path = ("use_cases", i)
        _rename_keys(case, "use_case", path, ctx)
        if "public" in case and isinstance(case["public"], bool):
            if "auth" in case:
                ctx.problem((*path, "public"), "'public' and 'auth' both say who may call this; keep 'auth'", at_key=True)
                del case["public"]
            else:
                _replace(case, "public", "auth", "none" if case["public"] else "required")
                ctx.positions.move((*path, "auth"), (*path, "public"))
        _word(case, "auth", AUTH_VALUES)
        _word(case, "kind", KIND_VALUES)
        _word(case, "consistency", CONSISTENCY_VALUES)
        if "sort" in case:
            case["sort"] = _sorts(case["sort"])
        if isinstance(case.get("filter"), dict):
            case["filter"] = [str(k) if v is None or v == "?" else f"{k}={_constant(v)}" for k, v in case["filter"].items()]
        page = _page(case.get("page"))
        if page is not None:
            case["page"] = page
        latency = case.get("latency_ms")
        if isinstance(latency, str):
            match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*", latency)
            if match:
                number = float(match[1]) * (1000 if match[2] == "s" else 1)
                case["latency_ms"] = int(number) if number.is_integer() else number
        schedule = case.get("schedule")
        if isinstance(schedule, str) and schedule.startswith("@"):
            case["schedule"] = schedule[1:]
        rate = case.get("rate")
        if isinstance(rate, int | float) and not isinstance(rate, bool):
            case["rate"] = f"{rate}/s"
            ctx.note((*path, "rate"), f"rate {rate} has no unit: read as {rate}/s (write {rate}/s, or /min, /h, /day)")


def _word(mapping: dict[str, Any], key: str, table: dict[str, str]) -> None:
    value = mapping.get(key)
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, str) and value.strip().lower() in table:
        mapping[key] = table[value.strip().lower()]


def _constant(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sorts(value: Any) -> Any:
    """``created_at desc``, ``-created_at``, ``{created_at: desc}`` and lists of them, as ``-created_at``."""
    if isinstance(value, dict):
        return [f"-{k}" if str(v).strip().lower() in {"desc", "descending", "-1"} else str(k) for k, v in value.items()]
    if isinstance(value, str):
        value = value.split(",") if "," in value else [value]
    if not isinstance(value, list):
        return value
    result: list[Any] = []
    for item in value:
        if not isinstance(item, str):
            result.append(item)
            continue
        words = item.split()
        if len(words) == 2 and words[1].lower() in {"desc", "descending", "asc", "ascending"}:
            result.append(("-" if words[1].lower().startswith("desc") else "") + words[0])
        else:
            result.append(item.strip().removeprefix("+"))
    return result


def _page(value: Any) -> Any:
    """``page: true``, ``20``, ``{limit_default: 20, limit_max: 100, type: cursor}`` read as ``{style, limit, max}``."""
    if isinstance(value, bool):
        return "cursor" if value else "none"
    if isinstance(value, int) and value > 0:
        return {"style": "cursor", "limit": value}
    if isinstance(value, str) and value.strip().lower() in {"cursors", "keyset", "seek"}:
        return "cursor"
    if isinstance(value, str) and value.strip().lower() in {"pages", "page", "numbered", "offset/limit", "limit/offset"}:
        return "offset"
    if not isinstance(value, dict):
        return None
    names = {
        "type": "style",
        "kind": "style",
        "mode": "style",
        "strategy": "style",
        "default": "limit",
        "size": "limit",
        "page_size": "limit",
        "per_page": "limit",
        "limit_default": "limit",
        "default_limit": "limit",
        "default_size": "limit",
        "max_limit": "max",
        "limit_max": "max",
        "max_size": "max",
        "max_page_size": "max",
        "max_per_page": "max",
    }
    page = {names.get(str(k), str(k)): v for k, v in value.items()}
    style = page.get("style")
    if isinstance(style, str):
        page["style"] = _page(style) if isinstance(_page(style), str) else style.strip().lower()
    return page


# --- desugaring rules: shorthands expanded into the general form ------------------------


def belongs_to_references(doc: dict[str, Any], ctx: Context) -> None:
    """``belongs_to: User`` (or a list) is a required reference, as in Rails: the field ``user: ref(User)``.

    An explicit ``user_id`` field beside it is the same foreign key, read as one field (its
    options, e.g. ``nullable``, kept). Composition is ``part_of``, not ``belongs_to``.
    """
    for name, entity in _entities(doc):
        owners = entity.get("belongs_to")
        if owners is None:
            continue
        path: Path = ("entities", name, "belongs_to")
        listed = owners if isinstance(owners, list) else [owners]
        if not all(isinstance(o, str) and o for o in listed):
            ctx.problem(path, "belongs_to takes an entity name or a list of names, e.g. belongs_to: User or belongs_to: [User, Post]")
            continue
        fields = entity.get("fields")
        if fields is None:
            fields = entity["fields"] = {}
        if not isinstance(fields, dict):
            continue
        added: dict[str, Any] = {}
        for i, target in enumerate(listed):
            relation = snake(target)
            source: Path = (*path, i) if isinstance(owners, list) else path
            declared = next((k for k in (relation, f"{relation}_id") if k in fields), None)
            if declared is None:
                added[relation] = f"ref({target})"
                ctx.positions.move(("entities", name, "fields", relation), source)
                continue
            existing = fields.pop(declared)
            merged = _merge_reference(existing, target)
            if merged is None:
                ctx.problem(
                    ("entities", name, "fields", declared),
                    f"field '{declared}' and belongs_to: {target} both define the column {relation}_id; drop the field or make it ref({target})",
                )
                fields[declared] = existing
                continue
            added[relation] = merged
            ctx.positions.move(("entities", name, "fields", relation), ("entities", name, "fields", declared))
        entity["fields"] = {**added, **fields}
        del entity["belongs_to"]


def _merge_reference(existing: Any, target: str) -> Any:
    """A declared ``user``/``user_id`` field beside ``belongs_to: User``: the same reference, or a conflict (None)."""
    spec = dict(existing) if isinstance(existing, dict) else {"type": existing}
    kind = spec.get("type")
    if not isinstance(kind, str):
        return None
    ref = _ref_target(kind)
    if ref is not None:
        return existing if ref == target else None
    bare = kind.strip().rstrip("?").strip().lower()
    if bare not in {"uuid", "int", "integer", "bigint", "long", "string", "str", "serial", "bigserial"}:
        return None
    spec["type"] = f"ref({target})" + ("?" if kind.strip().endswith("?") else "")
    return spec


def has_many_children(doc: dict[str, Any], ctx: Context) -> None:
    """``has_many: [Comment]`` on Post (Rails' other side) makes sure Comment references Post; ``has_one`` too, unique."""
    entities = _mapping(doc.get("entities")) or {}
    for name, entity in _entities(doc):
        for key, unique in (("has_many", False), ("has_one", True)):
            children = entity.pop(key, None)
            if children is None:
                continue
            listed = children if isinstance(children, list) else [children]
            for i, child in enumerate(listed):
                where: Path = ("entities", name, key, i) if isinstance(children, list) else ("entities", name, key)
                body = entities.get(child) if isinstance(child, str) else None
                if not isinstance(body, dict):
                    ctx.problem(where, f"{key} names an entity of this spec, e.g. {key}: [Comment]; '{child}' is not one")
                    continue
                fields = body.setdefault("fields", {})
                if not isinstance(fields, dict) or any(_ref_target(f) == name for f in fields.values()) or body.get("part_of") == name:
                    continue
                relation = snake(name)
                fields[relation] = {"type": f"ref({name})", "unique": True} if unique else f"ref({name})"
                ctx.positions.move(("entities", child, "fields", relation), where)


def many_to_many_names(doc: dict[str, Any], ctx: Context) -> None:
    """``many_to_many: [Tag]`` names each relation after its entity's table (``tags``); a mapping names them itself."""
    from backend_architect.spec.model import default_relation

    for name, entity in _entities(doc):
        relations = entity.get("many_to_many")
        if isinstance(relations, str):
            relations = [relations]
            ctx.positions.move(("entities", name, "many_to_many", 0), ("entities", name, "many_to_many"))
        if not isinstance(relations, list) or not all(isinstance(r, str) for r in relations):
            continue
        for i, target in enumerate(relations):
            if target in relations[:i]:
                ctx.problem(("entities", name, "many_to_many", i), f"'{target}' is listed twice in many_to_many: a pair is linked once")
        entity["many_to_many"] = {default_relation(r): r for r in relations}
        for i, target in enumerate(relations):
            ctx.positions.move(("entities", name, "many_to_many", default_relation(target)), ("entities", name, "many_to_many", i))


def many_references(doc: dict[str, Any], ctx: Context) -> None:
    """``tags: {type: ref(Tag), many: true}`` (or Prisma's ``ref(Tag)[]``) is a many-to-many relation named ``tags``."""
    for name, entity in _entities(doc):
        fields = _mapping(entity.get("fields"))
        if fields is None:
            continue
        for field_name, spec in list(fields.items()):
            many = isinstance(spec, dict) and spec.get("many") is True
            kind = spec.get("type") if isinstance(spec, dict) else spec
            match = _REF.fullmatch(kind) if isinstance(kind, str) else None
            path: Path = ("entities", name, "fields", field_name)
            if isinstance(spec, dict) and "many" in spec and not many:
                spec.pop("many")
                continue
            if not (many or (match and match[2])):
                continue
            if match is None:
                ctx.problem(path, "'many: true' needs a ref(...) type: a list of plain values is a json field")
                spec.pop("many")
                continue
            relations = entity.get("many_to_many") or {}
            if not isinstance(relations, dict):
                continue
            del fields[field_name]
            relations[str(field_name)] = match[1]
            entity["many_to_many"] = relations
            ctx.positions.move(("entities", name, "many_to_many", field_name), path)


_TIMESTAMP_TYPES = {"datetime", "timestamp", "timestamptz", "instant", "date", "localdatetime"}
_KEY_TYPES = {
    "uuid": "uuid",
    "guid": "uuid",
    "int": "identity",
    "integer": "identity",
    "bigint": "identity",
    "long": "identity",
    "serial": "identity",
    "bigserial": "identity",
}


def declared_standard_columns(doc: dict[str, Any], ctx: Context) -> None:
    """Declared ``id``, ``created_at``, ``updated_at``, ``deleted_at`` and ``tenant_id`` are the standard columns.

    ``id: uuid`` or ``id: bigint`` chooses the key (``key: uuid`` / ``identity``);
    ``deleted_at`` asks for soft delete; the timestamps are merged. Only a type that
    contradicts the standard column is an error.
    """
    for name, entity in _entities(doc):
        fields = _mapping(entity.get("fields"))
        if fields is None:
            continue
        base: Path = ("entities", name, "fields")
        for column in ("id", "created_at", "updated_at", "deleted_at", "tenant_id"):
            if column not in fields:
                continue
            spec = fields[column]
            kind = spec.get("type") if isinstance(spec, dict) else spec
            bare = kind.strip().rstrip("?").strip().lower() if isinstance(kind, str) else ""
            path: Path = (*base, column)
            problem = _standard_column(entity, column, kind, bare)
            if problem:
                ctx.problem(path, problem)
            elif column == "id":
                ctx.positions.move(("entities", name, "key"), path)
            # reported or merged, the declaration is read once: the standard column stands
            del fields[column]


def _standard_column(entity: dict[str, Any], column: str, kind: Any, bare: str) -> str | None:
    """Merge one declared standard column into the entity's options; the problem when it contradicts them."""
    if column == "id":
        key = _KEY_TYPES.get(bare)
        if key is None:
            return f"'id' is the primary key: declare it uuid or bigint (or leave it out); got {kind!r}"
        if entity.get("key", "auto") not in {"auto", key}:
            return f"'id: {kind}' contradicts key: {entity['key']}; keep one"
        entity["key"] = key
    elif column == "tenant_id":
        if bare not in {"uuid", "bigint", "int", "integer"} and _ref_target(kind) is None:
            return f"'tenant_id' is added to tenant-scoped tables as the tenant's id; got {kind!r}"
        entity.setdefault("tenant_scoped", True)
    elif bare not in _TIMESTAMP_TYPES:
        return f"'{column}' is a standard column of type datetime; declare it datetime or leave it out (got {kind!r})"
    elif column == "deleted_at":
        entity.setdefault("soft_delete", True)
    elif column == "updated_at" and entity.get("append_only") is True:
        return "an append-only entity has no updated_at: its rows never change; drop the field or append_only"
    return None


SPELLING_RULES: tuple[Rule, ...] = (
    entities_as_list,
    use_cases_as_mapping,
    team_as_number,
    scale_spellings,
    constraint_spellings,
    external_spellings,
    entity_spellings,
    field_spellings,
    type_spellings,
    use_case_spellings,
)

DESUGAR_RULES: tuple[Rule, ...] = (
    belongs_to_references,
    has_many_children,
    many_to_many_names,
    many_references,
    declared_standard_columns,
)


def normalize(doc: dict[str, Any], positions: Positions, *, desugar: bool = True) -> Context:
    """Rewrite ``doc`` in place into the canonical form; the context holds what the rules found."""
    ctx = Context(positions)
    for rule in (*SPELLING_RULES, *(DESUGAR_RULES if desugar else ())):
        rule(doc, ctx)
    return ctx
