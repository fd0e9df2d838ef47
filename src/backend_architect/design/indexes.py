"""Stage 3: indexes derived from the access patterns.

Each list use case's filters and sorts become one index ordered equality, sort, range
(the ESR rule), tenant first in tenant-scoped tables and the id last as the cursor
tiebreaker; constant filters make it partial; full-text search gets GIN; every foreign
key is indexed; an index that is a leading prefix of another is folded into it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.data import constraint_name
from backend_architect.design.usecases import by_entity
from backend_architect.ir.model import Architecture, Index, IndexColumn, Table, UniqueConstraint
from backend_architect.spec.identifiers import primary_key_name, quote_name
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import DELETED_AT, TENANT_COLUMN, resolve_column, snake, split_filter

RANGE_KINDS = frozenset({"datetime", "date", "int", "bigint", "decimal", "money"})


def derive_indexes(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Every table gets the indexes its use cases and foreign keys need, and no redundant one."""
    from backend_architect.design.patterns.search import engine_serves_search

    engine = engine_serves_search(spec, analysis, arch)
    # a search the engine answers never queries the table: its filters earn no index, nor does it name one it does not use
    readers = [u for u in analysis.use_cases if not (engine and u.spec.search)]
    touching = by_entity(tuple(readers))
    stores = [
        store.model_copy(
            update={"tables": _distinct_in_schema([_with_indexes(t, spec, analysis, tuple(touching.get(t.entity or "", ()))) for t in store.tables])}
        )
        for store in arch.datastores
    ]
    if engine:
        # the search engine answers full text: a GIN index would cost every write and the table's size for no query
        stores = [
            s.model_copy(
                update={"tables": [t.model_copy(update={"indexes": [i for i in t.indexes if i.method != "gin" or not i.expression]}) for t in s.tables]}
            )
            for s in stores
        ]
    return arch.model_copy(update={"datastores": stores})


def without_reader_indexes(table: Table, readers: Sequence[str]) -> Table:
    """``table`` without what only ``readers`` asked of its indexes: another store (Redis, a column store) answers them, not the database.

    An index also serving others keeps their reasons (and its columns); one serving only these readers goes.
    """
    mine = tuple(f"use case '{name}'" for name in readers)
    kept = []
    for index in table.indexes:
        reasons = [r for r in index.reasons if not r.startswith(mine)]
        if reasons:
            kept.append(index.model_copy(update={"reasons": reasons}) if len(reasons) != len(index.reasons) else index)
    return table.model_copy(update={"indexes": kept})


def _without_full_text(table: Table) -> Table:
    return table.model_copy(update={"indexes": [i for i in table.indexes if i.method != "gin" or not i.expression]})


def _distinct_in_schema(tables: list[Table]) -> list[Table]:
    """Index and unique-key names share one namespace with the tables of a schema: a name taken by another table's key or index gets a hash suffix.

    ``ix_{table}_{columns}`` can repeat across tables (``as`` with ``bs_c_id``, ``as_bs`` with ``c_id``).
    """
    taken = {t.name for t in tables} | {primary_key_name(t.name) for t in tables}
    named: list[Table] = []
    for table in tables:
        uniques = []
        for unique in table.uniques:
            if unique.name in taken:
                unique = unique.model_copy(update={"name": constraint_name("uq", table.name, [*unique.columns, _digest(f"{table.name}|{unique.columns}")])})
            taken.add(unique.name)
            uniques.append(unique)
        indexes = []
        for index in table.indexes:
            if index.name in taken:
                suffix = _digest(f"{table.name}|{[c.name for c in index.columns]}|{index.where}|{index.method}")
                index = index.model_copy(update={"name": constraint_name(index.name[:2], table.name, [c.name for c in index.columns] + [suffix])})
            taken.add(index.name)
            indexes.append(index)
        named.append(table.model_copy(update={"uniques": uniques, "indexes": indexes}))
    return named


def _with_indexes(table: Table, spec: Spec, analysis: Analysis, use_cases: tuple[UseCase, ...]) -> Table:
    candidates: list[Index] = []
    if table.entity is not None:
        candidates += _access_indexes(table, spec, analysis, use_cases)
    candidates += _partial_uniques(table)
    candidates += _foreign_key_indexes(table)
    # a key holding among some rows only is its partial unique index, named as the key (uq_): the constraint goes
    uniques = [u for u in table.uniques if not _unique_predicates(table, u)]
    indexes = _distinct_names(table.model_copy(update={"uniques": uniques}), _drop_redundant(table, candidates))
    return table.model_copy(update={"indexes": indexes, "uniques": uniques})


