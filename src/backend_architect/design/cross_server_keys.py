"""Foreign keys only where both rows share a server; elsewhere the DDL says how the reference is checked.

PostgreSQL checks a foreign key inside one server. Once a table is sharded, its rows and the
rows it references may live apart: a sharded table pointing at a table on the unsharded
primary, or at a table sharded by another key (another shard map). Such a constraint cannot
hold in production (each shard would need the whole referenced table) and a DDL that keeps it
claims a check nobody makes. This stage-6 step keeps the reference (the model, the diagrams and
the hand-off still relate the tables) but marks it ``checked_by``: the DDL and migrations declare
no constraint for it, and the note (on the reference and its column) says where the
referenced rows live and what checks the reference instead: the write reads the referenced row
by its key before inserting, and the referenced row's delete reaches these rows by the column
(one shard when the table is sharded by it, else every shard). The index on the column stays,
attributed to those look-ups.

The layout is checked twice: once sharded (the partitioning stage, every sharded table on its shard map) and today
(``derive_today_keys``, each table's shards built now or later by the rule the staged-growth decision times them by). A table sharded now whose
parent is sharded only later (messages sharded by chat_id now, chats on the unsharded primary until its stage) lives
apart from it today although both end on one shard map: the DDL applied today declares no key a server cannot check.
A family sharded together (both now, or both later) keeps its key.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.co_writes import placements, shard_map
from backend_architect.design.table_feeds import Feed, with_feeds
from backend_architect.ir.model import Architecture, Column, Datastore, ForeignKey, Table
from backend_architect.ir.query import database_of
from backend_architect.spec.model import Spec


def without_cross_server_keys(
    arch: Architecture, where: dict[str, tuple[str, str]] | None = None, built: dict[str, bool] | None = None, deleted: frozenset[str] | None = None
) -> list[Datastore]:
    """The datastores with every foreign key whose two tables live on different servers marked as checked outside the database.

    ``where``: each table's (database, shard map head) to compare; by default once sharded (``co_writes.placements``);
    ``built``: which sharded tables are built now, where ``where`` is today's layout (the notes say which side comes later);
    ``deleted``: the entities some use case deletes (a note claims a deleted event only for those, or rows that expire)."""
    where = placements(arch) if where is None else where
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    stores = []
    for store in arch.datastores:
        updated = []
        for table in store.tables:
            apart = [fk for fk in table.foreign_keys if not fk.checked_by and fk.ref_table in tables and where.get(fk.ref_table) != where.get(table.name)]
            updated.append(_unlinked(table, apart, tables, built or {}, deleted) if apart else table)
        stores.append(store.model_copy(update={"tables": updated}))
    return stores


def placements_today(arch: Architecture, built: dict[str, bool] | None = None) -> dict[str, tuple[str, str]]:
    """Where each table's rows live today: (database, the head of its shard map) for a table whose shards are built now, else
    (database, '') on the unsharded primary. ``built``: each sharded table's "built now", by default as the staged-growth
    decision set it (``Sharding.now``); a table not yet timed counts as sharded."""

    def now(table: Table) -> bool:
        if built is not None and table.name in built:
            return built[table.name]
        return table.sharding is not None and table.sharding.now is not False

    found: dict[str, tuple[str, str]] = {}
    for store in arch.datastores:
        db = database_of(arch, store)
        sharded = {t.name: t for t in store.tables if t.sharding is not None and now(t)}
        for table in store.tables:
            found[table.name] = (db, shard_map(table.name, sharded) if table.name in sharded else "")
    return found


def derive_today_keys(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Stage (before the technology records, which say whether the database enforces foreign keys): the foreign keys whose rows
    live on different servers today kept as checked references. Today is the one source of "when sharding happens"
    (``_shards.sharded_now``), the rule the staged-growth decision times every table's shards by."""
    unlinked = today_unlinked(spec, analysis, arch)
    return with_feeds(unlinked, deleted_event_feeds(unlinked), list(analysis.use_cases))


