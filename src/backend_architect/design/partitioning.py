"""Stage 6: which tables to partition by time, which to shard, and "not needed" otherwise.

Time partitioning pays off for append-only tables larger than the database server's
memory, and turns retention into dropping whole partitions. Sharding is recommended
when one table's peak insert rate or size passes what one primary sustains; the key is
the tenant, the parent (so a parent's rows stay together), or the dominant filter.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.capacity import PRIMARY_WRITE_CEILING
from backend_architect.design.churn import APPEND_MOSTLY_SHARE, churn, kept_out_of_database
from backend_architect.design.co_writes import co_writes
from backend_architect.design.cross_server_keys import deleted_event_feeds, today_unlinked, without_cross_server_keys
from backend_architect.design.keyed_lookups import through_lookups
from backend_architect.design.loads import insert_figures, inserts_said, table_inserts
from backend_architect.design.overrides import matches, override_for, overruled
from backend_architect.design.partition_rule import (
    PARTITION_COLUMN,
    PARTITION_MIN_BYTES,
    SHARD_MIN_BYTES,
    THRESHOLD_SAID,
    TimeVerdict,
    append_mostly,
    referencing_tables,
    stored_entity,
    time_verdict,
    unique_key_across_partitions,
    why_whole,
)
from backend_architect.design.partitioning_steer import kept_whole_by_author, steer_table
from backend_architect.design.pools import pool_figures
from backend_architect.design.shard_families import family_key, filtered_columns, filtered_in_order, with_owner_lookups
from backend_architect.design.table_feeds import with_feeds
from backend_architect.design.unique_keys import with_global_uniques, with_guards_placed
from backend_architect.design.usecases import by_entity
from backend_architect.design.write_headroom import WRITE_HEADROOM, built_for_writes, primary_writes
from backend_architect.ir.model import Alternative, Architecture, Column, Datastore, Decision, ForeignKey, Partitioning, Sharding, Table
from backend_architect.spec.identifiers import partition_maintenance_name
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import TENANT_COLUMN, snake
from backend_architect.spec.units import SECONDS_PER_DAY

#: Partition interval by daily volume: keep each partition around 10-100M rows.
DAILY_ROWS_FOR_DAY_PARTITIONS = 50_000_000
DAILY_ROWS_FOR_WEEK_PARTITIONS = 5_000_000


def derive_partitioning(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Partitioning and sharding plans per table, their DDL consequences, and the decision record."""
    arch = _with_fresh_inserts(analysis, arch)
    base = arch
    figures = {f.key: f.value for f in arch.figures}
    horizon = spec.scale.retention_years or 5.0
    use_cases = by_entity(analysis.use_cases)
    factor = analysis.peak_factor
    planned: dict[str, Table] = {}
    authored: list[Decision] = []
    referenced = referencing_tables(arch)
    kept = kept_out_of_database(arch)
    assumptions = list(arch.assumptions)
    rows = {t.name: figures.get(f"rows.{horizon:g}y.{t.name}", t.rows_now) for s in arch.datastores for t in s.tables}
    families = {t.name: chosen for s in arch.datastores for t in s.tables if (chosen := family_key(spec, arch, t, list(analysis.use_cases), rows)) is not None}
    for store in arch.datastores:
        for table in store.tables:
            if table.wide_column is not None:
                continue  # a wide-column store holds it (PAT055): its partitions are the store's, by key and bucket
            size = figures.get(f"bytes.{horizon:g}y.{table.name}", 0.0)
            peak_inserts = table_inserts(figures, table, factor)
            # a storage pattern may have partitioned it already (tiers, expiry): its plan stands
            partitioning = table.partitioning or _partitioning(table, size, horizon, append_mostly(analysis, table, kept), churn(analysis, table, kept).said())
            key = unique_key_across_partitions(table)
            whole = why_whole(analysis, table, referenced)
            if partitioning and whole and not table.partitioning:
                assumptions.append(time_verdict(analysis, table, size, horizon, referenced, kept=kept).kept_whole)
                partitioning = None
            guarantee = figures.get(f"qps.peak.guarantee.table.{table.name}", 0.0)
            # an event-fed copy is sharded by the rule its source is: the same entity's reads pick its key (stored_entity)
            stored = stored_entity(analysis, table)
            sharding = _sharding(spec, table, (size, peak_inserts, guarantee), (stored, use_cases.get(stored or "", [])), families.get(table.name))
            if spec.decisions:
                readers = use_cases.get(table.entity or "", [])
                forced = (_forced_partitioning(table, size, horizon), _forced_sharding(spec, table, readers, families.get(table.name)))
                steered = steer_table(spec, table, (partitioning, sharding), forced, key if not table.partitioning else [])
                partitioning, sharding = steered.partitioning, steered.sharding
                authored += steered.decisions
                assumptions += steered.problems
            if partitioning or sharding:
                planned[table.name] = table.model_copy(update={"partitioning": partitioning, "sharding": sharding})
    _shard_for_writes(spec, analysis, arch, planned, (use_cases, families))
    _co_locate(spec, arch, planned, use_cases, (figures, horizon, factor))
    partitioned = {name for name, t in planned.items() if t.partitioning}
    stores = []
    for store in arch.datastores:
        tables = [_apply(planned.get(t.name, t), partitioned) for t in store.tables]
        stores.append(store.model_copy(update={"tables": tables}))
    stores = _with_co_writes(analysis, arch.model_copy(update={"datastores": stores}))
    keyed = (families, list(analysis.use_cases))
    arch, stores = _guard_uniques(spec, arch.model_copy(update={"datastores": stores}), planned, (horizon, factor), keyed)
    stores = [s.model_copy(update={"tables": [_keyed_through_lookups(spec, t, use_cases) for t in s.tables]}) for s in stores]
    deleted = frozenset(u.entity for u in analysis.use_cases if u.kind == "delete")
    stores = without_cross_server_keys(arch.model_copy(update={"datastores": stores}), deleted=deleted)
    # a delete the notes say reaches rows on another server through its deleted event publishes that event (table_feeds.py),
    # once sharded or already today (a part sharded before its parent): published here, it is counted with the sizing
    unlinked = arch.model_copy(update={"datastores": stores})
    feeds = [*deleted_event_feeds(unlinked), *deleted_event_feeds(today_unlinked(spec, analysis, unlinked))]
    arch = with_feeds(arch, feeds, list(analysis.use_cases))
    figures = {f.key: f.value for f in arch.figures}
    verdicts = time_verdicts(spec, analysis, arch.model_copy(update={"datastores": stores}), figures, horizon)
    decision = _decision(arch, planned, figures, (horizon, factor), verdicts).model_copy(update={"choices": STEERING})
    everything = override_for(spec, "partitioning")
    if everything is not None and (everything.forbid or (everything.choose is not None and matches(everything.choose, "one big table"))):
        numbers = _decision(arch, _numbers_plans(spec, base, analysis), figures, (horizon, factor), verdicts)
        decision = overruled(numbers, everything, "not needed: every table stays whole").model_copy(update={"choices": STEERING})
    return arch.model_copy(update={"datastores": stores, "decisions": [*arch.decisions, decision, *authored], "assumptions": assumptions})


