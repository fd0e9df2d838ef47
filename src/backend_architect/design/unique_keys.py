"""A unique key on a sharded table holds across its shards: a uniqueness table keyed by the value, written by reservation.

Each shard's unique index only sees that shard's rows, so a users table sharded by id with a
unique handle would let two shards accept the same handle. A unique key that includes the
shard key is global already (equal values land on one shard); any other gets a table of its
own, one row per value, keyed by the value: a write reserves the value there first (a
conflict is the refusal), then writes the row on its own shard. That table is sized like the
rows it guards and is sharded by the same rule as every table (past one primary's store or
inserts, by the value), so a reservation always touches one shard, and on the unsharded primary
until its own shards are built: one placement per stage, which every sentence and the load model
read (``placed``). The reservation and the row are two steps on different servers once either is
sharded, never one transaction: the cross-shard write record counts them and says how they stay
right. The per-shard constraint stays: it is the whole guarantee while the table is still on one
primary, and says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from backend_architect.design.analysis import UseCase
from backend_architect.design.named_state import named_value
from backend_architect.ir.model import Architecture, Column, Datastore, GlobalUnique, Index, Table
from backend_architect.ir.runtime import Placement
from backend_architect.spec.naming import snake

#: PostgreSQL truncates identifiers at 63 bytes.
MAX_IDENTIFIER = 63


def unique_keys_across_shards(table: Table) -> list[list[str]]:
    """The unique keys of a sharded ``table`` that one shard's index cannot hold: those without the shard key."""
    if table.sharding is None:
        return []
    keys = [u.columns for u in table.uniques] + [[c.name for c in i.columns] for i in table.indexes if i.unique]
    return [key for key in keys if table.sharding.key not in key and key != table.primary_key]


def states_of(table: Table, columns: list[str]) -> str | None:
    """The states a unique key holds in when only some (``status IN ('accepted', 'started')``), else None.

    A partial unique index's predicate also says which rows are live (``deleted_at IS NULL``) and that optional
    columns are set (``x IS NOT NULL``); only a condition on values scopes the key to states of the row.
    """
    index = next((i for i in table.indexes if i.unique and i.where and [c.name for c in i.columns] == columns), None)
    if index is None or index.where is None:
        return None
    terms = [t for t in index.where.split(" AND ") if not t.endswith(" IS NULL") and not t.endswith(" IS NOT NULL")]
    return " AND ".join(terms) or None


def lookup_name(table: str, columns: list[str], taken: set[str]) -> str:
    """The uniqueness table's name: ``<table>_<columns>_keys``, within PostgreSQL's identifier length and unused.

    >>> lookup_name("users", ["handle"], set())
    'users_handle_keys'
    """
    base = f"{table}_{'_'.join(columns)}_keys"[:MAX_IDENTIFIER]
    name, n = base, 2
    while name in taken:
        name = f"{base[: MAX_IDENTIFIER - len(str(n)) - 1]}_{n}"
        n += 1
    return name


#: The growth stage that builds shards, as the staged-growth decision names it.
SHARDING_STAGE = "stage 5 (sharding)"
#: Where a uniqueness row lives before the staged-growth decision says when shards are built: by its own sharding alone.
SHARDED_KEYS_AT = "on the value's shard"
UNSHARDED_KEYS_AT = "on the unsharded primary"
ROW_AT = "on its own shard"


def placed(table: str, row_now: bool | None, keys_sharded: bool, keys_now: bool | None, stage: str) -> tuple[str, str]:
    """Where a reservation's uniqueness row and its row live, each in one phrase per stage: the uniqueness table on the
    unsharded primary while it is unsharded, on the value's shard once its own shards are built; the row on the unsharded
    primary until the guarded table's shards are built. ``None``: not yet timed (the sharding plan alone).

    The DDL comment, the data section, the cross-shard write record and the load model all place the two rows by this.

    >>> placed("trips", False, False, None, "stage 5 (sharding)")
    ('on the unsharded primary', 'on the unsharded primary until stage 5 (sharding) builds the trips shards, then on its own shard')
    >>> placed("trips", True, True, False, "stage 5 (sharding)")
    ("on the unsharded primary until stage 5 (sharding) builds its shards, then on the value's shard", 'on its own shard')
    """
    keys_at = UNSHARDED_KEYS_AT
    if keys_sharded:
        keys_at = SHARDED_KEYS_AT if keys_now is not False else f"{UNSHARDED_KEYS_AT} until {stage} builds its shards, then {SHARDED_KEYS_AT}"
    row_at = ROW_AT if row_now is not False else f"{UNSHARDED_KEYS_AT} until {stage} builds the {table} shards, then {ROW_AT}"
    return keys_at, row_at


