"""A family's shard key chosen from its traffic: a parent whose children are keyed by its id is sharded by that id.

A parent (a chat, a video) whose children hold its id (messages, members; tags, renditions, views)
and outweigh it in rows, and whose hot paths reach it by that id (a get of the parent, a child
created under it, a child listed by it, a parent field written beside a child), shares one shard map
with those children only when its own rows hash by that id: sharded by its owner (``created_by_id``,
``uploader_id``) instead, the children hash by a value the parent row does not hold, the family lands
on two maps, and the write that touches a child with its parent spans shards. So such a parent is
sharded by ``id`` (the children then follow it by their reference: ``co_writes.shard_map``), unless a
read selects the parent by another column more often than the family's paths address it by id. A
read of the parent by that other column ("list my chats") then visits every shard: it is listed
among the table's cross-shard reads (``Sharding.cross_shard``) with its rate, as every such read is.
"""

from __future__ import annotations

from backend_architect.design.analysis import UseCase
from backend_architect.design.table_feeds import Feed, feeding_events, with_feeds
from backend_architect.ir.model import Architecture, Figure, Index, IndexColumn, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import resolve_column, snake, split_filter
from backend_architect.spec.units import SECONDS_PER_DAY


def children_by_id(arch: Architecture, table: Table) -> list[tuple[Table, str]]:
    """The tables whose rows hold ``table``'s id in a required column (a foreign key to its key), with that column."""
    found = []
    for store in arch.datastores:
        for child in store.tables:
            if child.name == table.name or child.entity is None:
                continue
            for fk in child.foreign_keys:
                column = next((c for c in child.columns if c.name == fk.columns[0]), None)
                if fk.ref_table == table.name and fk.ref_columns == table.primary_key == ["id"] and column is not None and not column.nullable:
                    found.append((child, fk.columns[0]))
                    break
    return found


def filtered_columns(spec: Spec, use_case: UseCase, entity: str) -> set[str]:
    """The columns of ``entity`` a use case selects its rows by."""
    return set(filtered_in_order(spec, use_case, entity))


def filtered_in_order(spec: Spec, use_case: UseCase, entity: str) -> list[str]:
    """The columns of ``entity`` a use case selects its rows by, in the order its filter names them: a choice among them (the
    most used filter as the shard key) breaks a tie by that order, never by a set's hash order, which changes from run to run."""
    columns: list[str] = []
    for raw in use_case.spec.filter:
        ref, _ = split_filter(raw)
        owner, dot, field = ref.partition(".")
        if not dot:
            owner, field = use_case.entity, ref
        if owner == entity:
            column = resolve_column(spec, entity, field)
            if column and column not in columns:
                columns.append(column)
    return columns


def by_id_traffic(spec: Spec, table: Table, children: list[tuple[Table, str]], use_cases: list[UseCase]) -> tuple[float, float]:
    """Peak requests/s that reach the family by the parent's id, and those that select the parent by another column.

    By id: a get of the parent, a write of the parent's fields that does not create it, a child created
    (its row carries the parent's id) or read by its reference. Otherwise: a read of the parent by its own
    other columns (its owner, a status).
    """
    entity = table.entity or ""
    kids: dict[str | None, str] = {child.entity: column for child, column in children}
    by_id = by_other = 0.0
    for use_case in use_cases:
        if use_case.is_job:
            continue
        own = filtered_columns(spec, use_case, entity) - {"id"}
        if use_case.entity == entity and not use_case.is_write and own:
            by_other += use_case.peak_qps
        elif _by_id(spec, use_case, entity, kids):
            by_id += use_case.peak_qps
    return by_id, by_other


def _by_id(spec: Spec, use_case: UseCase, entity: str, kids: dict[str | None, str]) -> bool:
    """Whether ``use_case`` reaches the family by the parent's id: a get or an update of the parent, a child created or read by
    its reference, or a parent field written beside another row."""
    if use_case.entity == entity:
        return use_case.kind == "get" or (use_case.is_write and use_case.kind != "create")
    if use_case.entity in kids:
        return use_case.is_write or kids[use_case.entity] in filtered_columns(spec, use_case, use_case.entity)
    return entity in use_case.writes