#: How to steer partitioning: per table, or everything at once.
STEERING = ["partitioning.<table>: day | week | month | none", "sharding.<table>: <column> | none", "one big table"]


def _numbers_plans(spec: Spec, arch: Architecture, analysis: Analysis) -> dict[str, Table]:
    """What the numbers would have planned, for the record of a design the author kept whole: stated with this design's sizes
    (its tables are stored whole, so sized whole), the one figure per table the document gives."""
    without = spec.model_copy(update={"decisions": {}})
    planned = derive_partitioning(without, analysis, arch)
    return {t.name: t for s in planned.datastores for t in s.tables if t.partitioning or t.sharding}


def _forced_partitioning(table: Table, size: float, horizon: float) -> Partitioning:
    """The plan forcing partitioning builds: the interval the table's daily rows give, by created_at."""
    interval: Literal["day", "week", "month"] = (
        "day" if table.rows_per_day >= DAILY_ROWS_FOR_DAY_PARTITIONS else "week" if table.rows_per_day >= DAILY_ROWS_FOR_WEEK_PARTITIONS else "month"
    )
    reason = f"{size / 1e9:,.1f} GB after {horizon:g} years (time partitions pay off past {THRESHOLD_SAID})"
    return Partitioning(column=PARTITION_COLUMN, interval=interval, reason=reason)