def two_steps(table: Table, lookup: str) -> str:
    """How a reservation stays right though its uniqueness row and its row commit in no one transaction (they live on
    different servers once either is sharded): the uniqueness row first, so a conflict refuses before any row is written;
    a failed row write deletes the reservation it made; a reservation left by a writer that stopped between the two steps
    names its row (its id and shard key), so the next write of that value reads that row on its one shard and takes the
    reservation over when the row does not hold the value."""
    return (
        f"two steps, not one transaction: the {lookup} row first, then the {table.name} row; a failed row write deletes the "
        "reservation it made, and a reservation whose row does not hold the value (its writer stopped between the steps) is "
        "found by the next write of that value, which reads the row it names (one shard) and takes it over"
    )


def how(table: Table, columns: list[str], lookup: str, where: tuple[str, str] = (SHARDED_KEYS_AT, ROW_AT)) -> str:
    """What keeps ``columns`` unique across ``table``'s shards, in one sentence every section states; ``where`` places the
    uniqueness row and the row (``placed``)."""
    cols = ", ".join(columns)
    keys_at, row_at = where
    states = states_of(table, columns)
    if states is not None:
        return (
            f"a write putting a {table.name} row into the states where {states} first inserts its {cols} into {lookup} (one row per "
            f"value, {keys_at}: a conflict, that value already holding a row in those states, is the refusal), then writes "
            f"the row {row_at}; the write taking the row out of those states deletes the reservation, so {lookup} holds one row "
            f"per {cols} at most; {two_steps(table, lookup)}"
        )
    return (
        f"a write of {cols} first inserts the value into {lookup} (one row per value, {keys_at}: a conflict is the refusal), "
        f"then writes the {table.name} row {row_at}; a change of value reserves the new one before releasing the old, and look-ups "
        f"by {cols} read {lookup} and then the row; {two_steps(table, lookup)}"
    )


def _state_columns(states: str | None) -> dict[str, set[str]]:
    """The columns a state-scoped key's predicate names, with the values it holds in (``status IN ('a', 'b')``)."""
    found: dict[str, set[str]] = {}
    for term in (states or "").split(" AND "):
        if term:
            found[term.split(" ", 1)[0].strip('"')] = set(re.findall(r"'((?:[^']|'')*)'", term))
    return found


def _changed_unnamed(use_case: UseCase, table: Table) -> set[str]:
    """The columns a write naming none of them can change: every column where it writes the whole entity (``writes: [Trip]``);
    where it only reads its row (an action such as 'Deny ride', ``reads: [Trip]``), just the state its name sets, if any,
    so a write recording nothing is never counted as reserving or releasing a unique value."""
    if use_case.entity in use_case.writes:
        return {c.name for c in table.columns}
    return {c.name for c in table.columns if c.enum_values and named_value(use_case.name, c.enum_values) is not None}


def _fields_written(use_case: UseCase, table: Table) -> set[str]:
    """The columns of ``table`` a use case names as ``Entity.field`` when ``table`` is not its main entity's (``Trip.driver``
    -> ``driver_id``), so a key's reservation is counted for every write that changes its columns or state.

    >>> from types import SimpleNamespace
    >>> cols = [Column(name="status", type="text"), Column(name="driver_id", type="uuid")]
    >>> t = Table(name="trips", entity="Trip", columns=cols, primary_key=["id"])
    >>> sorted(_fields_written(SimpleNamespace(spec=SimpleNamespace(writes=["Offer.response", "Trip.status", "Trip.driver"])), t))
    ['driver_id', 'status']
    """
    names = {c.name for c in table.columns}
    found: set[str] = set()
    for written in use_case.spec.writes:
        entity, _, field = written.partition(".")
        if entity != table.entity or not field:
            continue
        column = snake(field)
        found |= {column} if column in names else ({f"{column}_id"} & names)
    return found


def key_writes(use_cases: Sequence[UseCase], table: Table, columns: list[str]) -> dict[str, float]:
    """Per use case, the writes/request it sends to ``table``'s uniqueness table for ``columns``: a create reserves (1), unless
    a state-scoped key's state column starts outside its states; a delete releases (1); an update of the key's columns moves
    the reservation (a reserve and a release: 2), or of a state-scoped key's columns or state, reserves on entering the states
    or releases on leaving them (1). Only these writes touch the uniqueness table, so the load model counts these alone.
    """
    states = _state_columns(states_of(table, columns))
    defaults = {c.name: (c.default or "").strip("'") for c in table.columns}
    starts_outside = any(defaults.get(c) and defaults[c] not in held for c, held in states.items())
    found: dict[str, float] = {}
    for use_case in use_cases:
        if not use_case.is_write or use_case.is_job or table.entity is None:
            continue
        if use_case.entity != table.entity:
            # a write of another entity that also changes these rows ('accept ride' sets Trip.status beside its RideOffer):
            # entering the states is entering them, whichever entity the request is named for
            also = _fields_written(use_case, table)
            if also & set(states) or (also & set(columns) and states):
                found[use_case.name] = 1.0
            elif also & set(columns):
                found[use_case.name] = 2.0
            continue
        if use_case.kind == "create":
            if not starts_outside:
                found[use_case.name] = 1.0
            continue
        if use_case.kind == "delete":
            found[use_case.name] = 1.0
            continue
        written = set(use_case.written_columns) or _changed_unnamed(use_case, table)
        if written & set(states):
            found[use_case.name] = 1.0
        elif written & set(columns):
            found[use_case.name] = 1.0 if states else 2.0
    return found