def family_key(spec: Spec, arch: Architecture, table: Table, use_cases: list[UseCase], rows: dict[str, float]) -> str | None:
    """``'id'`` when ``table`` heads a family its children outweigh and its traffic addresses by id, else ``None`` (another rule decides).

    ``rows`` are each table's rows at the horizon; the children outweigh the parent in rows there or in new rows a day.
    """
    if table.primary_key != ["id"] or table.tenant_scoped:
        return None
    children = children_by_id(arch, table)
    if not children:
        return None
    # the children carry most of the family's rows at the horizon, or of its new rows a day (a child kept a short while
    # elsewhere still takes most of the writes)
    heavier = sum(rows.get(child.name, 0.0) for child, _ in children) > rows.get(table.name, 0.0)
    busier = sum(child.rows_per_day for child, _ in children) > table.rows_per_day
    if not (heavier or busier):
        return None
    by_id, by_other = by_id_traffic(spec, table, children, use_cases)
    return "id" if by_id > by_other else None


def _owner_reads(spec: Spec, table: Table, use_cases: list[UseCase]) -> dict[str, list[UseCase]]:
    """The reads of a table on a family's shard map that select it by one of its own other columns (its owner), by that column."""
    entity, own = table.entity or "", {c.name for c in table.columns}
    crossing = set(table.sharding.cross_shard) if table.sharding else set()
    found: dict[str, list[UseCase]] = {}
    for use_case in use_cases:
        # the read's main entity may be another (a chat listed through its memberships): it selects this table's rows all the same
        if use_case.is_write or use_case.is_job or use_case.name not in crossing:
            continue
        for column in sorted(filtered_columns(spec, use_case, entity) - {"id"}):
            if column in own and column in _owners(spec, entity):
                found.setdefault(column, []).append(use_case)
    return found


def _owners(spec: Spec, entity: str) -> set[str]:
    """The columns of ``entity``'s references (its owner, its user): a value ("list my X") a by-owner lookup is keyed by; a filter
    on a plain value (a status, a quantity) keeps visiting every shard."""
    fields = spec.entities[entity].fields if entity in spec.entities else {}
    return {column for name, field in fields.items() if field.type.kind == "ref" and (column := resolve_column(spec, entity, name))}


def _lookup(table: Table, column: str, name: str, reads: list[UseCase]) -> Table:
    """One row per ``table`` row, keyed by ``column`` then the row's id: a read by ``column`` finds its ids on one shard."""
    own = {c.name: c for c in table.columns}
    row_id = f"{snake(table.entity)}_id" if table.entity else "row_id"
    order = {
        s.column: s.descending for u in reads for s in u.sorts if s.column and s.column in own and s.column not in {column, "id"} and s.entity == table.entity
    }
    sorts = list(order)
    said = ", ".join(f"'{u.name}'" for u in reads)
    key = table.sharding.key if table.sharding else "id"
    columns = [
        own[column].model_copy(update={"nullable": False, "comment": f"the value {table.name}.{column} holds (this table's shard key)"}),
        own["id"].model_copy(update={"name": row_id, "default": None, "identity": False, "generated": False, "comment": f"the {table.name} row"}),
        # the row's own shard key, so the read goes straight to the shard holding it
        *(
            [own[key].model_copy(update={"nullable": False, "comment": f"the shard key of that row ({table.name} is sharded by it)"})]
            if key in own and key != "id"
            else []
        ),
        *(own[s].model_copy(update={"comment": f"a copy of {table.name}.{s}, the order {said} pages in"}) for s in dict.fromkeys(sorts) if s != key),
    ]
    return Table(
        name=name,
        comment=f"{table.name} by {column}: one row per {table.name} row, so {said} reads its ids on one shard, then the rows by id",
        columns=columns,
        primary_key=[column, row_id],
        indexes=[
            Index(
                name=f"ix_{name}_{'_'.join(sorts)}"[:63],
                columns=[IndexColumn(name=column), *(IndexColumn(name=c, descending=order[c]) for c in sorts), IndexColumn(name=row_id, descending=True)],
                reasons=[f"use case {said}: a page of one {column}'s rows in order"],
            )
        ]
        if sorts
        else [],
        key_strategy="composite",
        key_reason=f"the {column} a read selects by, then the {table.name} row: one row per row, on the {column}'s shard",
        rows_now=table.rows_now,
        rows_per_day=table.rows_per_day,
        retention_days=table.retention_days,
    )


