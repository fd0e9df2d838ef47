"""Hypothesis strategies for specs with hostile names, every relation shape, every kind of use case, and scale.

Used by the property test of the DDL (tests/render/test_ddl_properties.py), which also runs
the design's self-review over each design. Specs are generated with hostile but valid names
(both dialects' keywords, names at and past the 63-byte limit, look-alikes of system
prefixes), hostile text (NUL, line breaks, comment marks, quotes, backslashes, non-ASCII) in
descriptions, use case names, string defaults and constant filters, odd defaults of every
type, and every relation shape: part_of, belongs_to, has_many, ref (required, optional,
self), many_to_many (listed, named, self, and ``many: true`` refs), link entities, tenancy,
soft delete, append-only, retention. Use cases are of every kind: create, update (whole or
fields), delete, list with constant and joined filters, sorts and searches, get, search,
appends, links made and unmade, authentication flows, custom actions, batch jobs; with the
pattern words (staleness, deliver, latest, top, series, short codes). One spec in three is at
a scale that shards, partitions, caches and triggers the pattern library. One in five may
hold something the checker must refuse.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from backend_architect.spec.identifiers import MAX_IDENTIFIER_BYTES, reserved_words
from backend_architect.spec.naming import BUILTIN_COLUMNS, join_columns, join_table, snake, table_name

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
SORTABLE = {"int", "bigint", "date", "datetime", "string(12)"}
NUMERIC = {"int", "bigint", "decimal(6,2)"}
SEARCHABLE = {"text", "string(12)"}
#: Relation names a named many-to-many may take (none is a field name the generator uses).
RELATIONS = ["following", "watchers", "labels", "members"]
#: Rates of ordinary use cases, and of use cases at a scale one database node cannot serve.
RATES = ["1/s", "20/s", "3k/day"]
BIG_RATES = ["2k/s", "20k/s", "90k/s"]


def camel(word: str) -> str:
    return "".join(part.capitalize() for part in word.split("_"))


def fits(*names: str) -> bool:
    """Every name within PostgreSQL's 63 bytes."""
    return all(len(n.encode()) <= MAX_IDENTIFIER_BYTES for n in names)


def _columns_fit(field_name: str, kind: str) -> bool:
    suffix = {"money": "_currency", "ref": "_id"}.get(kind.split("(")[0], "")
    return fits(field_name + suffix)


@st.composite
def entity_names(draw: Any, count: int, strict: bool) -> list[str]:
    """Keyword-like, limit-length and plain entity names; tables stay distinct (and within 63 bytes when ``strict``)."""
    names: list[str] = []
    while len(names) < count:
        kind = draw(st.sampled_from(["keyword", "long", "plain"]))
        if kind == "keyword":
            name = camel(draw(st.sampled_from(KEYWORDS)))
        elif kind == "long":
            name = "L" + "o" * draw(st.integers(50, 61 if strict else 62))  # table 'loo...os': up to 63 (64) bytes
        else:
            name = ["Account", "Order", "Item", "Tag", "Event", "Photo"][len(names)]
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


def typed(entity: dict[str, Any]) -> dict[str, str]:
    """Field name -> bare type, for the long-form fields the generator wrote."""
    return {f: v["type"].rstrip("?") for f, v in entity["fields"].items() if isinstance(v, dict) and "type" in v}


@st.composite
def specs(draw: Any) -> dict[str, Any]:
    """A spec of one to five entities in every relation shape, with use cases of every kind."""
    strict = draw(st.integers(0, 4)) > 0
    names = draw(entity_names(draw(st.integers(1, 5)), strict))
    big = draw(st.integers(0, 2)) == 0
    tenancy = len(names) > 1 and draw(st.booleans())
    entities: dict[str, Any] = {}
    for i, name in enumerate(names):
        entities[name] = draw(_entity(name, names[:i], strict, tenancy and i > 0, big))
    if len(names) > 1 and draw(st.booleans()):
        _add_has_many(draw, names, entities)
    if len(names) > 2 and draw(st.integers(0, 2)) == 0:
        _add_link_entity(draw, names, entities, strict)
    use_cases: list[dict[str, Any]] = []
    for name in entities:
        use_cases += draw(_use_cases(name, entities, strict, big, len(use_cases)))
    use_cases += _feeds(entities, draw(st.sampled_from(BIG_RATES if big else RATES)))
    spec: dict[str, Any] = {"system": "generated", "team": {"size": draw(st.sampled_from([3, 4, 12]))}, "entities": entities, "use_cases": use_cases}
    if big:
        spec["scale"] = {"users": "20M", "daily_active": "4M", "peak_factor": 3}
    if tenancy:
        spec["tenant"] = names[0]
    if draw(st.integers(0, 3)) == 0:
        spec["constraints"] = {"postgres_version": draw(st.sampled_from([15, 17, 18]))}
    return spec


