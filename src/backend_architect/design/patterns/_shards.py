"""The shards of each sharded table, when each table's sharding is built, and what one shard carries: computed once here.

The database load (per-shard reads, writes and replicas), the availability plan (nodes =
shards x copies), the staged growth (the sharding stage) and the bottlenecks all read these
functions, so no section sizes a sharded database as one primary or calls its sharding "now"
where another calls it "later".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from backend_architect.design.analysis import DEFAULT_PEAK_FACTOR
from backend_architect.design.capacity import rows_after
from backend_architect.design.co_writes import placements, shard_map
from backend_architect.design.loads import table_inserts
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING, figures
from backend_architect.design.patterns._stores import HOT_STORE_BYTES, horizon, per_row_bytes
from backend_architect.design.write_headroom import WRITE_HEADROOM
from backend_architect.ir.model import Architecture, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake
from backend_architect.spec.units import DAYS_PER_YEAR


def shards(arch: Architecture, spec: Spec) -> dict[str, int]:
    """Shards each sharded table needs: its shard map's count (``shard_map_totals``)."""
    return {name: total.count for name, total in shard_map_totals(arch, spec).items()}


@dataclass(frozen=True)
class MapTotal:
    """One shard map's tables sized together: their bytes at the horizon and peak inserts, and the shards they need."""

    tables: tuple[str, ...]
    bytes_at_horizon: float
    peak_inserts: float

    @property
    def count(self) -> int:
        """By size at the horizon and by peak inserts, whichever is more (at least 2): a shard's primary is planned to the
        share of its write ceiling every primary is (``WRITE_HEADROOM``), the share past which the design shards at all, so
        a shard never stands past the plan that split its table."""
        return max(2, primaries_needed(self.bytes_at_horizon, self.peak_inserts))


def primaries_needed(bytes_at_horizon: float, peak_inserts: float) -> int:
    """PostgreSQL primaries a table (or a shard map's tables) needs: by its bytes at the horizon over one primary's store, and
    by its peak inserts over the share of one primary's write ceiling every primary is planned to (``WRITE_HEADROOM``).

    The one rule: the shard count, the wide-column store's "primaries needed" and the growth stage all read it, so a table
    is never "4 shards" in one section and "3 primaries" in another.

    >>> primaries_needed(1.3e12, 13_889.0), primaries_needed(866.8e12, 0.0)
    (4, 434)
    """
    return max(math.ceil(bytes_at_horizon / HOT_STORE_BYTES), math.ceil(peak_inserts / (PRIMARY_WRITE_CEILING * WRITE_HEADROOM)))


def shard_map_totals(arch: Architecture, spec: Spec) -> dict[str, MapTotal]:
    """Each sharded table's shard map, its tables sized together.

    Tables sharded to live together (a part sharded by its foreign key to a parent sharded in the same database: one
    aggregate) share one shard map: every shard holds its share of each of them, so the map's count is their total
    (bytes at the horizon and inserts summed), never the largest table's alone, and every member states that one count.
    """
    known = figures(arch)
    years = horizon(spec)
    factor = spec.scale.peak_factor or DEFAULT_PEAK_FACTOR
    result: dict[str, MapTotal] = {}
    for store in arch.datastores:
        sharded = {t.name: t for t in store.tables if t.sharding is not None}
        groups: dict[str, list[str]] = {}
        for name in sharded:
            groups.setdefault(shard_map(name, sharded), []).append(name)
        for members in groups.values():
            total = MapTotal(
                tables=tuple(members),
                bytes_at_horizon=sum(known.get(f"bytes.{years:g}y.{m}", 0.0) for m in members),
                peak_inserts=sum(table_inserts(known, sharded[m], factor) for m in members),
            )
            result.update(dict.fromkeys(members, total))
    return result


def when_size(table: Table, threshold: float, growth: float, years: float) -> tuple[bool, str]:
    """Whether ``table`` is past ``threshold`` bytes today, else when it gets there within the horizon (``eta_said``).

    The date is the exact crossing of ``rows_after`` (``size_crossing``), not the first whole month past it: a table 8.1
    months from its threshold is said to be 8.1 months away, so a reader dividing the rows still to come by the rows a day
    finds the figure printed (stackoverflow, run 21: "about 9 months" for 247.7 days).
    """
    crossing = size_crossing(table, threshold, growth, years)
    if crossing == 0.0:
        return True, "now"
    if crossing is None:
        return False, f"not within {years:g} years"
    return False, eta_said(crossing)