def lookup_how(table: Table, column: str, lookup: str, events: list[str] | None = None) -> str:
    """How a by-owner lookup is kept in step with the rows it points at, in the sentence every section states; ``events``: the
    published events that feed it (``lookup_feeds``), named so the reader finds each in the events list."""
    key = table.sharding.key if table.sharding else "id"
    carried = f"{column}, id" + (f", {key}" if key != "id" else "")
    named = f" ({', '.join(events)})" if events else ""
    return (
        f"a write of a {table.name} row commits it with an outbox event{named} on its {key}'s shard; a relay upserts ({carried}) into {lookup} "
        f"on the {column}'s shard (idempotent, retried until applied), and a delete removes it the same way: eventual, behind by the relay's lag"
    )


def _family_of(table: Table, heads: set[str]) -> str | None:
    """The family parent whose shard map ``table`` is on (itself, sharded by its id; or the parent a child is sharded by), else None.
    ``heads`` are the family parents sharded by their id."""
    if table.sharding is None:
        return None
    if table.name in heads:
        return table.name
    return next((fk.ref_table for fk in table.foreign_keys if fk.columns == [table.sharding.key] and fk.ref_table in heads), None)


def with_owner_lookups(spec: Spec, arch: Architecture, families: dict[str, str], use_cases: list[UseCase], factor: float) -> tuple[Architecture, list[Table]]:
    """``arch`` with a by-owner lookup beside each table of a family's shard map (the parent sharded by id, a child by its
    reference) whose shards are built now and that a read selects by another column; and the tables added. The read leaves the table's cross-shard list: it
    reads the lookup's one shard, then the rows by their shard key. The lookup's reads and writes are figures
    (``lookup.reads.<name>``, ``lookup.writes.<name>``); its rows and bytes are sized with every table's."""
    from backend_architect.design.patterns._shards import sharded_now  # the one source of "when sharding happens"
    from backend_architect.design.patterns._stores import horizon
    from backend_architect.design.unique_keys import lookup_name  # the same naming, within PostgreSQL's identifier length
    from backend_architect.ir.runtime import Placement

    known, growth, years = {f.key: f.value for f in arch.figures}, spec.scale.growth_per_year or 0.0, horizon(spec)
    heads = {t.name for st in arch.datastores for t in st.tables if t.name in families and t.sharding is not None and t.sharding.key == "id"}
    # a family's map is built now when any of its tables needs shards today (its messages' inserts build its chats' shards)
    built = {
        family
        for store in arch.datastores
        for table in store.tables
        if (family := _family_of(table, heads)) is not None and sharded_now(table, known, growth, years, factor)[0]
    }

    taken = {t.name for s in arch.datastores for t in s.tables}
    added: list[Table] = []
    stores, placements, counted = [], [], []
    served_in: dict[str, set[str]] = {}
    fed: list[tuple[Table, str, str, list[UseCase]]] = []
    for store in arch.datastores:
        tables, made = [], []
        for table in store.tables:
            family = _family_of(table, heads)
            # while the table is still on one primary its index on the owner serves the read: the lookup comes with the shards
            if table.sharding is None or family is None or family not in built:
                tables.append(table)
                continue
            found = _owner_reads(spec, table, use_cases)
            served: set[str] = set()
            said = []
            for column, reads in found.items():
                name = lookup_name(table.name, ["by", column], taken).removesuffix("_keys")
                taken.add(name)
                made.append(_lookup(table, column, name, reads))
                served |= {u.name for u in reads}
                counted += _counted(name, table, reads, factor)
                said.append(
                    f"{', '.join(repr(u.name) for u in reads)} find their rows through {name} (one shard by {column}), "
                    f"then read them by their shard key ({table.sharding.key})"
                )
                fed.append((table, column, name, reads))
            if not found:
                tables.append(table)
                continue
            served_in.setdefault(family, set()).update(served)
            sharding = table.sharding.model_copy(
                update={"cross_shard": [u for u in table.sharding.cross_shard if u not in served], "reason": "; ".join([table.sharding.reason, *said])}
            )
            tables.append(table.model_copy(update={"sharding": sharding}))
        added += made
        stores.append(store.model_copy(update={"tables": [*tables, *made]}))
    if not added:
        return arch, []
    # the lookup gives each row's shard key: the family's other tables are then read by it, on the shards it names
    stores = [store.model_copy(update={"tables": [_keyed(t, served_in.get(_family_of(t, heads) or "", set())) for t in store.tables]}) for store in stores]
    # the events feeding each lookup join the published list (the one the outbox, AsyncAPI and events table read), and its
    # placement names them
    home = {t.name: s.service for s in arch.datastores for t in s.tables}
    per_parent = {name: e.avg_per_parent or 1.0 for name, e in spec.entities.items()}
    feeds = []
    for table, column, name, _ in fed:
        key = table.sharding.key if table.sharding else "id"
        copied = (column, *([key] if key != "id" else []))
        feeds.append(Feed(table, copied, home[table.name] or "", per_parent.get(table.entity or "", 1.0), kept=name))
    arch = with_feeds(arch.model_copy(update={"datastores": stores}), feeds, use_cases)
    for (table, column, name, reads), feed in zip(fed, feeds, strict=True):
        key = table.sharding.key if table.sharding else "id"
        placements.append(
            Placement(
                data=name,
                data_class="transactional",
                store="postgresql",
                reason=f"{table.name} is sharded by {key} (its family's shard map) and "
                f"{', '.join(u.name for u in reads)} select it by {column}: "
                f"{lookup_how(table, column, name, feeding_events(arch, feed, use_cases))}",
                retention="as long as the rows it points at",
                component="postgresql",
            )
        )
    figures = [*arch.figures, *counted]
    return arch.model_copy(update={"placements": [*arch.placements, *placements], "figures": figures}), added