@st.composite
def _entity(draw: Any, name: str, earlier: list[str], strict: bool, tenant_scoped: bool, big: bool) -> dict[str, Any]:
    entity: dict[str, Any] = {"fields": dict(draw(st.lists(fields(strict), min_size=1, max_size=4, unique_by=lambda f: f[0])))}
    if earlier and draw(st.booleans()):
        entity["part_of"] = draw(st.sampled_from(earlier))
    if earlier and draw(st.integers(0, 2)) == 0:
        parent = draw(st.sampled_from(earlier))
        if snake(parent) not in entity["fields"] and parent != entity.get("part_of") and fits(f"{snake(parent)}_id"):
            entity["belongs_to"] = [parent]
    if earlier and draw(st.booleans()):
        entity["fields"]["link"] = f"ref({draw(st.sampled_from(earlier))})" + ("?" if draw(st.booleans()) else "")
    if draw(st.integers(0, 3)) == 0:
        entity["fields"]["parent"] = f"ref({name})?"
    _add_many_to_many(draw, name, earlier, entity, strict)
    entity["soft_delete"] = draw(st.booleans())
    entity["append_only"] = draw(st.booleans())
    entity["tenant_scoped"] = tenant_scoped and draw(st.booleans())
    if draw(st.booleans()):
        entity["retention"] = "30d"
    if big:
        entity["rows"] = draw(st.sampled_from(["2M", "400M"]))
        entity["growth"] = draw(st.sampled_from(["10k/day", "5M/day"]))
    elif entity["append_only"] and draw(st.booleans()):
        entity["growth"] = "50M/day"  # past the partitioning threshold
    if draw(st.integers(0, 3)) == 0:
        entity["description"] = draw(st.sampled_from(HOSTILE_TEXT))
    plain = [f for f, t in typed(entity).items() if t in CONSTANTS]
    if len(plain) >= 2 and draw(st.integers(0, 3)) == 0:
        entity["unique"] = [plain[:2]]
    if not entity["append_only"] and draw(st.integers(0, 5)) == 0:
        entity["key"] = draw(st.sampled_from(["short_code", "slug", "uuid", "identity"]))
    if draw(st.integers(0, 4)) == 0:
        entity["fields"]["place"] = "geo" + ("?" if draw(st.booleans()) else "")
    if draw(st.integers(0, 5)) == 0:
        entity["fields"]["picture"] = {"type": "blob?", "media": {"renditions": ["thumb", "large"], "thumbnails": True}}
    if not entity["append_only"] and draw(st.integers(0, 5)) == 0:
        entity["presence"] = True
    return entity


def _add_many_to_many(draw: Any, name: str, earlier: list[str], entity: dict[str, Any], strict: bool) -> None:
    """A listed, named or ``many: true`` many-to-many relation, to an earlier entity or itself."""
    partner = draw(st.sampled_from([*earlier, name]))
    shape = draw(st.sampled_from(["none", "none", "listed", "named", "many"]))
    relation = plural_relation = table_name(partner)
    if shape in {"named", "many"}:
        relation = draw(st.sampled_from(RELATIONS))
    if shape == "none" or (strict and not fits(join_table(name, relation), *join_columns(name, relation, partner))):
        return
    if shape == "listed":
        entity["many_to_many"] = [partner]
    elif shape == "named":
        entity["many_to_many"] = {relation: partner}
    elif relation not in entity["fields"] and relation != plural_relation:
        entity["fields"][relation] = {"type": f"ref({partner})", "many": True}


def _add_has_many(draw: Any, names: list[str], entities: dict[str, Any]) -> None:
    """``has_many: [Child]`` on a later entity: the child (an earlier one) gets a reference to it, if the name is free."""
    parent = draw(st.sampled_from(names[1:]))
    child = draw(st.sampled_from(names[: names.index(parent)]))
    body = entities[child]
    if snake(parent) not in body["fields"] and fits(f"{snake(parent)}_id") and parent not in body.get("belongs_to", []):
        entities[parent]["has_many"] = [child]


