"""The partitioning rule for one table, decided once: the thresholds, what keeps a table whole, and the verdict every section states.

Time partitions pay off for an appended table (rows seldom changed) past the database server's memory; sharding, past what
one primary stores or inserts. A table's verdict (:class:`TimeVerdict`) is read by the partitioning decision, its record of
the tables past the threshold kept whole, and the bottleneck row for the table's size, so they name one threshold, one size
and one reason (issue 22-e1: a design said "not needed" beside a bottleneck advising partitions past 32 GB).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis
from backend_architect.design.churn import APPEND_MOSTLY_SHARE, churn, kept_out_of_database
from backend_architect.ir.model import Architecture, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

#: PostgreSQL's documentation: partitioning pays off roughly when "the size of the table
#: should exceed the physical memory of the database server"; we plan for a 32 GB server.
PARTITION_MIN_BYTES = 32 * 10**9
#: Practical size of one PostgreSQL primary before backups, restores, vacuum and major
#: upgrades take too long for a 99.9% target (managed offerings top out at 64 TB).
SHARD_MIN_BYTES = 2 * 10**12
PARTITION_COLUMN = "created_at"


def unique_key_across_partitions(table: Table) -> list[str]:
    """A unique key without the partition column: PostgreSQL refuses it on a partitioned table.

    A natural primary key counts too (a link table's pair of ids, a consumer's processed event ids, the value a uniqueness
    table reserves): partitioning would append the partition column to it, and ``(a, b, created_at)`` lets the same pair be inserted twice, so the record's
    "a link exists once" would stop being true. The table stays whole instead.

    >>> from backend_architect.ir.model import Column
    >>> cols = [Column(name=n, type="uuid") for n in ("video_id", "tag_id")] + [Column(name="created_at", type="timestamptz")]
    >>> unique_key_across_partitions(Table(name="video_tags", columns=cols, primary_key=["video_id", "tag_id"], key_strategy="composite"))
    ['video_id', 'tag_id']
    """
    keys = [u.columns for u in table.uniques] + [[c.name for c in i.columns] for i in table.indexes if i.unique]
    # a natural key counts as well, one column or several (a uniqueness table keyed by the email it reserves): no generator
    # keeps it unique once created_at joins it
    if table.key_strategy == "composite" and table.primary_key:
        keys.insert(0, list(table.primary_key))
    return next((key for key in keys if PARTITION_COLUMN not in key), [])


def why_whole(analysis: Analysis, table: Table, referenced: dict[str, list[str]]) -> str:
    """Why time partitions cannot hold ``table`` ('' when they can): the one reason the partitioning decision states and
    every remedy offered for the table's size reads (a bottleneck never proposes what this refuses).

    A unique key without the partition column (PostgreSQL enforces uniqueness only within one partition), else the storage
    decision's rule (PAT042): a looked-up table others reference keeps its foreign keys, in one tier.
    """
    if all(c.name != PARTITION_COLUMN for c in table.columns):
        # an event-fed copy keeps only the pairs it copies: the partition key is not there to route rows by
        return f"it holds no {PARTITION_COLUMN} column to partition by"
    key = unique_key_across_partitions(table)
    if key:
        return f"its unique key ({', '.join(key)}) must hold across the whole table, and PostgreSQL enforces uniqueness only within one partition"
    return _keeps_foreign_keys(analysis, table, referenced)


def referencing_tables(arch: Architecture) -> dict[str, list[str]]:
    """Each table's name -> the other tables whose foreign keys point at it."""
    referenced: dict[str, list[str]] = {}
    for other in (t for s in arch.datastores for t in s.tables):
        for fk in other.foreign_keys:
            if fk.ref_table != other.name:
                referenced.setdefault(fk.ref_table, []).append(other.name)
    return referenced


def _keeps_foreign_keys(analysis: Analysis, table: Table, referenced: dict[str, list[str]]) -> str:
    """Why a table stays whole for the foreign keys pointing at it ('' when it need not): rows that change, that requests look
    up and that other tables reference. The same rule the storage decision states (``_history_steer.by_numbers``): time
    partitions would put created_at in its key, and every reference to it would lose its foreign key."""
    from backend_architect.design.patterns._stores import readers  # the storage patterns import this module's thresholds

    if table.append_only or table.name not in referenced or table.entity is None:
        return ""
    if not readers(analysis, table.entity).lookups:
        return ""
    names = ", ".join(dict.fromkeys(referenced[table.name]))
    return f"referenced by {names}, whose foreign keys time partitions would cost (the key would include created_at)"