def _holders(arch: Architecture, columns: list[str]) -> float | None:
    """Rows of the entity a one-column key references (``driver_id``: the drivers), when the design has its table."""
    if len(columns) != 1 or not columns[0].endswith("_id"):
        return None
    entity = columns[0].removesuffix("_id")
    found = [t.rows_now for s in arch.datastores for t in s.tables if t.entity and snake(t.entity) == entity]
    return max(found) if found else None


def _lookup(table: Table, columns: list[str], name: str, holders: float | None = None) -> Table:
    own = {c.name: c for c in table.columns}
    key = own.get(table.primary_key[0]) if table.primary_key else None
    named = f"{snake(table.entity)}_id" if table.entity else ""
    row_id = named if named and len(named.encode()) <= MAX_IDENTIFIER else "row_id"
    # a copy of the value the writer reserves: never made here (no default, identity or generated flag of the row's own column)
    copied = {"nullable": False, "default": None, "identity": False, "generated": False}
    cols = [own[c].model_copy(update={**copied, "comment": f"the value {table.name}.{c} holds"}) for c in columns if c in own]
    if key is not None:
        cols.append(
            key.model_copy(
                update={"name": row_id, "default": None, "identity": False, "generated": False, "comment": f"the {table.name} row holding the value"}
            )
        )
    if table.sharding is not None and table.sharding.key not in {*columns, *table.primary_key} and table.sharding.key in own:
        cols.append(own[table.sharding.key].model_copy(update={**copied, "comment": f"the shard key of that row ({table.name} is sharded by it)"}))
    cols.append(Column(name="created_at", type="timestamptz", default="CURRENT_TIMESTAMP", comment="when the value was reserved"))
    states = states_of(table, columns)
    if states is not None:
        # a reservation lives while its row is in the states: at most one per value, never more than a day of the rows
        held = min(table.rows_per_day or table.rows_now, holders if holders is not None else table.rows_now, table.rows_now)
        comment = (
            f"keeps {table.name}.{', '.join(columns)} unique across the shards of {table.name} among rows where {states}: one row per value "
            f"while its row is in those states (at most {held:,.0f}: one a {'holder' if holders is not None else 'row of a day'})"
        )
        rows_now, rows_per_day, retention = held, 0.0, None
    else:
        comment = f"keeps {table.name}.{', '.join(columns)} unique across the shards of {table.name}: one row per value"
        rows_now, rows_per_day, retention = table.rows_now, table.rows_per_day, table.retention_days
    return Table(
        name=name,
        comment=comment,
        columns=cols,
        primary_key=list(columns),
        key_strategy="composite",
        key_reason=f"the value itself: its one row is the uniqueness of {table.name}.{', '.join(columns)}",
        rows_now=rows_now,
        rows_per_day=rows_per_day,
        retention_days=retention,
    )


def with_global_uniques(arch: Architecture, use_cases: Sequence[UseCase] = ()) -> tuple[Architecture, list[Table]]:
    """``arch`` with a uniqueness table beside each sharded table's unique key its shards cannot hold; and the tables added.

    Each guard names the ``use_cases`` that write its uniqueness table (``key_writes``), so every path drawing such a write
    draws the reservation step the guard's sentence describes (uber run 21 C1)."""
    taken = {t.name for s in arch.datastores for t in s.tables}
    added: list[Table] = []
    stores: list[Datastore] = []
    placements: list[Placement] = []
    for store in arch.datastores:
        tables: list[Table] = []
        made: list[Table] = []
        for table in store.tables:
            found = unique_keys_across_shards(table)
            if not found or table.sharding is None:
                tables.append(table)
                continue
            guards = []
            for columns in found:
                name = lookup_name(table.name, columns, taken)
                taken.add(name)
                made.append(_lookup(table, columns, name, _holders(arch, columns)))
                writers = list(key_writes(use_cases, table, columns))
                guards.append(GlobalUnique(columns=columns, table=name, how=how(table, columns, name), writers=writers))
                placements.append(
                    Placement(
                        data=name,
                        data_class="transactional",
                        store="postgresql",
                        reason=f"{table.name} is sharded by {table.sharding.key} and one shard's unique index cannot hold "
                        f"{', '.join(columns)} across the others",
                        retention="while its row is in the states the key holds in" if states_of(table, columns) else "as long as the rows it guards",
                        component="postgresql",
                    )
                )
            uniques = [u.model_copy(update={"reason": _per_shard(u.reason, _guard(guards, u.columns))}) for u in table.uniques]
            indexes = [_index_per_shard(i, _guard(guards, [c.name for c in i.columns])) for i in table.indexes]
            sharding = table.sharding.model_copy(update={"uniques": guards})
            tables.append(table.model_copy(update={"uniques": uniques, "indexes": indexes, "sharding": sharding}))
        added += made
        stores.append(store.model_copy(update={"tables": [*tables, *made]}))
    return arch.model_copy(update={"datastores": stores, "placements": [*arch.placements, *placements]}), added