def _forced_sharding(spec: Spec, table: Table, use_cases: list[UseCase], family: str | None) -> Sharding | None:
    """The plan forcing sharding builds: the key the numbers would pick, with the reads that would cross shards."""
    if table.entity is None:
        return None
    key = _shard_key(spec, table, use_cases, family)
    cross = [u.name for u in use_cases if not u.is_write and key not in _selected_by(spec, u, table.entity)]
    return Sharding(
        key=key, reason=f"below the thresholds ({PRIMARY_WRITE_CEILING:,} inserts/s, {SHARD_MIN_BYTES / 1e12:,.0f} TB per primary)", cross_shard=cross
    )


def time_verdicts(spec: Spec, analysis: Analysis, arch: Architecture, figures: dict[str, float], horizon: float) -> list[TimeVerdict]:
    """Each PostgreSQL table's verdict on time partitions, as planned (a wide-column store's tables are partitioned by its own key)."""
    referenced = referencing_tables(arch)
    kept = kept_out_of_database(arch)
    return [
        time_verdict(analysis, t, figures.get(f"bytes.{horizon:g}y.{t.name}", 0.0), horizon, referenced, kept_whole_by_author(spec, t.name), kept)
        for s in arch.datastores
        for t in s.tables
        if t.wide_column is None
    ]


def _partitioning(table: Table, size: float, horizon: float, appended: bool, churned: str) -> Partitioning | None:
    if not appended or size < PARTITION_MIN_BYTES:
        return None
    interval: Literal["day", "week", "month"]
    if table.rows_per_day >= DAILY_ROWS_FOR_DAY_PARTITIONS:
        interval = "day"
    elif table.rows_per_day >= DAILY_ROWS_FOR_WEEK_PARTITIONS:
        interval = "week"
    else:
        interval = "month"
    job = None
    if table.retention_days is not None and table.retention_days < horizon * 365:
        job = expiry_job(table.name, interval, table.retention_days)
    # the verdict's own numbers beside its rule, so a reader checks the share from the figures printed (``churn``)
    kind = "append-only" if table.append_only else f"appended to ({churned}; changes at most {APPEND_MOSTLY_SHARE:.0%} of inserts)"
    reason = f"{kind}, {size / 1e9:,.1f} GB after {horizon:g} years > {THRESHOLD_SAID}"
    expire = table.retention_days if job else None
    return Partitioning(column=PARTITION_COLUMN, interval=interval, reason=reason, retention_job=job, expire_after_days=expire)


def expiry_job(table: str, interval: str, days: float, archive_to: str | None = None) -> str:
    """What expires ``table``'s old partitions: its maintenance function, dropping them or detaching them for an export.

    >>> expiry_job("readings", "day", 180)
    'maintain_readings_partitions() drops day partitions older than 180 days (run daily)'
    """
    function = partition_maintenance_name(table)
    if archive_to:
        return (
            f"{function}() detaches {interval} partitions older than {days:,.0f} days; the export copies each to {archive_to} (Parquet), "
            "then drops it (run daily)"
        )
    return f"{function}() drops {interval} partitions older than {days:,.0f} days (run daily)"