def _add_link_entity(draw: Any, names: list[str], entities: dict[str, Any], strict: bool) -> None:
    """A link entity (two required references and a timestamp: a follow, a like) between two entities."""
    left, right = draw(st.sampled_from(names)), draw(st.sampled_from(names))
    sides = ("follower", "followee") if left == right else (snake(left), snake(right))
    if not fits(*(f"{s}_id" for s in sides)) or "Follow" in entities:
        return
    entities["Follow"] = {
        "fields": {sides[0]: f"ref({left})", sides[1]: f"ref({right})", "since": "datetime?"},
        "unique": [list(sides)],
        "soft_delete": draw(st.booleans()),
    }


@st.composite
def _use_cases(draw: Any, name: str, entities: dict[str, Any], strict: bool, big: bool, number: int) -> list[dict[str, Any]]:
    """Use cases over ``name`` of every kind its shape allows."""
    entity = entities[name]
    rate = st.sampled_from(BIG_RATES if big else RATES)
    fields = typed(entity)
    out: list[dict[str, Any]] = [draw(_list(name, entity, entities, strict, number))]
    out[0]["rate"] = draw(rate)
    words = ["create", "update", "fields", "delete", "get", "search", "link", "auth", "action", "job", "near", "top", "series", "traverse"]
    kinds = draw(st.lists(st.sampled_from(words), max_size=5, unique=True))
    for kind in kinds:
        use_case: dict[str, Any] = {"rate": draw(rate)}
        label = f"{name} {number + len(out)}"
        if kind == "create":
            use_case |= {"name": f"{'record' if entity.get('append_only') else 'create'} {label}", "writes": [name]}
            children = [c for c, body in entities.items() if body.get("part_of") == name]
            if children and draw(st.booleans()):
                use_case["writes"].append(children[0])
            if draw(st.integers(0, 3)) == 0:
                use_case["deliver"] = "realtime"
        elif kind == "update" and not entity.get("append_only"):
            use_case |= {"name": f"update {label}", "writes": [name]}
        elif kind == "fields" and not entity.get("append_only") and fields:
            written = draw(st.sampled_from(sorted(fields)))
            use_case |= {"name": f"change {label}", "writes": [f"{name}.{written}"]}
            if big and draw(st.booleans()):
                use_case["latest"] = True
        elif kind == "delete":
            use_case |= {"name": f"delete {label}", "writes": [name], "kind": "delete"}
        elif kind == "get":
            use_case |= {"name": f"view {label}", "reads": [name], "staleness": draw(st.sampled_from(["0s", "30s"]))}
        elif kind == "search" and any(t in SEARCHABLE for t in fields.values()):
            use_case |= {"name": f"search {label}", "reads": [name], "search": [next(f for f, t in fields.items() if t in SEARCHABLE)]}
        elif kind == "link" and entity.get("many_to_many"):
            relations = entity["many_to_many"]
            relation = next(iter(relations)) if isinstance(relations, dict) else table_name(relations[0])
            verb = draw(st.sampled_from(["tag", "untag"]))
            use_case |= {"name": f"{verb} {label}", "writes": [f"{name}.{relation}"]}
        elif kind == "auth" and not entity.get("append_only") and not entity.get("tenant_scoped"):
            out += _auth(name, entity, draw(rate))
            continue
        elif kind == "action" and not entity.get("append_only") and fields:
            use_case |= {"name": f"archive {label}", "writes": [f"{name}.{sorted(fields)[0]}"]}
        elif kind == "near" and "place" in entity["fields"]:
            use_case |= {"name": f"find nearby {label}", "reads": [name], "near": f"{name}.place"}
            if draw(st.booleans()):
                use_case["radius"] = draw(st.sampled_from(["500m", "5km"]))
        elif kind == "top" and entity.get("append_only") and fields:
            use_case |= {"name": f"list trending {label}", "reads": [name], "top": {"by": "count", "field": sorted(fields)[0], "k": 10, "window": "1h"}}
        elif kind == "series" and entity.get("append_only") and any(t in NUMERIC for t in fields.values()):
            numeric = next(f for f, t in fields.items() if t in NUMERIC)
            use_case |= {"name": f"chart {label}", "reads": [name], "series": {"field": numeric, "aggregate": "avg", "every": "1m", "over": "24h"}}
        elif kind == "traverse" and entity.get("fields", {}).get("parent") == f"ref({name})?":
            use_case |= {"name": f"walk {label}", "reads": [name], "traverse": {"via": f"{name}.parent", "depth": 3, "out_degree": 20}}
        elif kind == "job":
            use_case |= {"name": f"purge {label}", "writes": [name], "kind": "delete", "schedule": "daily"}
            del use_case["rate"]
        else:
            continue
        out.append(use_case)
    if name == "Follow":
        out += [{"name": "follow", "writes": ["Follow"], "rate": draw(rate)}, {"name": "unfollow", "writes": ["Follow"], "rate": draw(rate)}]
        if "follower" in entity["fields"] and draw(st.booleans()):
            out.append({"name": "degrees of separation", "reads": [entity["fields"]["follower"][4:-1]], "traverse": {"via": "Follow.followee", "depth": 3}})
    return out


