"""Property test: any spec is refused with located errors, or every DDL file and migration it designs applies and means what it says.

Specs are generated with hostile but valid names (both dialects' keywords, names at and
past the 63-byte limit, look-alikes of system prefixes), hostile text (NUL, line breaks,
comment marks, quotes, backslashes, non-ASCII) in descriptions, use case names, string
defaults and constant filters, odd defaults of every type, and every relation shape:
part_of, belongs_to, ref, self reference, many_to_many (self included), tenant_scoped,
soft_delete, append_only, retention, time partitioning. Each design goes to SQLite and to
the tests' PostgreSQL: DDL, initial migrations up/down/up, and the expand and contract
migrations towards a mutated spec; then a row per table and the catalog checks of
tests/ddl_checks.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backend_architect.api import design_spec
from backend_architect.errors import InputError
from backend_architect.render.files import Previous
from backend_architect.spec.identifiers import MAX_IDENTIFIER_BYTES, reserved_words
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.naming import BUILTIN_COLUMNS, join_table, snake, table_name
from ddl_checks import apply_postgres, apply_sqlite, design_names, migration_sections, postgres_misreadings, postgres_names, postgres_rows_insert

#: Field names the grammar allows that either dialect reads as a keyword.
KEYWORDS = sorted(w for w in reserved_words() if re.fullmatch(r"[a-z][a-z0-9_]*", w) and w not in BUILTIN_COLUMNS)
#: Text no SQL file may be broken by.
HOSTILE_TEXT = ["it's", "a */ b /* c", "line\nCREATE TABLE injected (a int); --", "nul\x00byte", "back\\slash", "été 😀", "tab\there\r\n", "\u2028sep"]
TYPES = ["string(12)", "text", "int", "bigint", "decimal(6,2)", "money", "bool", "date", "datetime", "uuid", "email", "url", "json",
         "enum[on,off,x-1]", "blob", "vector(3)"]  # fmt: skip
#: Defaults per type that the design must carry into every file, at the edges of their field.
DEFAULTS: dict[str, list[object]] = {
    "string(12)": ["it's \\ */", "été 😀", "", "x" * 12],
    "text": ["line\none", "-- not a comment"],
    "int": [0, -(2**31), 2**31 - 1],
    "bigint": [2**63 - 1, -(2**63)],
    "decimal(6,2)": [9999.99, -0.01, "12.5"],
    "money": [0, 1234.5],
    "bool": [True, False],
    "date": ["today", "2024-02-29"],
    "datetime": ["now", "2024-01-31T09:00:00Z"],
    "uuid": ["0190d5a8-7b8e-7c1d-9f00-0123456789ab"],
    "email": ["a@example.com"],
    "url": ["https://example.com/?a='b'"],
    "json": ['{"a": "it\'s"}', "[]"],
    "enum[on,off,x-1]": ["x-1", "off"],
    "blob": [],
    "vector(3)": [],
}
#: Defaults the checker must refuse: wrong type, outside the field's constraints, or not storable.
ODD_DEFAULTS: dict[str, list[object]] = {
    "string(12)": ["x" * 13, 7, "nul\x00"],
    "int": [2**31, 1.5, True],
    "decimal(6,2)": [10000, 0.001, float("nan")],
    "bool": ["true"],
    "date": ["2023-02-29", "tomorrow"],
    "datetime": ["2024-01-31T09:00:00"],
    "uuid": ["nope"],
    "json": ["{bad"],
    "enum[on,off,x-1]": ["maybe"],
    "blob": ["key"],
}
CONSTANTS = {"string(12)": ["it's", "été", "back\\slash", "a */ --"], "int": ["-7", "2147483647"], "bool": ["true"], "enum[on,off,x-1]": ["x-1"]}
ODD_CONSTANTS = {"string(12)": ["x" * 13, "nul\x00"], "int": ["2147483648", "٣"]}


def _camel(word: str) -> str:
    return "".join(part.capitalize() for part in word.split("_"))


def _columns_fit(field_name: str, kind: str) -> bool:
    suffix = {"money": "_currency", "ref": "_id"}.get(kind.split("(")[0], "")
    return len((field_name + suffix).encode()) <= MAX_IDENTIFIER_BYTES


@st.composite
def entity_names(draw: Any, count: int, strict: bool) -> list[str]:
    """Keyword-like, limit-length and plain entity names; tables stay distinct (and within 63 bytes when ``strict``)."""
    names: list[str] = []
    while len(names) < count:
        kind = draw(st.sampled_from(["keyword", "long", "plain"]))
        if kind == "keyword":
            name = _camel(draw(st.sampled_from(KEYWORDS)))
        elif kind == "long":
            name = "L" + "o" * draw(st.integers(50, 61 if strict else 62))  # table 'loo...os': up to 63 (64) bytes
        else:
            name = f"Thing{len(names)}"
        if table_name(name) not in {table_name(n) for n in names} and not name.startswith(("Pg", "Sqlite")):
            names.append(name)
    return names


@st.composite
def fields(draw: Any, strict: bool) -> tuple[str, dict[str, Any]]:
    """A field with a keyword, limit-length or plain name, any type, maybe a default and a hostile description."""
    kind = draw(st.sampled_from(TYPES))
    field: dict[str, Any] = {"type": kind + ("?" if draw(st.booleans()) else "")}
    pool = DEFAULTS[kind] + ([] if strict else ODD_DEFAULTS.get(kind, []))
    if pool and draw(st.integers(0, 2)) == 0:
        field["default"] = draw(st.sampled_from(pool))
    if draw(st.integers(0, 3)) == 0:
        field["description"] = draw(st.sampled_from(HOSTILE_TEXT))
    name = draw(st.sampled_from(["keyword", "keyword", "long", "plain"]))
    if name == "keyword":
        field_name = str(draw(st.sampled_from(KEYWORDS)))
    elif name == "long":
        field_name = "f" + "a" * draw(st.integers(45, 63))
        if strict and not _columns_fit(field_name, kind):
            field_name = field_name[: MAX_IDENTIFIER_BYTES - len("_currency")]
    else:
        field_name = draw(st.sampled_from(["title", "status", "amount", "note"]))
    return field_name, field


@st.composite
def specs(draw: Any) -> dict[str, Any]:
    """A spec of one to four entities in every relation shape; one in five may hold something the checker must refuse."""
    strict = draw(st.integers(0, 4)) > 0
    names = draw(entity_names(draw(st.integers(1, 4)), strict))
    tenancy = len(names) > 1 and draw(st.booleans())
    entities: dict[str, Any] = {}
    use_cases: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        entity: dict[str, Any] = {"fields": dict(draw(st.lists(fields(strict), min_size=1, max_size=4, unique_by=lambda f: f[0])))}
        earlier = names[:i]
        if earlier and draw(st.booleans()):
            entity["part_of"] = draw(st.sampled_from(earlier))
        if earlier and draw(st.booleans()):
            entity["fields"]["link"] = f"ref({draw(st.sampled_from(earlier))})" + ("?" if draw(st.booleans()) else "")
        if draw(st.integers(0, 3)) == 0:
            entity["fields"]["parent"] = f"ref({name})?"
        partner = draw(st.sampled_from(names[: i + 1]))
        if draw(st.integers(0, 2)) == 0 and (not strict or _join_fits(name, partner)):
            entity["many_to_many"] = [partner]
        entity["soft_delete"] = draw(st.booleans())
        entity["append_only"] = draw(st.booleans())
        entity["tenant_scoped"] = tenancy and i > 0 and draw(st.booleans())
        if draw(st.booleans()):
            entity["retention"] = "30d"
        if entity["append_only"] and draw(st.booleans()):
            entity["growth"] = "50M/day"  # past the partitioning threshold
        if draw(st.integers(0, 3)) == 0:
            entity["description"] = draw(st.sampled_from(HOSTILE_TEXT))
        plain = [f for f, v in entity["fields"].items() if isinstance(v, dict) and v["type"].rstrip("?") in CONSTANTS]
        if len(plain) >= 2 and draw(st.integers(0, 3)) == 0:
            entity["unique"] = [plain[:2]]
        entities[name] = entity
        use_cases.append(_list_use_case(draw, name, entity, len(use_cases), strict))
        if not entity["append_only"] and draw(st.booleans()):
            use_cases.append({"name": f"update {name} {len(use_cases)}", "kind": "update", "writes": [name], "rate": "1/s"})
    spec = {"system": "generated", "team": {"size": 4}, "entities": entities, "use_cases": use_cases}
    if tenancy:
        spec["tenant"] = names[0]
    return spec


def _join_fits(left: str, right: str) -> bool:
    columns = [join_table(left, right), f"related_{snake(right)}_id"]
    return all(len(c.encode()) <= MAX_IDENTIFIER_BYTES for c in columns)


def _list_use_case(draw: Any, name: str, entity: dict[str, Any], number: int, strict: bool) -> dict[str, Any]:
    """A list use case over ``name``: constant filters, sorts and search on its fields, under a hostile name."""
    use_case: dict[str, Any] = {"name": f"list {name} {number} " + draw(st.sampled_from(HOSTILE_TEXT)), "reads": [name], "rate": "20/s"}
    typed = {f: v["type"].rstrip("?") for f, v in entity["fields"].items() if isinstance(v, dict)}
    pools = {t: CONSTANTS[t] + ([] if strict else ODD_CONSTANTS.get(t, [])) for t in CONSTANTS}
    constants = [f"{f}={draw(st.sampled_from(pools[t]))}" for f, t in typed.items() if t in pools and draw(st.booleans())]
    sortable = [f for f, t in typed.items() if t in {"int", "bigint", "date", "datetime", "string(12)"}]
    use_case["filter"] = constants[:2]
    if sortable:
        use_case["sort"] = [("-" if draw(st.booleans()) else "") + draw(st.sampled_from(sortable))]
    searchable = [f for f, t in typed.items() if t in {"text", "string(12)"}]
    if searchable and draw(st.integers(0, 3)) == 0:
        use_case["search"] = [searchable[0]]
    return use_case


@st.composite
def evolutions(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A spec and the next version of it: fields added, dropped, widened or made required, defaults changed, an entity added."""
    old = draw(specs())
    new = yaml.safe_load(yaml.safe_dump(old, allow_unicode=True))
    for entity in new["entities"].values():
        used = {c for u in new["use_cases"] for c in [*u.get("filter", []), *u.get("sort", []), *u.get("search", [])]}
        used |= {p for key in entity.get("unique", []) for p in key}
        change = draw(st.sampled_from(["add", "drop", "widen", "require", "default", "keep"]))
        plain = [f for f, v in entity["fields"].items() if isinstance(v, dict) and not any(f in u for u in used)]
        if change == "add":
            field_name, field = draw(fields(True))
            entity["fields"].setdefault(field_name, field)
        elif change == "drop" and len(plain) > 1:
            del entity["fields"][plain[0]]
        elif change == "widen":
            for value in entity["fields"].values():
                if isinstance(value, dict) and value["type"].startswith("string(12)"):
                    value["type"] = value["type"].replace("string(12)", "string(40)")
        elif change == "require" and plain:
            entity["fields"][plain[0]]["type"] = entity["fields"][plain[0]]["type"].rstrip("?")
        elif change == "default" and plain:
            kind = entity["fields"][plain[0]]["type"].rstrip("?")
            if DEFAULTS[kind]:
                entity["fields"][plain[0]]["default"] = draw(st.sampled_from(DEFAULTS[kind]))
    if draw(st.booleans()):
        partner = next(iter(new["entities"]))
        new["entities"]["Added"] = {"fields": dict([draw(fields(True))]), **({"many_to_many": [partner]} if _join_fits("Added", partner) else {})}
        new["use_cases"].append({"name": "list added", "reads": ["Added"], "rate": "1/s"})
    return old, new