def with_guards_placed(table: Table, keys_now: dict[str, bool | None], row_now: bool | None = None, stage: str = "") -> Table:
    """``table`` with each guard's sentence placing its uniqueness row and its row (``placed``): ``keys_now`` holds the sharded
    uniqueness tables (built now, later, or not yet timed: None); one absent from it stays on the unsharded primary."""
    if table.sharding is None or not table.sharding.uniques:
        return table
    guards = [
        g.model_copy(update={"how": how(table, g.columns, g.table, placed(table.name, row_now, g.table in keys_now, keys_now.get(g.table), stage))})
        for g in table.sharding.uniques
    ]
    return table.model_copy(update={"sharding": table.sharding.model_copy(update={"uniques": guards})})


def staged(table: Table, now: bool, stage: str, keys_now: dict[str, bool | None] | None = None) -> Table:
    """``table`` with its unique rules' sentences at the sharding stage: built now, the per-shard index holds a guarded rule
    within one shard only; built at ``stage``, it holds all of it until then.

    >>> from backend_architect.ir.model import Index, IndexColumn
    >>> said = "r; this constraint holds within one shard (all of it while unsharded); across shards, t_a_keys holds it"
    >>> t = Table(name="t", columns=[], primary_key=[], indexes=[Index(name="u", columns=[IndexColumn(name="a")], unique=True, reasons=[said])])
    >>> staged(t, False, "stage 5 (sharding)").indexes[0].reasons[0]
    'r; this constraint holds within one shard (all of it until stage 5 (sharding) builds the shards); across shards, t_a_keys holds it'
    """
    # the reservation is written from the first day (the uniqueness table is built with the rows it guards), so it refuses the
    # second write at every stage; only the index's own scope changes when the shards are built
    said = "" if now else f" (all of it until {stage} builds the shards)"

    def at_stage(reason: str) -> str:
        return reason.replace(WHILE_UNSHARDED, said)

    uniques = [u.model_copy(update={"reason": at_stage(u.reason)}) for u in table.uniques]
    indexes = [i.model_copy(update={"reasons": [at_stage(r) for r in i.reasons]}) if i.unique else i for i in table.indexes]
    timed = table.model_copy(update={"uniques": uniques, "indexes": indexes})
    return timed if keys_now is None else with_guards_placed(timed, keys_now, now, stage)


def _guard(guards: list[GlobalUnique], columns: list[str]) -> GlobalUnique | None:
    return next((g for g in guards if g.columns == columns), None)


#: What a unique rule's sentence says refuses the second of two racing writes, when one index holds the rule alone.
ON_THIS_INDEX = "the second fails on this index"
#: The per-shard index's whole scope before the shards exist, until the staged-growth decision says when they are built.
WHILE_UNSHARDED = " (all of it while unsharded)"


def _per_shard(reason: str, guard: GlobalUnique | None) -> str:
    """A unique rule's sentence naming the one mechanism that holds it across the shards: the uniqueness table refuses the
    second of two racing writes; the per-shard index holds it within one shard, and all of it while the table is unsharded."""
    if guard is None:
        return reason
    reason = reason.replace(ON_THIS_INDEX, f"the second fails to reserve its value in {guard.table}")
    scope = f"this constraint holds within one shard{WHILE_UNSHARDED}; across shards, {guard.table} holds it"
    return f"{reason}; {scope}" if reason else scope


def _index_per_shard(index: Index, guard: GlobalUnique | None) -> Index:
    """A partial unique index (one rule's states) whose rule the uniqueness table holds across the shards says so."""
    if guard is None or not index.unique:
        return index
    return index.model_copy(update={"reasons": [_per_shard(r, guard) for r in index.reasons] or [_per_shard("", guard)]})


__all__ = [
    "ON_THIS_INDEX",
    "SHARDING_STAGE",
    "WHILE_UNSHARDED",
    "how",
    "key_writes",
    "lookup_name",
    "placed",
    "staged",
    "two_steps",
    "unique_keys_across_shards",
    "with_global_uniques",
    "with_guards_placed",
]