def _feeds(entities: dict[str, Any], rate: str) -> list[dict[str, Any]]:
    """The posts of everyone I follow: rows referencing a followee, read through the Follow link by its follower."""
    follow = entities.get("Follow")
    if follow is None or "followee" not in follow["fields"]:
        return []
    followed = follow["fields"]["followee"].removeprefix("ref(").removesuffix(")")
    authored = [n for n, e in entities.items() if n != "Follow" and e["fields"].get("link") == f"ref({followed})"]
    return [{"name": f"view home feed of {n}", "reads": [n], "filter": ["Follow.follower"], "sort": ["-created_at"], "rate": rate} for n in authored[:1]]


def _auth(name: str, entity: dict[str, Any], rate: str) -> list[dict[str, Any]]:
    """Register, log in, log out and read one's own profile, on an entity given a password (and an email to log in with)."""
    entity["fields"].setdefault("password_hash", {"type": "string(100)", "secret": True})
    entity["fields"].setdefault("login_email", {"type": "email", "unique": True})
    return [
        {"name": f"register {name}", "writes": [name], "auth": "none", "rate": rate},
        {"name": f"log in {name}", "reads": [name], "auth": "none", "rate": rate},
        {"name": f"log out {name}", "writes": [name], "rate": rate},
        {"name": f"view my profile {name}", "reads": [name], "rate": rate},
    ]


@st.composite
def _list(draw: Any, name: str, entity: dict[str, Any], entities: dict[str, Any], strict: bool, number: int) -> dict[str, Any]:
    """A list use case over ``name``: constant and joined filters, sorts and search on its fields, under a hostile name."""
    use_case: dict[str, Any] = {"name": f"list {name} {number} " + draw(st.sampled_from(HOSTILE_TEXT)), "reads": [name]}
    fields = typed(entity)
    pools = {t: CONSTANTS[t] + ([] if strict else ODD_CONSTANTS.get(t, [])) for t in CONSTANTS}
    filters = [f"{f}={draw(st.sampled_from(pools[t]))}" for f, t in fields.items() if t in pools and draw(st.booleans())][:2]
    target = _reference_target(entity)
    if target and draw(st.booleans()):
        joined = [f for f, t in typed(entities[target]).items() if t in SORTABLE]
        if joined:
            filters.append(f"{target}.{joined[0]}")
    use_case["filter"] = filters
    sortable = [f for f, t in fields.items() if t in SORTABLE]
    if sortable:
        use_case["sort"] = [("-" if draw(st.booleans()) else "") + draw(st.sampled_from(sortable))]
    searchable = [f for f, t in fields.items() if t in SEARCHABLE]
    if searchable and draw(st.integers(0, 3)) == 0:
        use_case["search"] = [searchable[0]]
    if draw(st.booleans()):
        use_case["staleness"] = draw(st.sampled_from(["10s", "5m"]))
    return use_case


def _reference_target(entity: dict[str, Any]) -> str | None:
    """An entity this one reaches through a reference or its parent: a joined filter may name its fields."""
    link = entity["fields"].get("link")
    if isinstance(link, str):
        return link.removeprefix("ref(").split(")")[0]
    return entity.get("part_of")


def join_fits(left: str, right: str) -> bool:
    return fits(join_table(left, right), f"related_{snake(right)}_id")