def stored_entity(analysis: Analysis, table: Table) -> str | None:
    """The entity whose rows ``table`` holds: its own, or for an event-fed copy (``known_<table>``, see ``graph_copy_name`` and
    ``member_copies``) the entity of the table it copies. A copy is a copy in every record: its rows arrive, change and go as the
    source's do, so the partitioning rule reads the source's writes for it, not a blank that reads as 'its rows change'."""
    if table.entity is not None:
        return table.entity
    copied = table.name.removeprefix("known_")
    if copied == table.name:
        return None
    return next((e for e in analysis.entities if table_name(e) == copied), None)


def stored_table_name(table: Table) -> str:
    """The table name an event-fed copy copies (``known_<table>``), or the table's own."""
    return table.name.removeprefix("known_")


def append_mostly(analysis: Analysis, table: Table, kept: Collection[str] = ()) -> bool:
    """Rows are appended and seldom changed: append-only, or updates and deletes a day at most a tenth of the inserts a day
    (``churn``: from the new rows a day the design prints; a write ``kept`` in memory changes no row)."""
    return table.append_only or churn(analysis, table, kept).appended


def unwritten(analysis: Analysis, table: Table) -> bool:
    """No operation inserts, updates or deletes the rows (a reference table the spec only reads): it neither grows in time
    order nor changes, so time partitions have nothing to age out; the records must not say its rows change. Read from the
    analysis's one account of the entity's writers (``Mutability`` 'reference'), so rows another entity's use case inserts
    (an order's lines) count as written."""
    if table.append_only:
        return False
    entity = stored_entity(analysis, table)
    facts = analysis.entities.get(entity) if entity is not None else None
    return facts is not None and facts.mutability == "reference"


@dataclass(frozen=True)
class TimeVerdict:
    """One table's verdict on time partitions at the horizon: partitioned, kept whole (and why), or not yet past the threshold."""

    table: str
    size: float
    horizon: float
    appended: bool
    #: The plan's words when partitioned ('by created_at per month'), else ''.
    partitioned: str = ""
    #: Why time partitions cannot hold it (``why_whole``), '' when they can.
    whole: str = ""
    #: The spec author kept it whole.
    authored: bool = False
    #: A unique key without the partition column: hash partitions by its first column would keep it enforceable.
    key: tuple[str, ...] = ()
    #: No operation writes its rows (``unwritten``): not appended, yet its rows do not change either.
    still: bool = False
    #: The churn's numbers (``Churn.said``): what "its rows change" rests on, stated beside it.
    churn: str = ""

    @property
    def past(self) -> bool:
        """Past the size at which time partitions pay off."""
        return self.size >= PARTITION_MIN_BYTES

    @property
    def size_said(self) -> str:
        """The table's size at the horizon, as every section prints it.

        >>> TimeVerdict("votes", 43.7e9, 5.0, True).size_said
        '43.7 GB after 5 years'
        """
        return f"{self.size / 1e9:,.1f} GB after {self.horizon:g} years"

    @property
    def threshold_said(self) -> str:
        """The thresholds that apply to the table, each with what it triggers: time partitions only where rows are appended and
        nothing keeps the table whole, so the trigger never promises partitions its own scaling step refuses (one verdict a table).

        >>> TimeVerdict("votes", 43.7e9, 5.0, False).threshold_said
        'no time partitions: its rows change; shards past 2 TB per primary'
        >>> TimeVerdict("ratings", 43.7e9, 5.0, True, whole="its unique key (trip_id) must hold across the whole table").threshold_said
        'no time partitions: kept whole, as the partitioning decision says; shards past 2 TB per primary'
        """
        shards = f"shards past {SHARD_MIN_BYTES / 1e12:,.0f} TB per primary"
        if self.still and not self.partitioned:
            return f"no time partitions: no operation writes its rows; {shards}"
        if not self.appended and not self.partitioned:
            return f"no time partitions: its rows change; {shards}"
        if self.reason and not self.partitioned:
            return f"no time partitions: kept whole, as the partitioning decision says; {shards}"
        return f"time partitions past {THRESHOLD}; {shards}"

    @property
    def kept_whole(self) -> str:
        """Why the table stays whole although it passes the threshold ('' when it is partitioned or under it): the one
        sentence the partitioning decision and the bottleneck row state."""
        if self.partitioned or not self.past:
            return ""
        return f"{self.table} ({self.size_said}) passes {THRESHOLD} and stays whole: {self.reason}"

    @property
    def reason(self) -> str:
        """Why time partitions do not hold the table (whatever its size), '' when nothing stops them."""
        if self.authored:
            return "the spec author keeps it whole"
        if self.still:
            return ROWS_STILL
        if not self.appended:
            return rows_change(self.churn)  # the rule's first condition: whatever else holds, time partitions are for appended rows
        if self.whole:
            hint = f" (hash partitions by {self.key[0]} would keep the key enforceable)" if self.key else ""
            return f"{self.whole}{hint}"
        return ""