def shard_reasons(size: float, peak_inserts: float, guarantee: float = 0.0) -> list[str]:
    """The one sharding rule, for every table: past one primary's inserts or store, with the numbers (empty: one primary holds it).

    The inserts are named for what they count: the new rows, and where ``guarantee`` rows (outbox, processed-event,
    idempotency) commit beside them, the two terms, as ``qps.peak.insert.table`` and ``qps.peak.guarantee.table`` state them.
    """
    reasons = []
    if peak_inserts > PRIMARY_WRITE_CEILING:
        reasons.append(f"{inserts_said(peak_inserts, guarantee)} > {PRIMARY_WRITE_CEILING:,} per primary")
    if size > SHARD_MIN_BYTES:
        reasons.append(f"{size / 1e12:,.1f} TB at the horizon > {SHARD_MIN_BYTES / 1e12:,.0f} TB per primary")
    return reasons


def _guard_uniques(
    spec: Spec, arch: Architecture, planned: dict[str, Table], span: tuple[float, float], keyed: tuple[dict[str, str], list[UseCase]]
) -> tuple[Architecture, list[Datastore]]:
    """The sharded tables' unique keys held across their shards (``unique_keys.py``), and a family parent's reads by its owner
    served by a by-owner lookup (``shard_families.py``): each added table sized and sharded by the same rule as every table (by
    its first key column, so a reservation or a look-up touches one shard); the sharded ones join ``planned``."""
    from backend_architect.design.patterns._stores import storage_figures  # the storage patterns import this module's thresholds

    horizon, factor = span
    guarded, added = with_global_uniques(arch, keyed[1])
    guarded, indexed = with_owner_lookups(spec, guarded, *keyed, factor)
    added += indexed
    if not added:
        return arch, list(arch.datastores)
    sized = storage_figures(spec, guarded, added)
    known = {f.key: f.value for f in sized}
    sharded: dict[str, Table] = {}
    for table in added:
        reasons = shard_reasons(known.get(f"bytes.{horizon:g}y.{table.name}", 0.0), table.rows_per_day / SECONDS_PER_DAY * factor)
        if reasons:
            sharding = Sharding(key=table.primary_key[0], reason="; ".join(reasons))
            sharded[table.name] = planned[table.name] = table.model_copy(update={"sharding": sharding})
    # each guard places its uniqueness row by the sharding just decided for it (its stage is told by the growth decision)
    keys_now: dict[str, bool | None] = dict.fromkeys(sharded)
    stores = [s.model_copy(update={"tables": [with_guards_placed(sharded.get(t.name, t), keys_now) for t in s.tables]}) for s in guarded.datastores]
    replaced = {f.key for f in sized}
    figures = [*(f for f in guarded.figures if f.key not in replaced), *sized]
    return guarded.model_copy(update={"datastores": stores, "figures": figures}), stores


def _sharding(spec: Spec, table: Table, sized: tuple[float, float, float], read: tuple[str | None, list[UseCase]], family: str | None) -> Sharding | None:
    """The table's shards past the thresholds (``shard_reasons``), keyed by what the stored entity's reads select by; none for a
    table storing no entity, or a copy that does not hold the key its source's reads would pick."""
    entity, use_cases = read
    reasons = shard_reasons(*sized)
    if not reasons or entity is None:
        return None
    key = _shard_key(spec, table.model_copy(update={"entity": entity}), use_cases, family)
    if table.entity is None and all(c.name != key for c in table.columns):
        return None
    cross = [u.name for u in use_cases if not u.is_write and key not in _selected_by(spec, u, entity)]
    return Sharding(key=key, reason="; ".join(reasons), cross_shard=cross)