def size_crossing(table: Table, threshold: float, growth: float, years: float) -> float | None:
    """Years from now until ``table``'s bytes pass ``threshold``: 0 when past today, None when not within ``years``.

    Found by bisection (rows only grow with time); a number, so dates of several tables compare as times, never as text.
    """
    per_row = per_row_bytes(table)
    # today's rows as every horizon counts them: a retention caps them, whatever the spec says it holds now
    if rows_after(table, 0.0, growth)[0] * per_row >= threshold:
        return 0.0
    if rows_after(table, years, growth)[0] * per_row < threshold:
        return None
    low, high = 0.0, years
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (low, middle) if rows_after(table, middle, growth)[0] * per_row >= threshold else (middle, high)
    return high


def map_eta(tables: Sequence[Table], growth: float, years: float) -> tuple[str, str]:
    """When one shard map is built, none of its tables sharded now: the earliest of its tables' dates, and the table setting it.

    Tables sharded together live on one set of shards (a chat's members on their chat's shard): the map exists as soon
    as any of them needs it, so every table of the map states that one date. Dating each by its own size alone gave a
    chat's members "in about 14.4 months" and their chats "in about 5.4 years" on the same map (whatsapp, run 22).
    ``("", "")`` when no table of the map passes one primary's store within the horizon (its inserts alone date nothing).

    >>> from backend_architect.ir.model import Table
    >>> big = Table(name="b", columns=[], primary_key=["id"], rows_per_day=50_000_000)
    >>> small = Table(name="s", columns=[], primary_key=["id"], rows_per_day=1_000)
    >>> map_eta([small, big], 0.0, 10.0)[1]
    'b'
    """
    dated = [(crossing, t.name) for t in tables if (crossing := size_crossing(t, HOT_STORE_BYTES, growth, years)) is not None]
    if not dated:
        return "", ""
    crossing, leader = min(dated)
    return ("now" if crossing == 0.0 else eta_said(crossing)), leader


def eta_said(years: float) -> str:
    """A time ahead as every growth record says it: days under two months, months (one decimal, of 365/12 days) under two
    years, else years; never rounded to a whole month, so the figure is the one its inputs give.

    >>> eta_said(247.7 / 365), eta_said(12 / 365), eta_said(0.2 / 365), eta_said(2.5)
    ('in about 8.1 months', 'in about 12 days', 'within a day', 'in about 2.5 years')
    """
    days = years * DAYS_PER_YEAR
    if days < 1:
        return "within a day"
    if days < 60.5:
        return f"in about {days:.0f} day{'s' if round(days) > 1 else ''}"
    if years < 2:
        return f"in about {years * 12:.1f} months"
    return f"in about {years:.1f} years"


def sharded_now(table: Table, known: dict[str, float], growth: float, years: float, factor: float) -> tuple[bool, str]:
    """Whether ``table``'s sharding is built now, and when its size passes one primary's store.

    The one source of "when sharding happens": now when its peak inserts pass one primary's write
    ceiling or its rows pass one primary's store today; otherwise at the growth stage that says when.
    Once the database load has placed the table (``Sharding.now``: on its shard map today, or on the
    unsharded primary, the primary its reads and writes are counted on), that record is the answer:
    a section asking later never re-derives it from figures the load weighed differently.
    """
    past, eta = when_size(table, HOT_STORE_BYTES, growth, years)
    if table.sharding is not None and table.sharding.now is not None:
        return table.sharding.now, eta
    inserts = table_inserts(known, table, factor)
    return past or inserts > PRIMARY_WRITE_CEILING or for_writes(known, table.name), eta