def _distinct_names(table: Table, indexes: list[Index]) -> list[Index]:
    """Indexes differing only in sort direction or predicate would share a name: tell them apart."""
    taken = {u.name for u in table.uniques} | {fk.name for fk in table.foreign_keys}
    named: list[Index] = []
    for index in indexes:
        if index.name in taken:
            shape = ",".join(f"{c.name}{' desc' if c.descending else ''}" for c in index.columns) + f"|{index.where}|{index.method}"
            index = index.model_copy(update={"name": constraint_name("ix", table.name, [c.name for c in index.columns] + [_digest(shape)])})
        taken.add(index.name)
        named.append(index)
    return named


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:6]


def _unique_predicates(table: Table, unique: UniqueConstraint) -> list[str]:
    """The rows a unique key holds among, when not all: live ones (soft delete), those in the states the spec names
    (``when:``), those with its optional columns set."""
    optional = {c.name for c in table.columns if c.nullable}
    states = [unique.where] if unique.where else []
    return [f"{DELETED_AT} IS NULL"] * table.soft_delete + states + [f"{quote_name(c)} IS NOT NULL" for c in unique.columns if c in optional]


def _partial_uniques(table: Table) -> list[Index]:
    """A unique key that holds among some rows only is a partial unique index that says which.

    With soft delete it holds among live rows; over an optional field, among rows where the
    field is set (an optional email, unique when given). SQL's NULLs would give that meaning
    silently; the predicate writes it down, for readers and reviewers alike.
    """
    found = []
    for unique in table.uniques:
        predicates = _unique_predicates(table, unique)
        if not predicates:
            continue
        optional = [c for c in unique.columns if f"{quote_name(c)} IS NOT NULL" in predicates]
        scope = (" among live rows" if table.soft_delete else "") + (
            f" where {', '.join(optional)} {'is' if len(optional) == 1 else 'are'} set" if optional and not unique.where else ""
        )
        found.append(
            Index(
                name=constraint_name("uq", table.name, unique.columns),
                columns=[IndexColumn(name=c) for c in unique.columns],
                unique=True,
                where=" AND ".join(predicates),
                reasons=[unique.reason + scope],
            )
        )
    return found


def _access_indexes(table: Table, spec: Spec, analysis: Analysis, use_cases: tuple[UseCase, ...]) -> list[Index]:
    entity = table.entity or ""
    found: list[Index] = []
    for use_case in use_cases:
        if use_case.kind not in {"list", "get", "job"} or entity not in use_case.entities:
            continue
        # an owner-only list's unwritten filter on the caller leads as a written one would (design/owner_reads.py); a get goes by id
        owner = use_case.owner_column if use_case.entity == entity and use_case.kind == "list" else None
        equality: list[IndexColumn] = [IndexColumn(name=owner)] if owner else []
        ranges: list[IndexColumn] = []
        constants: list[str] = []
        for ref in use_case.spec.filter:
            field_ref, constant = split_filter(ref)
            column, kind = _own_column(spec, use_case, entity, field_ref)
            if column is None:
                continue
            if constant is not None:
                constants.append(f"{quote_name(column)} = {_sql_constant(constant, kind)}")
            else:
                (ranges if kind in RANGE_KINDS else equality).append(IndexColumn(name=column))
        joined, through_key = _joined_filters(use_case, table)
        equality += [c for c in joined if c.name not in {e.name for e in equality}]
        sorts: list[IndexColumn] = []
        for ref in use_case.spec.sort:
            column, _ = _own_column(spec, use_case, entity, ref.removeprefix("-"))
            if column is not None:
                sorts.append(IndexColumn(name=column, descending=ref.startswith("-")))
        search = [c for ref in use_case.spec.search for c in [_own_column(spec, use_case, entity, ref)[0]] if c]
        predicates = [f"{DELETED_AT} IS NULL"] * table.soft_delete + constants
        where = " AND ".join(predicates) or None
        reason = f"use case '{use_case.name}'" + (f": {_joined_reason(spec, analysis, use_case, joined)}" if joined else "")
        if through_key and not (equality or ranges or constants):
            # the join hands this table the ids of its rows: they are read by primary key, a sort alone would scan every row
            sorts = []
        if equality or sorts or ranges or constants:
            columns = _dedupe([IndexColumn(name=TENANT_COLUMN)] * table.tenant_scoped + equality + sorts + ranges)
            if (sorts and use_case.spec.page.style != "none") or not columns:
                columns = _dedupe([*columns, IndexColumn(name="id", descending=bool(sorts) and sorts[-1].descending)])
            include = _covering(spec, use_case, table, columns)
            suffix = ["partial"] if constants else []
            found.append(
                Index(
                    name=constraint_name("ix", table.name, [c.name for c in columns] + suffix),
                    columns=columns,
                    include=include,
                    where=where,
                    reasons=[reason + (" (covering: index-only scans)" if include else "")],
                )
            )
        if search:
            expression = "to_tsvector('simple', " + " || ' ' || ".join(f"coalesce({quote_name(c)}, '')" for c in search) + ")"  # for readers; DDL quotes
            # per-tenant search needs the tenant inside the GIN index (btree_gin), or the planner filters one tenant's rows by hand
            tenant = [TENANT_COLUMN] if table.tenant_scoped else []
            found.append(
                Index(
                    name=constraint_name("ix", table.name, [*tenant, *search, "fts"]),
                    columns=[IndexColumn(name=c) for c in [*tenant, *search]],
                    method="gin",
                    expression=expression,
                    where=where,
                    reasons=[reason + " (full-text search)"],
                )
            )
    return found