def _shard_for_writes(
    spec: Spec, analysis: Analysis, arch: Architecture, planned: dict[str, Table], keyed: tuple[dict[str, list[UseCase]], dict[str, str]]
) -> None:
    """Tables sharded because the primary holding them is past its write headroom (in place in ``planned``): the same writes
    the critic reads (``write_headroom.primary_writes``), the table carrying most of them first (``built_for_writes``). A table
    sharded already keeps its plan; the database load builds its shards now while its primary stays past the headroom."""
    use_cases, families = keyed
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    for primary in (p for p in primary_writes(analysis, arch) if p.past_headroom):
        for name in built_for_writes(primary.total, primary.tables):
            table = planned.get(name, tables[name])
            if table.sharding is not None or table.entity is None or table.wide_column is not None:
                continue
            if override_for(spec, f"sharding.{name}") is not None or override_for(spec, "partitioning") is not None:
                continue  # the author's word on this table (or on every table) stands; the critic weighs it (DES013)
            readers = use_cases.get(table.entity, [])
            key = _shard_key(spec, table, readers, families.get(name))
            reason = (
                f"the writes reaching its primary ({primary.database}) at peak, {primary.total:,.0f}/s, pass {WRITE_HEADROOM:.0%} of one primary's "
                f"{PRIMARY_WRITE_CEILING:,}/s, and it carries most of them ({primary.tables[name]:,.0f}/s)"
            )
            cross = [u.name for u in readers if not u.is_write and key not in _selected_by(spec, u, table.entity)]
            planned[name] = table.model_copy(update={"sharding": Sharding(key=key, reason=reason, cross_shard=cross)})


def _own_map(table: Table, fk: ForeignKey, parent: Table, sized: tuple[dict[str, float], float, float]) -> Table | None:
    """A part whose parent is sharded by a column it does not hold: sharded on its own (by its reference, in a shard map of its own)
    when its own numbers pass one primary, else left on the unsharded primary; either way apart from its parent (no foreign key
    across servers: ``cross_server_keys.py``), never said to live on the parent's shard. ``None``: nothing changes."""
    if table.sharding is not None:
        return None
    known, horizon, factor = sized
    reasons = shard_reasons(
        known.get(f"bytes.{horizon:g}y.{table.name}", 0.0), table_inserts(known, table, factor), known.get(f"qps.peak.guarantee.table.{table.name}", 0.0)
    )
    if not reasons:
        return None
    assert parent.sharding is not None
    apart = f"a shard map of its own: {parent.name} is sharded by {parent.sharding.key}, which its rows do not hold"
    return table.model_copy(update={"sharding": Sharding(key=fk.columns[0], reason="; ".join([*reasons, apart]))})


def _co_locate(
    spec: Spec, arch: Architecture, planned: dict[str, Table], use_cases: dict[str, list[UseCase]], sized: tuple[dict[str, float], float, float]
) -> None:
    """The parts of a sharded aggregate, and the links of a sharded row, are sharded with it (in place in ``planned``).

    A table that goes with its parent (a foreign key that cascades: a composition part, a
    link) lives on the parent's shard: by the tenant when both are sharded by it, else by
    its foreign key to the parent when the parent is sharded by the key that reference holds
    (a parent sharded by another column hashes its rows by a value the part does not hold:
    the part gets a shard map of its own when its numbers need one, and no foreign key) (a column named like the parent's key may hold another
    row's id, as a join table's does); a part big enough to be
    sharded on its own keeps its reason but takes that key. A link goes with its first
    sharded side (its owner); reading it from the other side crosses shards. A partitioned
    parent keeps no foreign keys (its key holds the partition column), so nothing follows
    it. Repeated until grandchildren follow their parents.
    """
    tables = {t.name: planned.get(t.name, t) for s in arch.datastores for t in s.tables}
    for _ in range(len(tables)):
        changed = False
        for table in list(tables.values()):
            parents = [
                (fk, parent)
                for fk in table.foreign_keys
                for parent in [tables.get(fk.ref_table)]
                # a foreign key to a partitioned parent becomes a plain id (_apply): nothing ties the rows to it
                if parent is not None and parent.sharding is not None and parent.partitioning is None
                and fk.on_delete == "cascade" and parent.name != table.name
            ]  # fmt: skip
            shard = table.sharding.key if table.sharding else None
            if not parents or any(shard in {fk.columns[0], p.sharding.key} for fk, p in parents if p.sharding):
                continue
            fk, parent = parents[0]
            assert parent.sharding is not None
            # the tenant's id is the same value in every table of the tenant; another column of the same name may not be
            carried = parent.sharding.key == TENANT_COLUMN and table.tenant_scoped
            if not carried and parent.sharding.key not in fk.ref_columns:
                # the parent's rows hash by a column this table does not hold: its rows cannot sit on their parent's shard
                alone = _own_map(table, fk, parent, sized)
                if alone is not None:
                    tables[table.name] = planned[table.name] = alone
                    changed = True
                continue
            key = TENANT_COLUMN if carried else fk.columns[0]
            reason = f"goes with {parent.name} (sharded by {parent.sharding.key}): its rows live on their {fk.relation}'s shard"
            if table.sharding is not None:
                reason = f"{table.sharding.reason}; {reason}"
            entity = table.entity or ""
            cross = [u.name for u in use_cases.get(entity, []) if not u.is_write and key not in _selected_by(spec, u, entity)]
            table = table.model_copy(update={"sharding": Sharding(key=key, reason=reason, cross_shard=cross)})
            tables[table.name] = planned[table.name] = table
            changed = True
        if not changed:
            return