@dataclass(frozen=True)
class ShardTiming:
    """When one sharded table's rows and its shard map's nodes exist: the one record every sentence about them reads.

    A map is one set of nodes shared by its tables (a chat's members and messages on the chat's shards), so its nodes
    exist as soon as any of its tables is sharded now; a table whose own numbers shard it later stays on the primary until
    then and moves onto the map that already runs. Saying "the map is built now" in one place and "its nodes once sharded"
    in another, from the same design, is the contradiction this record prevents.
    """

    #: This table's rows are on its shard map now.
    now: bool
    #: When its own size passes one primary's store (``when_size``).
    eta: str
    #: The table whose shards its rows follow (``shard_map``).
    head: str
    #: The tables of its map whose rows are on it now, in the database's order (empty: the map is built at the growth stage).
    on_map_now: tuple[str, ...]
    #: The table of its map whose need dates the map when none is on it now and that table is another (``map_eta``): this
    #: table moves with it, on that date; empty when its own trigger dates it.
    led_by: str = ""

    @property
    def map_now(self) -> bool:
        """The map's nodes run now (they hold some of its tables' rows)."""
        return bool(self.on_map_now)


def shard_timings(arch: Architecture, spec: Spec, factor: float) -> dict[str, ShardTiming]:
    """Each sharded table's ``ShardTiming``: its own ``sharded_now`` and that of the tables sharing its shard map."""
    known = figures(arch)
    growth, years = spec.scale.growth_per_year or 0.0, horizon(spec)
    where = placements(arch)
    tables = [t for s in arch.datastores for t in s.tables if t.sharding is not None]
    own = {t.name: sharded_now(t, known, growth, years, factor) for t in tables}
    heads = {t.name: where[t.name][1] or t.name for t in tables}
    on_map = {head: tuple(n for n in own if heads[n] == head and own[n][0]) for head in heads.values()}
    # a map none of whose tables is on it now is built at its earliest table's date, and every table of it says that date
    dates = {head: map_eta([t for t in tables if heads[t.name] == head], growth, years) for head in set(heads.values()) if not on_map[head]}
    found = {}
    for n, (now, eta) in own.items():
        date, leader = dates.get(heads[n], ("", ""))
        led = leader if leader and leader != n else ""
        found[n] = ShardTiming(now, date if led else eta, heads[n], on_map[heads[n]], led)
    return found


def for_writes(known: dict[str, float], table: str) -> bool:
    """Whether ``table``'s shard map is built now for its primary's writes: the database load found the writes reaching the
    primary holding it (``db.shard.primary_writes.<table>``, every write the critic counts) past ``WRITE_HEADROOM``."""
    return known.get(f"db.shard.primary_writes.{table}", 0.0) > WRITE_HEADROOM * PRIMARY_WRITE_CEILING


def key_skew(spec: Spec, table: Table, count: int) -> tuple[float, dict[str, float]]:
    r"""How much busier the busiest shard is than the average one, from the bound the spec states on one key's rows.

    A table sharded by its parent's reference, whose entity states ``max_per_parent``, puts at most
    that many rows under one key: the shard holding the largest key carries it plus an even share
    of the rest, ``1 + (shards - 1) x max_per_parent / rows``. With no bound stated, keys spread
    evenly (1).

    >>> from backend_architect.ir.model import Sharding
    >>> from backend_architect.spec.load import load_spec_bytes
    >>> text = b"system: s\nentities:\n  Device: {fields: {n: string}}\n  Reading: {fields: {device: ref(Device)}, max_per_parent: 1000000}\n"
    >>> spec = load_spec_bytes(text).spec
    >>> t = Table(name="readings", entity="Reading", columns=[], primary_key=["id"], rows_now=4_000_000, sharding=Sharding(key="device_id", reason="r"))
    >>> key_skew(spec, t, 4)[0]
    1.75
    """
    entity = spec.entities.get(table.entity or "")
    if entity is None or table.sharding is None or entity.max_per_parent is None or count <= 1:
        return 1.0, {}
    parents = [f"{snake(name)}_id" for name, field in entity.fields.items() if field.type.kind == "ref" and not field.is_nullable]
    if entity.part_of:
        parents.insert(0, f"{snake(entity.part_of)}_id")
    if not parents or table.sharding.key != parents[0]:
        return 1.0, {}
    rows = table.rows_now or table.rows_per_day * 365
    if rows <= 0:
        return 1.0, {}
    share = min(1.0, entity.max_per_parent / rows)
    return 1 + (count - 1) * share, {"max_per_parent": entity.max_per_parent, "rows": rows}


__all__ = [
    "MapTotal",
    "ShardTiming",
    "eta_said",
    "for_writes",
    "key_skew",
    "map_eta",
    "primaries_needed",
    "shard_map",
    "shard_map_totals",
    "shard_timings",
    "sharded_now",
    "shards",
    "size_crossing",
    "when_size",
]