def _load(raw: dict[str, Any], name: str) -> Any:
    """The loaded spec, or None when the checker refuses it, with every message located."""
    try:
        return load_spec_bytes(yaml.safe_dump(raw, allow_unicode=True).encode(), name).spec
    except InputError as exc:
        for line in str(exc).splitlines():
            assert re.match(rf"{re.escape(name)}:\d+:\d+: \S", line), line
        return None


@pytest.mark.postgres
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pair=evolutions())
def test_generated_specs_design_ddl_that_applies_ok(pair: tuple[dict[str, Any], dict[str, Any]], postgres: Any) -> None:
    """Refused with located errors, or: DDL and migrations apply to SQLite and PostgreSQL, keep their names, take a row per table."""
    old_raw, new_raw = pair
    spec = _load(old_raw, "generated.yaml")
    event("refused" if spec is None else "designed")
    if spec is None:
        return
    old = design_spec(spec)
    apply_sqlite(old)
    stores = old.architecture.datastores
    database = "property"
    apply_postgres(postgres, database, [old.files[f"schema/{s.service}.postgresql.sql"] for s in stores])
    assert design_names(stores) <= postgres_names(postgres, database)
    postgres_rows_insert(postgres, database, stores)
    assert postgres_misreadings(postgres, database) == []
    initial = sorted(p for p in old.files if "/migrations/" in p)
    ups = [migration_sections(old.files[p])[0] for p in initial]
    apply_postgres(postgres, database, [*ups, *(migration_sections(old.files[p])[1] for p in reversed(initial)), *ups])

    next_spec = _load(new_raw, "next.yaml")
    event("next version refused" if next_spec is None else "next version migrated")
    if next_spec is None:
        return
    new = design_spec(next_spec, Previous(old.architecture, {p: t for p, t in old.files.items() if "/migrations/" in p}))
    ordered = sorted((p for p in new.files if "/migrations/" in p), key=lambda p: (p.rsplit("/", 1)[1], p))
    contract = sorted(p for p in new.files if "/contract/" in p)
    apply_postgres(postgres, database, [migration_sections(new.files[p])[0] for p in [*ordered, *contract]])
    assert design_names(new.architecture.datastores) <= postgres_names(postgres, database)
    postgres_rows_insert(postgres, database, new.architecture.datastores)
    assert postgres_misreadings(postgres, database) == []