def _with_co_writes(analysis: Analysis, arch: Architecture) -> list[Datastore]:
    """The datastores with each sharded table's writes that put rows on other shards recorded (no mechanism yet: PAT053 states it)."""
    found = co_writes(analysis, arch)
    return [
        store.model_copy(
            update={
                "tables": [
                    t.model_copy(update={"sharding": t.sharding.model_copy(update={"co_writes": found[t.name]})}) if t.sharding and t.name in found else t
                    for t in store.tables
                ]
            }
        )
        for store in arch.datastores
    ]


def _keyed_through_lookups(spec: Spec, table: Table, use_cases: dict[str, list[UseCase]]) -> Table:
    """``table`` with its gets by an address a uniqueness table routes (``keyed_lookups.py``) no longer listed as cross-shard."""
    if table.sharding is None:
        return table
    routed = through_lookups(spec, table, use_cases.get(table.entity or "", []))
    if not routed & set(table.sharding.cross_shard):
        return table
    kept = [u for u in table.sharding.cross_shard if u not in routed]
    return table.model_copy(update={"sharding": table.sharding.model_copy(update={"cross_shard": kept})})


def _selected_by(spec: Spec, use_case: UseCase, entity: str) -> set[str]:
    """The columns a read selects ``entity``'s rows by: its filters, the key of a get of one row (a get by id on a table
    sharded by id visits one shard; on one sharded by another column, every shard), and an owner-only read's unwritten
    filter on the caller's reference (``owner_reads.py``: the caller's trips on trips sharded by customer_id, one shard)."""
    own = {use_case.entity: use_case.owner_column} if use_case.owner_column else {}
    return (
        filtered_columns(spec, use_case, entity)
        | ({"id"} if use_case.kind == "get" and use_case.entity == entity else set())
        | ({own[entity]} if entity in own else set())
    )


def _shard_key(spec: Spec, table: Table, use_cases: list[UseCase], family: str | None = None) -> str:
    """Tenant first; else the parent, so a parent's rows share a shard; else the family's key (``shard_families.py``: a parent
    its children outweigh and its traffic addresses by id is sharded by that id, so they share its map); else the most used
    filter; else the first required reference, so a row lives next to what it points at."""
    if table.tenant_scoped:
        return TENANT_COLUMN
    entity = spec.entities[table.entity or ""]
    if entity.part_of:
        return f"{snake(entity.part_of)}_id"
    if family is not None:
        return family
    counts = Counter(c for u in use_cases for c in filtered_in_order(spec, u, table.entity or ""))
    if counts:
        # a tie goes to the filter the spec names first (the counter keeps the order the reads name them): a set's order
        # changes with the hash seed, and the key must not
        return max(counts, key=lambda c: counts[c])
    required = [f"{name}_id" for name, field in entity.fields.items() if field.type.kind == "ref" and not field.is_nullable]
    return required[0] if required else "id"