def _joined_filters(use_case: UseCase, table: Table) -> tuple[list[IndexColumn], bool]:
    """How a filter on another entity reaches ``table``'s rows: by the reference the join leaves it through, or by their ids.

    ``reads: [Tweet, Follow], filter: [Follow.follower]`` reaches tweets through ``Tweet.author``:
    the rows are read by ``author_id`` (each followed author's newest), never by the sort alone
    across every author. A join entering through another table's reference to this one (a list of
    users filtered by their follows) hands over the rows' ids: a primary-key read (the flag).
    """
    columns: list[IndexColumn] = []
    by_key = False
    names = {c.name for c in table.columns}
    for ref in use_case.filters:
        if not ref.join or ref.constant is not None or ref.join[0].source != table.entity:
            continue
        hop = ref.join[0]
        column = f"{snake(hop.relation)}_id"
        if hop.forward and hop.owner == table.entity and column in names:
            columns.append(IndexColumn(name=column))
        else:
            by_key = True
    return columns, by_key


def _joined_reason(spec: Spec, analysis: Analysis, use_case: UseCase, joined: list[IndexColumn]) -> str:
    """Which path reads by the join's column: every read's merge, or (a feed precomputed at write time) its rebuilds and large authors."""
    from backend_architect.design.patterns.feed import fans_out_on_write  # the patterns import this stage's helpers

    by = ", ".join(c.name for c in joined)
    if fans_out_on_write(spec, analysis, use_case):
        return f"the rebuild of a precomputed list and the authors past the cut-off read each source's newest rows by {by} (its reads use the lists)"
    return f"its filter reaches these rows by {by}"


def leading_filter(spec: Spec, use_case: UseCase) -> str | None:
    """The spec filter (as written) a list's access index leads with: its first equality filter on its own table.

    ``_access_indexes`` orders equality columns first, in the spec's order (ESR), then sorts, then ranges; constants
    make the index partial and are no column. A search engine answering the list filters by the same term first.
    """
    for written in use_case.spec.filter:
        field_ref, constant = split_filter(written)
        column, kind = _own_column(spec, use_case, use_case.entity, field_ref)
        if column is not None and constant is None and kind not in RANGE_KINDS:
            return written
    return None


#: Reads per second at peak past which a read of a few named fields earns a covering index.
COVERING_MIN_QPS = 200.0


def _covering(spec: Spec, use_case: UseCase, table: Table, key: list[IndexColumn]) -> list[str]:
    """Columns to INCLUDE so a hot read of named fields (``reads: [Book.title]``) is index-only."""
    if use_case.peak_qps < COVERING_MIN_QPS:
        return []
    named = [r.split(".", 1)[1] for r in use_case.spec.reads if r.startswith(f"{table.entity}.")]
    if not named:
        return []
    in_key = {c.name for c in key}
    columns = [resolve_column(spec, table.entity or "", f) for f in named]
    return list(dict.fromkeys(c for c in columns if c and c not in in_key))


