"""The data holds together: an aggregate on one shard, links unique and gone with either side."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture, Table
from backend_architect.rules.model import Finding, Rule, Severity, rule


def _is_link(table: Table) -> bool:
    """A table that only links two rows: two required foreign keys and nothing else but timestamps, dates, flags or a kind.

    The design's own notion (``design.semantics.is_link``): an optional reference makes a row
    that may point somewhere, not a link, and its delete behaviour is its own.
    """
    columns = {c.name: c for c in table.columns}
    # the tenant's foreign key scopes every row of a tenant-scoped table: it is no side of a link
    sides = [fk for fk in table.foreign_keys if fk.columns != ["tenant_id"]]
    fk_columns = {c for fk in sides for c in fk.columns}
    required = all(c in columns and not columns[c].nullable for c in fk_columns)
    others = [
        c
        for c in table.columns
        if c.name not in fk_columns
        and c.name not in {"id", "created_at", "updated_at", "deleted_at", "tenant_id"}
        and c.type not in {"boolean", "timestamptz", "date"}
        and not c.enum_values
    ]
    return len(sides) == 2 and required and not others


@rule(
    code="DES004",
    name="aggregate-split-across-shards",
    severity=Severity.WARNING,
    title="A part of an aggregate is sharded apart from its parent",
    fix="Shard the part by its parent's key (the foreign key to the parent, or the parent's own shard key), so one aggregate lives on one shard.",
)
def aggregate_split_across_shards(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds tables whose rows belong to a sharded parent (a foreign key that cascades) but that
    are not sharded by the parent's key: neither by the column the parent is sharded by, nor
    by that foreign key where the parent is sharded by the column it references. A reference
    the design keeps apart on purpose (no foreign key, its check stated) is not one. A link between two sharded rows (two cascading foreign keys) is
    co-located with one of them.

    ## Why is this bad?
    An order and its lines are written in one transaction and read together; on different
    shards the transaction becomes a distributed one and every read a cross-shard join.

    ## Example
    orders sharded by customer_id; order_lines (order_id -> orders, on delete cascade) sharded by id, or by order_id

    Use instead:
    order_lines carrying customer_id and sharded by it (or orders sharded by id, order_lines by order_id)

    ## References
    Citus documentation, "Choosing the distribution column" (co-location).
    """
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    for table in tables.values():
        parents = [
            (fk.columns[0], fk.ref_columns, parent.name, parent.sharding.key)
            for fk in table.foreign_keys
            for parent in [tables.get(fk.ref_table)]
            # a reference the design already keeps apart (no foreign key, its check stated: cross_server_keys.py) claims no shard
            if parent is not None and parent.sharding is not None and fk.on_delete == "cascade" and parent.name != table.name and not fk.checked_by
        ]
        shard = table.sharding.key if table.sharding else None
        # a link between two sharded rows lives with one of them: co-location with any of its parents will do; by the foreign
        # key only when the parent is sharded by the column it references (a parent sharded by another column hashes elsewhere)
        if parents and not any(shard == key or (shard == column and key in referenced) for column, referenced, _, key in parents):
            _, _, parent, key = parents[0]
            yield self.finding(f"table {table.name}", f"{table.name} is part of {parent} (sharded by {key}) but is sharded by {shard or 'nothing (one node)'}")