def _apply(table: Table, partitioned: set[str]) -> Table:
    """A partitioned table's key includes the partition column; foreign keys to it become plain ids."""
    update: dict[str, object] = {}
    if table.partitioning and table.partitioning.column not in table.primary_key:
        update["primary_key"] = [*table.primary_key, table.partitioning.column]
    kept = [fk for fk in table.foreign_keys if fk.ref_table not in partitioned]
    if len(kept) != len(table.foreign_keys):
        dropped = {c for fk in table.foreign_keys if fk.ref_table in partitioned for c in fk.columns}
        update["foreign_keys"] = kept
        update["columns"] = [_plain_id(c) if c.name in dropped else c for c in table.columns]
        gone = {
            f"foreign key {fk.relation} -> {fk.ref_table}": f"look-ups by {fk.columns[0]} ({fk.ref_table} is partitioned: no foreign key)"
            for fk in table.foreign_keys
            if fk.ref_table in partitioned
        }
        update["indexes"] = [i.model_copy(update={"reasons": [gone.get(r, r) for r in i.reasons]}) for i in table.indexes]
    return table.model_copy(update=update) if update else table


def _plain_id(column: Column) -> Column:
    note = "no foreign key: the referenced table is partitioned (its key includes created_at)"
    return column.model_copy(update={"comment": f"{column.comment}; {note}" if column.comment else note})


def _held_elsewhere(tables: list[Table]) -> str:
    """The tables a wide-column store holds, said beside PostgreSQL's placement: the two records place different tables."""
    held: dict[str, list[str]] = {}
    for table in tables:
        if table.wide_column is not None:
            held.setdefault(table.wide_column.technology, []).append(table.name)
    return "".join(f"; {', '.join(names)} held by {store} (partitioned by its own key, sized by its record)" for store, names in sorted(held.items()))