def today_unlinked(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """``arch`` with the foreign keys between rows on different servers today marked checked (``derive_today_keys``); the
    partitioning stage asks it too, so the deleted events those notes name are published (and counted) with the sizing."""
    from backend_architect.design.patterns._shards import sharded_now  # the patterns import the partitioning stage's modules
    from backend_architect.design.patterns._stores import horizon

    known, growth, years = {f.key: f.value for f in arch.figures}, spec.scale.growth_per_year or 0.0, horizon(spec)
    built = {t.name: sharded_now(t, known, growth, years, analysis.peak_factor)[0] for s in arch.datastores for t in s.tables if t.sharding}
    deleted = frozenset(u.entity for u in analysis.use_cases if u.kind == "delete")
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    timed = [s.model_copy(update={"tables": [_retimed(t, tables, built, deleted) for t in s.tables]}) for s in arch.datastores]
    arch = arch.model_copy(update={"datastores": timed})
    return arch.model_copy(update={"datastores": without_cross_server_keys(arch, placements_today(arch, built), built, deleted)})


def _retimed(table: Table, tables: dict[str, Table], built: dict[str, bool], deleted: frozenset[str]) -> Table:
    """``table`` with the notes the horizon's pass wrote on its keys across servers said again once each side's shards are timed
    (``built``): a side whose shards come at a later stage is on the unsharded primary until then. Why: the horizon's pass runs
    before the staged-growth timing, so its note called a table "sharded" that the data section, the diagrams and the capacity
    keep on the primary today: one statement of each table's place, today and at the horizon."""
    notes: dict[str, str] = {}
    for fk in table.foreign_keys:
        parent = tables.get(fk.ref_table)
        if parent is None or not fk.checked_by.startswith(f"references {parent.name} ("):
            continue
        removed = (parent.entity or "") in deleted or bool(parent.retention_days)
        again = checked_instead(_timed(table, built), fk, _timed(parent, built), removed)
        if again != fk.checked_by and ("no use case deletes" in again) == ("no use case deletes" in fk.checked_by):
            notes[fk.checked_by] = again
    if not notes:
        return table

    def said(text: str | None) -> str | None:
        for old, new in notes.items():
            text = text.replace(old, new) if text else text
        return text

    return table.model_copy(
        update={
            "foreign_keys": [fk.model_copy(update={"checked_by": notes.get(fk.checked_by, fk.checked_by)}) for fk in table.foreign_keys],
            "columns": [c.model_copy(update={"comment": said(c.comment)}) for c in table.columns],
        }
    )


def _unlinked(table: Table, apart: list[ForeignKey], tables: dict[str, Table], built: dict[str, bool], deleted: frozenset[str] | None) -> Table:
    """``table`` with each foreign key across servers kept as a reference the database does not enforce, its column and index saying so."""

    def removed(parent: Table) -> bool:
        return deleted is None or (parent.entity or "") in deleted or bool(parent.retention_days)

    notes = {fk.name: checked_instead(_timed(table, built), fk, _timed(tables[fk.ref_table], built), removed(tables[fk.ref_table])) for fk in apart}
    by_column = {fk.columns[0]: notes[fk.name] for fk in apart}
    gone = {f"foreign key {fk.relation} -> {fk.ref_table}": f"look-ups by {fk.columns[0]} ({fk.ref_table} on another server: no foreign key)" for fk in apart}
    columns: list[Column] = [
        c.model_copy(update={"comment": f"{c.comment}; {by_column[c.name]}" if c.comment else by_column[c.name]}) if c.name in by_column else c
        for c in table.columns
    ]
    return table.model_copy(
        update={
            "foreign_keys": [fk.model_copy(update={"checked_by": notes[fk.name]}) if fk.name in notes else fk for fk in table.foreign_keys],
            "columns": columns,
            "indexes": [i.model_copy(update={"reasons": list(dict.fromkeys(gone.get(r, r) for r in i.reasons))}) for i in table.indexes],
        }
    )


def _timed(table: Table, built: dict[str, bool]) -> Table:
    """``table`` with its sharding's ``now`` from ``built`` where the staged-growth decision has not set it yet."""
    if table.sharding is None or table.name not in built or table.sharding.now is not None:
        return table
    return table.model_copy(update={"sharding": table.sharding.model_copy(update={"now": built[table.name]})})


def _where(table: Table, other: Table) -> str:
    if table.sharding is None:
        return f"{table.name} is on the unsharded primary"
    if table.sharding.now is False:
        # this side's shards come at its growth stage: until then it is on the unsharded primary, as every other section says
        return f"{table.name} stays on the unsharded primary until its shards are built (sharded by {table.sharding.key} then)"
    # two tables sharded by the same column name may still have shard maps of their own (each sized for its table)
    apart = other.sharding is not None and other.sharding.now is not False
    return f"{table.name} is sharded by {table.sharding.key}" + (" in a shard map of its own" if apart else "")


def checked_instead(table: Table, fk: ForeignKey, parent: Table, removed: bool = True) -> str:
    """The column note replacing a foreign key across servers: where each side lives, and what checks the reference.

    >>> from backend_architect.ir.model import Sharding
    >>> chats = Table(name="chats", columns=[], primary_key=["id"])
    >>> messages = Table(name="messages", columns=[], primary_key=["id"], sharding=Sharding(key="chat_id", reason="size"))
    >>> fk = ForeignKey(name="fk", columns=["chat_id"], ref_table="chats", ref_columns=["id"], on_delete="restrict", relation="chat")
    >>> print(checked_instead(messages, fk, chats))  # doctest: +NORMALIZE_WHITESPACE
    references chats (id), on another server (messages is sharded by chat_id; chats is on the unsharded primary): no foreign key across
    servers; a write reads the chats row by id before inserting, and deleting a chats row is refused while rows here reference it
    (a read by chat_id on one shard)
    """
    column = fk.columns[0]
    where = f"on another server ({_where(table, parent)}; {_where(parent, table)})"
    read = f"a write reads the {parent.name} row by {', '.join(fk.ref_columns)} before inserting"
    if not removed:
        # no delete publishes an event here to follow: the note claims none
        return (
            f"references {parent.name} ({', '.join(fk.ref_columns)}), {where}: no foreign key across servers; {read}, and no use case "
            f"deletes {parent.name} rows (none expire), so none leaves rows here pointing at nothing"
        )
    reach = "the unsharded primary" if table.sharding is None else "one shard" if table.sharding.key == column else "every shard"
    on_delete = {
        "cascade": f"deleting a {parent.name} row deletes the rows here through its deleted event (by {column}, on {reach})",
        "set null": f"deleting a {parent.name} row sets {column} to null here through its deleted event (by {column}, on {reach})",
        "set default": f"deleting a {parent.name} row resets {column} here through its deleted event (by {column}, on {reach})",
    }.get(fk.on_delete, f"deleting a {parent.name} row is refused while rows here reference it (a read by {column} on {reach})")
    return (
        f"references {parent.name} ({', '.join(fk.ref_columns)}), on another server ({_where(table, parent)}; {_where(parent, table)}): no foreign key across "
        f"servers; a write reads the {parent.name} row by {', '.join(fk.ref_columns)} before inserting, and {on_delete}"
    )


def deleted_event_feeds(arch: Architecture) -> list[Feed]:
    """The deletes a checked reference's note says reach its rows "through its deleted event": each referenced table whose
    delete cascades (or sets null) to rows on another server, fed to the referencing table's service by that table's deletes."""
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    keeper = {t.name: s.service or "" for s in arch.datastores for t in s.tables}
    feeds: dict[tuple[str, str], Feed] = {}
    for name, table in tables.items():
        for fk in table.foreign_keys:
            parent = tables.get(fk.ref_table)
            if fk.checked_by and "through its deleted event" in fk.checked_by and parent is not None and parent.entity:
                feeds[(parent.name, keeper[name])] = Feed(parent, (), keeper[name], kept=name, kinds=frozenset({"delete"}))
    return list(feeds.values())


__all__ = ["checked_instead", "deleted_event_feeds", "derive_today_keys", "placements_today", "today_unlinked", "without_cross_server_keys"]
