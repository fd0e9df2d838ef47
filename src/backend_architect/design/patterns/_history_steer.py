"""What the spec author may choose for a table's history (``storage.<table>``), and what the numbers choose.

Private to PAT042: the variants (one tier, hot/cold tiers, an analytical store, aggregate and
expire), the rules that pick one from who reads the table and how big it grows, and the
reasons a variant cannot be built for a table (a table-wide unique key forbids time
partitions; expiring rows nothing aggregates would lose what requests read).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.patterns._common import decision, figure, size
from backend_architect.design.patterns._stores import HOT_SHARE, HOT_STORE_BYTES, HOT_WINDOW_DAYS, Readers, day_bytes, days, horizon, hot_window_days
from backend_architect.ir.model import Decision, Figure, Table
from backend_architect.spec.model import Spec


def hot_days(spec: Spec, table: Table) -> float:
    """The hot window of ``table``: what fits in its share of the hot store at its daily volume."""
    return hot_window_days(day_bytes(table), days(horizon(spec)))


@dataclass(frozen=True)
class HotWindow:
    """The recent days of a table kept on fast storage, and their bytes: computed once, stated by every sentence and the capacity table."""

    days: float
    bytes: float
    bytes_per_day: float
    figures: tuple[Figure, ...]

    @property
    def said(self) -> str:
        """The window as every sentence states it: days, bytes, and the working behind the bytes."""
        return f"the last {self.days:,.0f} days ({size(self.bytes)}: {size(self.bytes_per_day)} a day x {self.days:,.0f} days{self.beyond_share})"

    @property
    def beyond_share(self) -> str:
        """When the shortest window already passes the hot store's share, said so: the share is a target, the week a floor."""
        share = HOT_STORE_BYTES * HOT_SHARE
        return f", past the {size(share)} share of the hot store: {HOT_WINDOW_DAYS[0]:g} days is the shortest window kept hot" if self.bytes > share else ""


def hot_window(spec: Spec, table: Table) -> HotWindow:
    """``table``'s hot window with its figures (days and bytes, each with its formula)."""
    per_day = day_bytes(table)
    hot = hot_days(spec, table)
    low, high = HOT_WINDOW_DAYS
    kept = figure(
        f"storage.hot_days.{table.name}",
        f"days of {table.name} kept on fast storage",
        hot,
        "days",
        "min(horizon_days, max(shortest_days, min(longest_days, floor(hot_store x hot_share / bytes_per_day))))",
        {
            "horizon_days": days(horizon(spec)),
            "shortest_days": low,
            "longest_days": high,
            "hot_store": HOT_STORE_BYTES,
            "hot_share": HOT_SHARE,
            "bytes_per_day": per_day,
        },
        table.name,
    )
    held = figure(
        f"storage.hot_bytes.{table.name}",
        f"fast storage for the hot days of {table.name}",
        hot * per_day,
        "bytes",
        "hot_days x bytes_per_day",
        {"hot_days": hot, "bytes_per_day": per_day},
        table.name,
    )
    return HotWindow(hot, hot * per_day, per_day, (kept, held))


#: What ``choose:`` builds for a table's history (``storage.<table>``), by the names an author may use.
HISTORY = {
    "one-tier": ["one tier on fast storage", "keep it in the hot store"],
    "tiers": ["hot/cold tiers", "hot and cold tiers"],
    "warehouse": ["move the history to an analytical store", "warehouse"],
    "expire": ["aggregate and expire", "expire"],
}


def by_numbers(spec: Spec, table: Table, facts: tuple[bool, Readers, list[str]], at_horizon: float, referenced: dict[str, list[str]]) -> tuple[str, str]:
    """What the numbers do with a table's history (expire, warehouse, tiers; else why it stays one tier), and why."""
    appended, who, whole = facts
    if appended and who.scans and not who.lookups:
        return "expire", ""
    if at_horizon <= HOT_STORE_BYTES:
        return "fits", ""
    if table.retention_days is not None and table.retention_days <= hot_days(spec, table):
        return "one-tier", (
            f"kept {table.retention_days:,.0f} day(s), within the {hot_days(spec, table):,.0f}-day hot window: no history outlives it "
            f"({size(at_horizon)} is the write rate's volume, for partitioning and sharding)"
        )
    if whole:
        # tiers and exports move time partitions; a table-wide unique key forbids them in PostgreSQL
        return "one-tier", (
            f"its unique key ({', '.join(whole)}) must hold across the whole table and PostgreSQL enforces uniqueness "
            f"only within one partition: no time partitions to tier or export; one tier ({size(at_horizon)})"
        )
    if appended and who.none:
        return "warehouse", ""
    if who.lookups and not table.append_only and table.partitioning is None and table.name in referenced:
        names = ", ".join(dict.fromkeys(referenced[table.name]))
        return "one-tier", f"referenced by {names}: time partitions would cost their foreign keys; one tier ({size(at_horizon)}), sharded by size"
    if who.lookups:
        return "tiers", ""
    return "one-tier", f"rows are updated, not an append-only log, and no request looks them up: one tier ({size(at_horizon)})"


def cannot(variant: str | None, who: Readers, whole: list[str], table: Table) -> str | None:
    """Why a variant cannot be built for this table, or None when it can."""
    if variant is None:
        return f"choose one of: {', '.join(names[0] for names in HISTORY.values())}"
    if variant in {"tiers", "warehouse"} and whole:
        return f"{table.name}'s unique key ({', '.join(whole)}) must hold across the whole table: PostgreSQL cannot split it into time partitions"
    if variant == "expire" and not who.scans:
        return f"nothing aggregates {table.name} (no job, ranking or series reads it): expiring its rows would lose data requests read"
    return None


def one_tier(table: Table, reason: str) -> Decision:
    return decision(
        f"storage.{table.name}",
        f"History of {table.name}",
        "storage",
        "one tier: the table stays whole in the hot store",
        reason or "it fits the hot store",
        reason or "it fits the hot store at the horizon",
        subject=table.name,
        # its own consequence, so the tiers' ("lookups into cold partitions are slower") is never carried over
        consequences="Every row stays on fast storage: reads of old rows cost what recent ones do, and the fast disks grow with the whole history.",
    ).model_copy(update={"choices": list(HISTORY)})