#: The size threshold as every section states it, and with where it comes from (the rule's own statement).
THRESHOLD = f"{PARTITION_MIN_BYTES / 1e9:,.0f} GB"
THRESHOLD_SAID = f"{THRESHOLD} (server memory)"
#: Why a table whose rows change gets no time partitions: its old partitions never go cold.
ROWS_CHANGE = (
    f"its rows change after they are written (updates and deletes past {APPEND_MOSTLY_SHARE:.0%} of its inserts), "
    "so old partitions never go cold and retention cannot drop them"
)


def rows_change(numbers: str) -> str:
    """Why a table whose rows change gets no time partitions, with the numbers that say they change (``Churn.said``).

    >>> rows_change("1,000 updates a day (edit) against 2,000 inserts a day: 50.0%")[:95]
    'its rows change after they are written (1,000 updates a day (edit) against 2,000 inserts a day:'
    """
    if not numbers:
        return ROWS_CHANGE
    return f"its rows change after they are written ({numbers}, past {APPEND_MOSTLY_SHARE:.0%}), so old partitions never go cold and retention cannot drop them"


#: Why a table no operation writes gets no time partitions: no rows arrive in time order, and none go cold.
ROWS_STILL = "no operation inserts, updates or deletes its rows, so no time order grows and no partition would go cold"


def partitioned_by_size(
    analysis: Analysis, table: Table, referenced: dict[str, list[str]], size: Callable[[Table], float], kept: Collection[str] = ()
) -> Table | None:
    """``table`` keyed as time partitions will key it (its primary key with the partition column) when the rule partitions it
    by size, else ``None``: appended, nothing keeps it whole, and its size so keyed (``size``) past the threshold. The capacity
    stage sizes such a table this way, so the partitioning stage decides on the size every section states."""
    if table.partitioning is not None or PARTITION_COLUMN in table.primary_key or not append_mostly(analysis, table, kept):
        return None
    if why_whole(analysis, table, referenced):
        return None
    keyed = table.model_copy(update={"primary_key": [*table.primary_key, PARTITION_COLUMN]})
    return keyed if size(keyed) >= PARTITION_MIN_BYTES else None


def as_planned(spec: Spec, analysis: Analysis, arch: Architecture, size: Callable[[Table], float]) -> Callable[[Table], Table]:
    """How to key a table for sizing: as the partitioning rule will store it (``partitioned_by_size``), unless the spec author
    keeps it whole. ``size`` sizes a table at the horizon (the capacity stage's formula)."""
    from backend_architect.design.partitioning_steer import kept_whole_by_author

    referenced = referencing_tables(arch)
    kept = kept_out_of_database(arch)

    def keyed(table: Table) -> Table:
        if kept_whole_by_author(spec, table.name):
            return table
        return partitioned_by_size(analysis, table, referenced, size, kept) or table

    return keyed


def time_verdict(
    analysis: Analysis,
    table: Table,
    size: float,
    horizon: float,
    referenced: dict[str, list[str]],
    authored: bool = False,
    kept: Collection[str] = (),
) -> TimeVerdict:
    """``table``'s verdict from the plan it carries (``table.partitioning``) and the rule's reasons to keep it whole."""
    plan = table.partitioning
    partitioned = f"by {plan.column} per {plan.interval}" if plan else ""
    whole = "" if plan else why_whole(analysis, table, referenced)
    key = tuple(unique_key_across_partitions(table)) if whole else ()
    appended = append_mostly(analysis, table, kept)
    said = "" if table.append_only else churn(analysis, table, kept).said()
    return TimeVerdict(table.name, size, horizon, appended, partitioned, whole, authored and not plan, key, unwritten(analysis, table), said)