def _decision(arch: Architecture, planned: dict[str, Table], figures: dict[str, float], span: tuple[float, float], verdicts: list[TimeVerdict]) -> Decision:
    """The record: the plans, or "not needed"; either way every table past the time-partitioning threshold that stays whole is
    named with its size and why, in the sentence its bottleneck row states (``TimeVerdict.kept_whole``)."""
    horizon, factor = span
    # this record places PostgreSQL's tables: one a wide-column store holds is sized, keyed and spread by that store's record
    every = [t for s in arch.datastores for t in s.tables]
    tables = [t for t in every if t.wide_column is None] or every
    elsewhere = _held_elsewhere(every)
    size = {t.name: figures.get(f"bytes.{horizon:g}y.{t.name}", 0.0) for t in tables}
    largest = max(tables, key=lambda t: size[t.name])
    hottest = max(tables, key=lambda t: t.rows_per_day)
    context = (
        f"largest {'PostgreSQL ' if elsewhere else ''}table {largest.name}: {size[largest.name] / 1e9:,.1f} GB after {horizon:g} years; "
        f"most new rows: {hottest.name}, {hottest.rows_per_day / SECONDS_PER_DAY * factor:,.1f}/s at peak{elsewhere}"
    )
    whole = [v.kept_whole for v in verdicts if v.kept_whole]
    if not planned:
        appended = [v for v in verdicts if v.appended and not v.kept_whole]
        biggest = max(appended, key=lambda v: v.size, default=None)
        others = "no other" if whole else "no"
        logs = (
            f"the largest other appended table is {biggest.table}, {biggest.size_said}" if biggest and whole
            else f"the largest appended table is {biggest.table}, {biggest.size_said}" if biggest
            else f"{others} table is appended to"
        )  # fmt: skip
        return Decision(
            id="partitioning",
            area="data",
            title="Partitioning and sharding",
            choice="not needed" + (f": {len(whole)} table(s) past {PARTITION_MIN_BYTES / 1e9:,.0f} GB stay whole (see why)" if whole else ""),
            context=context,
            rationale=f"time partitioning pays off for appended tables (updates and deletes at most {APPEND_MOSTLY_SHARE:.0%} of inserts) "
            f"past {THRESHOLD_SAID}; "
            + "".join(f"{w}; " for w in whole)
            + f"{logs}; sharding, past {PRIMARY_WRITE_CEILING:,} inserts/s or {SHARD_MIN_BYTES / 1e12:,.0f} TB per table or once a primary's "
            f"writes pass {WRITE_HEADROOM:.0%} of {PRIMARY_WRITE_CEILING:,}/s, and no "
            f"{'PostgreSQL ' if elsewhere else ''}table comes close: one PostgreSQL primary holds {'them' if elsewhere else 'it'}",
            alternatives=[Alternative(name="time partitioning now", why_not=_why_not_now(whole))],
        )
    parts = [
        f"{name}: partition by {t.partitioning.column} per {t.partitioning.interval} ({t.partitioning.reason})" for name, t in planned.items() if t.partitioning
    ]
    shards = [f"{name}: shard by {t.sharding.key} ({t.sharding.reason})" for name, t in planned.items() if t.sharding]
    return Decision(
        id="partitioning",
        area="data",
        title="Partitioning and sharding",
        choice="; ".join(parts + shards),
        context=context,
        rationale="partitions keep indexes and vacuum per partition small and make retention a metadata operation; "
        "sharding spreads writes and storage past one primary, keyed by the column its reads select by, so a read by that key "
        "visits one shard and a read by any other column (listed as cross-shard in the data section) visits every shard "
        "(scatter-gather) and counts on each shard's reads"
        + (
            "; shards are placed by consistent hashing of the key over virtual nodes, so capacity grows by adding nodes and only the moved ranges rebalance"
            "; the outbox, processed-events and idempotency-key tables are written in the same transaction as the rows they go with, "
            "so each shard keeps its own beside its rows"
            if shards
            else ""
        )
        + (f"; time partitions pay off for appended tables past {THRESHOLD_SAID}: " + "; ".join(whole) if whole else ""),
        alternatives=[
            Alternative(name="one big table", why_not="index and vacuum work grow with the whole table; deletes for retention bloat it"),
            Alternative(name="TimescaleDB hypertables", why_not="good for time series; adds an extension the managed offering must support"),
            Alternative(name="Citus (distributed PostgreSQL)", why_not="the managed route to the sharding above; chosen per deployment"),
        ],
        # the data section lists each cross-shard read, a mechanism's with its rate: a per-event read there (a fan-out worker paging an
        # author's followers) is on a hot path by construction, so the record states the rule such a read is held to, not "off hot paths"
        consequences="Queries listed as cross-shard by another column fan out to every shard and count, at their rate, on every shard's "
        "reads (each shard's figures); one listed as naming several values of the shard key at once (a merge over authors) reads one "
        "shard per value and counts with the keyed reads; a read a search index or precomputed list answers reaches no shard and is "
        "not listed: a read that must stay on a hot path is kept only as that sized exception, named with its rate in the data section; "
        "one outgrowing it is served from a read model or a copy keyed by the column it reads by"
        if shards
        else "",
    )


def _why_not_now(whole: list[str]) -> str:
    """Why not time partitions now, when nothing is partitioned: the tables past the threshold say why they stay whole."""
    if whole:
        return "the tables past the threshold stay whole for the reasons above; the others are under it"
    return "adds key and maintenance complexity with no table that gains from it"


def _with_fresh_inserts(analysis: Analysis, arch: Architecture) -> Architecture:
    """The inserts and connection figures re-derived once the storage patterns have placed every table: a table a wide-column
    store took commits no outbox or idempotency row beside its rows, so the figure the sharding rule reads counts only what
    reaches it, and its requests hold no PostgreSQL connection."""
    fresh = {f.key: f for f in [*insert_figures(analysis, arch), *pool_figures(analysis, arch)]}
    families = ("qps.peak.insert.table.", "qps.peak.guarantee.table.")
    kept = [fresh.pop(f.key, f) for f in arch.figures if not f.key.startswith(families) or f.key in fresh]
    return arch.model_copy(update={"figures": [*kept, *fresh.values()]})