@rule(
    code="DES005",
    name="link-without-unique-pair",
    severity=Severity.WARNING,
    title="A link between two rows can exist twice",
    fix="Make the pair of foreign keys the primary key or a unique key of the link table.",
)
def link_without_unique_pair(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds link tables (two foreign keys and nothing else but timestamps or flags) whose
    primary key and unique keys do not cover the pair.

    ## Why is this bad?
    Following someone twice, liking a post twice or tagging it twice stores two rows:
    counts are wrong and deleting "the" link leaves the other.

    ## Example
    likes (id, user_id -> users, post_id -> posts, created_at) with no unique key

    Use instead:
    likes with UNIQUE (user_id, post_id)

    ## References
    C. J. Date, "An Introduction to Database Systems", ch. 9 (candidate keys).
    """
    for store in arch.datastores:
        for table in store.tables:
            if not _is_link(table):
                continue
            pair = {fk.columns[0] for fk in table.foreign_keys if fk.columns != ["tenant_id"]}
            # a partial unique index counts: over live rows (soft delete) it keeps the live links unique
            keys = [set(table.primary_key), *(set(u.columns) for u in table.uniques), *({c.name for c in i.columns} for i in table.indexes if i.unique)]
            if not any(pair <= key for key in keys):
                yield self.finding(f"table {table.name}", f"{table.name} links {' and '.join(sorted(pair))} but nothing keeps the pair unique")


@rule(
    code="DES006",
    name="link-blocks-delete",
    severity=Severity.WARNING,
    title="A link stops either side from being deleted",
    fix="Let the link go with either side: ON DELETE CASCADE on both foreign keys of a link table.",
)
def link_blocks_delete(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds link tables whose foreign keys restrict deletes.

    ## Why is this bad?
    Deleting an article that someone liked fails with a foreign-key violation: the link is
    a fact about both rows and means nothing without either of them.

    ## Example
    likes.post_id REFERENCES posts ON DELETE RESTRICT

    Use instead:
    likes.post_id REFERENCES posts ON DELETE CASCADE

    ## References
    PostgreSQL documentation, "Constraints: foreign keys".
    """
    for store in arch.datastores:
        for table in store.tables:
            if not _is_link(table):
                continue
            for fk in table.foreign_keys:
                if fk.on_delete in {"restrict", "no action"} and fk.columns != ["tenant_id"]:
                    yield self.finding(
                        f"table {table.name}", f"deleting a row of {fk.ref_table} fails while {table.name} links it ({fk.columns[0]}: on delete {fk.on_delete})"
                    )


@rule(
    code="DES009",
    name="co-write-across-shards-unhandled",
    severity=Severity.WARNING,
    title="A strongly consistent write puts rows on different shards with nothing replacing the transaction",
    fix="Shard the tables by the same value so the rows share a shard, or commit one row with an outbox event and apply the others from it (state it).",
)
def co_write_across_shards_unhandled(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds use cases asking for strong consistency that write rows of tables living on
    different shards of one database (``Sharding.co_writes``) where the design states no
    mechanism replacing the transaction (an outbox relay, a saga across shards).

    ## Why is this bad?
    One primary's transaction covered both rows; across shards there is none, so a failure
    between the two writes leaves one row without the other, and readers see half a write
    while the use case was promised all or nothing.

    ## Example
    chats sharded by id, chat_members sharded by user_id; 'create chat' writes Chat and ChatMember (strong), no mechanism stated

    Use instead:
    'create chat' commits the chat with an outbox event on its shard; a relay applies the members on their shards (stated on the table)

    ## References
    C. Richardson, *Microservices Patterns*, ch. 3 (transactional outbox); Citus documentation, "Co-location".
    """
    for store in arch.datastores:
        for table in store.tables:
            for write in table.sharding.co_writes if table.sharding else ():
                if write.consistency == "strong" and not write.mechanism:
                    yield self.finding(
                        f"use case '{write.use_case}'",
                        f"'{write.use_case}' writes {table.name} and {', '.join(write.tables)} under strong consistency, but their rows live on "
                        f"different shards and nothing replaces the transaction",
                    )


@rule(
    code="DES011",
    name="unique-key-per-shard-only",
    severity=Severity.WARNING,
    title="A unique key of a sharded table holds within one shard only",
    fix="Hold the key across the shards: a uniqueness table keyed by the value (a write reserves the value there first), or shard the table by that key.",
)
def unique_key_per_shard_only(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds unique keys of sharded tables that leave out the shard key and that no uniqueness
    table holds across the shards (``Sharding.uniques``).

    ## Why is this bad?
    Each shard's unique index sees only that shard's rows: two users with the same handle,
    their rows on different shards (sharded by id), are both accepted, while the schema and
    the document say the handle is unique.

    ## Example
    users sharded by id with UNIQUE (handle), and nothing else

    Use instead:
    users_handle_keys (handle PRIMARY KEY, user_id), sharded by handle: sign-up inserts the
    handle there first (a conflict is the refusal), then the user row on its own shard

    ## References
    Vitess documentation, "Unique lookup vindexes"; Citus documentation, "Distributed unique constraints".
    """
    for table in (t for s in arch.datastores for t in s.tables if t.sharding is not None):
        assert table.sharding is not None
        held = [g.columns for g in table.sharding.uniques]
        keys = [u.columns for u in table.uniques] + [[c.name for c in i.columns] for i in table.indexes if i.unique]
        for key in keys:
            if table.sharding.key not in key and key != table.primary_key and key not in held:
                yield self.finding(
                    f"table {table.name}",
                    f"{table.name} is sharded by {table.sharding.key}; its unique key ({', '.join(key)}) holds within one shard only",
                )