def _sql_constant(value: str, kind: str | None) -> str:
    if kind == "bool" or (kind in {"int", "bigint"} and value.lstrip("-").isdigit()):
        return value.lower()
    return "'" + value.replace("'", "''") + "'"


def _own_column(spec: Spec, use_case: UseCase, entity: str, ref: str) -> tuple[str | None, str | None]:
    owner, dot, field = ref.partition(".")
    if not dot:
        owner, field = use_case.entity, ref
    if owner != entity:
        return None, None
    column = resolve_column(spec, entity, field)
    spec_field = spec.entities[entity].fields.get(field)
    kind = spec_field.type.kind if spec_field else ("datetime" if column in {"created_at", "updated_at"} else "ref")
    return column, kind


def _dedupe(columns: list[IndexColumn]) -> list[IndexColumn]:
    seen: set[str] = set()
    kept = []
    for column in columns:
        if column.name not in seen:
            seen.add(column.name)
            kept.append(column)
    return kept


def _foreign_key_indexes(table: Table) -> list[Index]:
    """Every foreign key (and cross-service id) gets an index: joins and cascades need it."""
    found = []
    for fk in table.foreign_keys:
        found.append(
            Index(
                name=constraint_name("ix", table.name, fk.columns),
                columns=[IndexColumn(name=c) for c in fk.columns],
                reasons=[f"foreign key {fk.relation} -> {fk.ref_table}"],
            )
        )
    fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
    for column in table.columns:
        if column.name.endswith("_id") and column.name not in fk_columns and column.name not in table.primary_key:
            found.append(
                Index(
                    name=constraint_name("ix", table.name, [column.name]),
                    columns=[IndexColumn(name=column.name)],
                    reasons=[f"look-ups by {column.name} (reference to another service's data)"],
                )
            )
    return found


def _drop_redundant(table: Table, candidates: list[Index]) -> list[Index]:
    """Fold every index another one covers into it (reasons merged); drop those the keys cover."""
    live_uniques = [u for u in table.uniques if not _unique_predicates(table, u)]
    keys = [[IndexColumn(name=c) for c in table.primary_key], *([IndexColumn(name=c) for c in u.columns] for u in live_uniques)]
    kept: list[Index] = []
    for index in candidates:
        host = next((k for k in kept if _covers(k, index)), None)
        if host is not None:
            kept[kept.index(host)] = host.model_copy(update={"reasons": _merge(host.reasons, index.reasons)})
            continue
        absorbed = [k for k in kept if _covers(index, k)]
        if absorbed:
            reasons = [r for k in absorbed for r in k.reasons]
            index = index.model_copy(update={"reasons": _merge(reasons, index.reasons)})
            kept = [k for k in kept if k not in absorbed]
        kept.append(index)
    result = [i for i in kept if i.unique or i.method != "btree" or i.where is not None or i.include or not any(_leads(i.columns, key) for key in keys)]
    return sorted(result, key=lambda i: i.name)


def _covers(wide: Index, narrow: Index) -> bool:
    """``wide`` serves every query ``narrow`` serves (the same notion as rule SQL004)."""
    if narrow.unique or (wide.method, wide.where, wide.expression) != (narrow.method, narrow.where, narrow.expression):
        return False
    if wide.method != "btree":
        return [c.name for c in wide.columns] == [c.name for c in narrow.columns] and wide.include == narrow.include
    included = {c.name for c in wide.columns} | set(wide.include)
    return set(narrow.include) <= included and _leads(narrow.columns, wide.columns)


def _leads(short: list[IndexColumn], long: list[IndexColumn]) -> bool:
    """``short`` is a leading prefix of ``long``, in the same directions or all reversed (a B-tree scans both ways)."""
    if len(short) > len(long) or not short:
        return False
    pairs = list(zip(short, long, strict=False))
    if any(a.name != b.name for a, b in pairs):
        return False
    same = all(a.descending == b.descending for a, b in pairs)
    flipped = all(a.descending != b.descending for a, b in pairs)
    return same or flipped or len(short) == 1


def _merge(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))
