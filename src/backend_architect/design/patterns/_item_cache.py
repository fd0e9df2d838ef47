"""The item cache of a read model holding ids: the rows its pages are filled with, cached by id when their reads pass one node.

A precomputed list (PAT001) holds item ids, so every page read fetches its ``page size`` items by
id. At timeline rates that is the largest read load of the design (300k pages/s x 20 = 6M rows/s):
sized as database reads it alone sets the item table's replicas. The rows a list can reach are
few next to the table: a list keeps ``keep`` entries, filled at ``deliveries / readers`` a second,
so it spans ``keep x readers / deliveries`` seconds, and only the items written in that window
can be on any page. A cache-aside by id over those recent items (``item:{id}``, a multi-get per
page) answers most of them. It is built when the pages' reads by id pass one database node's
(``PRIMARY_READ_CEILING``), and states its hit ratio, its memory and the reads it removes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase, worker_writes_per_s
from backend_architect.design.patterns._cache_figures import HOT_SHARE, cache_memory, hit_ratio, resident
from backend_architect.design.patterns._common import PRIMARY_READ_CEILING, figure, fmt, size, table_of
from backend_architect.design.row_fates import RowFates, row_fates
from backend_architect.ir.model import Architecture, Figure

#: Bytes one cached item takes when its table is not known: a serialized row with its key and allocator overhead.
ITEM_ENTRY_BYTES = 512
#: Bytes a cached row takes beyond the row itself: its key, the serialization's field names and the allocator.
ITEM_OVERHEAD_BYTES = 96
#: Items the lists can reach: written within the span of one list (``keep`` entries filled at ``deliveries / readers`` a second).
REACH = "writes_avg x keep x readers / deliveries_avg"
#: TTL of an item that never changes once written: bounded only to let memory turn over.
ITEM_IMMUTABLE_TTL_S = 3_600.0


@dataclass(frozen=True)
class ItemCache:
    """The numbers of a cache of a read model's items by id: the reads it is asked, the items it can hold, its hit ratio and memory."""

    use_case: UseCase
    item: str
    page: float
    #: Items the lists can reach: written within the span of one list.
    reachable: float
    ttl: float
    #: Updates, deletes and the media workers' status writes/s of the item at peak: each one deletes its entry (a new item has a
    #: new id and invalidates nothing).
    writes: float
    entry: int
    #: The inputs of ``reachable``, for its figure.
    basis: dict[str, float]
    #: What changes an item once written (``row_fates``): the entry's invalidation names only these.
    fates: RowFates

    @property
    def kept(self) -> str:
        """How long an entry is kept and what deletes it: only the changes some operation makes (``row_fates``)."""
        if not self.fates.changed:
            return f"kept {fmt(self.ttl)} s; no operation updates or deletes a {self.item}, so no write deletes one"
        return f"kept {fmt(self.ttl)} s, deleted on {self.fates.said(self.item)}"

    @property
    def reads(self) -> float:
        """Item rows/s the pages ask for at peak."""
        return self.use_case.peak_qps * self.page

    @property
    def hot(self) -> int:
        return max(1, math.ceil(self.reachable * HOT_SHARE))

    @property
    def hit(self) -> float:
        return hit_ratio(self.reads, self.ttl, self.hot, self.writes)

    @property
    def memory(self) -> float:
        return float(resident(self.reachable, self.reads, self.hit, self.ttl) * self.entry)

    @property
    def key(self) -> str:
        return f"{self.item.lower()}:{{id}}"

    def said(self) -> str:
        """The cache and its numbers, for the read model's records."""
        return (
            f"the page's {self.item} rows come from a cache of {self.item}s by id ({self.key}, cache-aside, one multi-get a page; entries "
            f"{self.kept}): {fmt(self.reachable)} {self.item}s the lists can reach, "
            f"{fmt(float(self.hot))} hot, {size(self.memory)}; it answers {self.hit:.1%} of {fmt(self.reads)} reads/s, taking "
            f"{fmt(self.reads * self.hit)} off the database"
        )

    def figures(self) -> list[Figure]:
        """The items the lists reach, the cache's hit ratio, the reads it removes, and its memory."""
        uid, scope = self.use_case.id, f"use case '{self.use_case.name}'"
        return [
            figure(
                f"cache.items.reachable.{uid}",
                f"{self.item}s the lists of {self.use_case.name} can reach (written within the span of one list)",
                self.reachable,
                "rows",
                "min(item_rows, writes_avg x keep x readers / deliveries_avg)"
                if self.basis.get("item_rows")
                else "writes_avg x keep x readers / deliveries_avg",
                self.basis,
                scope,
            ),
            figure(
                f"cache.items.hit_ratio.{uid}",
                f"expected hit ratio of the {self.item} cache filling the pages of {self.use_case.name}",
                self.hit,
                "ratio",
                "r / (r + 1 + w) with r = item_reads x ttl_s / hot_items, w = writes_per_s x ttl_s / hot_items",
                {"item_reads": self.reads, "ttl_s": self.ttl, "hot_items": float(self.hot), "writes_per_s": self.writes},
                scope,
            ),
            figure(
                f"cache.items.db_reads_removed.{uid}",
                f"database reads the {self.item} cache removes for {self.use_case.name}",
                self.reads * self.hit,
                "req/s",
                "item_reads x item_hit_ratio",
                {"item_reads": self.reads, "item_hit_ratio": self.hit},
                scope,
            ),
            cache_memory(self.use_case, self.reachable, float(self.entry), self.reads, self.hit, self.ttl, key="cache.items.bytes"),
        ]