def _keyed(table: Table, served: set[str]) -> Table:
    """``table`` with the reads a by-owner lookup of its family serves taken off its cross-shard list."""
    if table.sharding is None or not served & set(table.sharding.cross_shard):
        return table
    sharding = table.sharding.model_copy(update={"cross_shard": [u for u in table.sharding.cross_shard if u not in served]})
    return table.model_copy(update={"sharding": sharding})


def _counted(name: str, table: Table, reads: list[UseCase], factor: float) -> list[Figure]:
    """What a by-owner lookup takes at peak: the reads it answers, and one write per row its parent gains."""
    return [
        Figure(
            key=f"lookup.reads.{name}",
            quantity=f"peak reads answered by {name} (one shard each)",
            value=sum(u.peak_qps for u in reads),
            unit="req/s",
            formula="sum of the reads' peaks",
            inputs={f"peak_{u.id}": u.peak_qps for u in reads},
            scope=name,
        ),
        Figure(
            key=f"lookup.writes.{name}",
            quantity=f"peak writes into {name} (one per {table.name} row written, through the outbox relay)",
            value=table.rows_per_day / SECONDS_PER_DAY * factor,
            unit="writes/s",
            formula="rows_per_day / seconds_per_day x peak_factor",
            inputs={"rows_per_day": table.rows_per_day, "seconds_per_day": SECONDS_PER_DAY, "peak_factor": factor},
            scope=name,
        ),
    ]


__all__ = ["by_id_traffic", "children_by_id", "family_key", "filtered_columns", "filtered_in_order", "lookup_how", "with_owner_lookups"]
