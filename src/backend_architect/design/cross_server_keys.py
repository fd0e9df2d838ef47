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
"""

from __future__ import annotations

from backend_architect.design.co_writes import placements
from backend_architect.ir.model import Architecture, Column, Datastore, ForeignKey, Table


def without_cross_server_keys(arch: Architecture) -> list[Datastore]:
    """The datastores with every foreign key whose two tables live on different servers marked as checked outside the database."""
    where = placements(arch)
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    stores = []
    for store in arch.datastores:
        updated = []
        for table in store.tables:
            apart = [fk for fk in table.foreign_keys if not fk.checked_by and fk.ref_table in tables and where.get(fk.ref_table) != where.get(table.name)]
            updated.append(_unlinked(table, apart, tables) if apart else table)
        stores.append(store.model_copy(update={"tables": updated}))
    return stores


def _unlinked(table: Table, apart: list[ForeignKey], tables: dict[str, Table]) -> Table:
    """``table`` with each foreign key across servers kept as a reference the database does not enforce, its column and index saying so."""
    notes = {fk.name: checked_instead(table, fk, tables[fk.ref_table]) for fk in apart}
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


def _where(table: Table, other: Table) -> str:
    if table.sharding is None:
        return f"{table.name} is on the unsharded primary"
    # two tables sharded by the same column name may still have shard maps of their own (each sized for its table)
    return f"{table.name} is sharded by {table.sharding.key}" + (" in a shard map of its own" if other.sharding is not None else "")


def checked_instead(table: Table, fk: ForeignKey, parent: Table) -> str:
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


__all__ = ["checked_instead", "without_cross_server_keys"]