def item_cache(analysis: Analysis, arch: Architecture, use_case: UseCase, keep: float, readers: float, deliveries_avg: float) -> ItemCache | None:
    """The item cache a read model's pages would need: None while their reads by id stay within one node, or when the spec forbids
    caching the read.

    A get of the item has a cache of its own, sized on its own reads over every row; the pages reach only the recent items, so
    their cache is sized on those.
    """
    item = use_case.entity
    page = float(use_case.spec.page.limit)
    if use_case.spec.cache is False or use_case.peak_qps * page <= PRIMARY_READ_CEILING:
        return None
    writers = [u for u in analysis.use_cases if u.is_write and item in {u.entity, *u.writes}]
    growth = sum(u.avg_qps for u in writers if u.kind == "create" and u.entity == item)
    rows = analysis.rows(item) if item in analysis.entities else 0.0
    window = keep * readers / deliveries_avg if deliveries_avg else 0.0
    reachable = min(rows, growth * window) if rows else growth * window
    facts = analysis.entities.get(item)
    # rows only the engine's workers change ("processed": a media status) keep the long TTL: each of their writes deletes the entry
    settled = facts is not None and facts.mutability in {"immutable", "append_only", "reference", "processed"}
    ttl = ITEM_IMMUTABLE_TTL_S if settled else (use_case.spec.staleness or ITEM_IMMUTABLE_TTL_S)
    found = table_of(arch, item)
    from backend_architect.design.capacity import row_bytes

    entry = row_bytes(found[1]) + ITEM_OVERHEAD_BYTES if found else ITEM_ENTRY_BYTES
    # every write changing a cached item deletes its entry: the updates, and the workers' status writes (worker_writes_per_s)
    changes = sum(u.peak_qps for u in writers if not (u.kind == "create" and u.entity == item)) + worker_writes_per_s(analysis, item)
    if not reachable:
        return None  # nothing the lists reach is written: no cache to size
    basis = {"item_rows": rows, "writes_avg": growth, "keep": keep, "readers": readers, "deliveries_avg": deliveries_avg}
    shown = {k: v for k, v in basis.items() if v or k != "item_rows"}
    return ItemCache(use_case, item, page, reachable, ttl, changes, entry, shown, row_fates(analysis, item))
