"""A shared cache behind a CDN that does not settle a hot read path: the reads the edge misses, cached at the origin.

A CDN keeps a response for the path's TTL at each edge and is purged asynchronously, so on a
path with many keys and a short TTL it answers few reads (Stack Overflow's question pages,
a video catalogue's pages: a few percent), and a response to a request carrying a token is
never shared there. Those reads reach the owning service. The service can keep the row it
reads in the shared cache much longer than the edge keeps the response, because it deletes
the entry itself after each commit that changes it (before it answers): the staleness bound
holds whatever the TTL, which only lets memory turn over. Whether that pays is a number: the
hit ratio of the reads that reach the service over the hot keys in that longer TTL, and the
database reads it removes against ``CACHE_MIN_READ_QPS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import UseCase
from backend_architect.design.patterns._cache_figures import hit_ratio, resident
from backend_architect.design.patterns._common import figure, fmt
from backend_architect.ir.model import Figure

#: A CDN answering at least this share of a path's reads settles it; below, the reads reaching the service are sized for a cache of their own.
CDN_SETTLES_HIT = 0.5


@dataclass(frozen=True)
class Origin:
    """The numbers of a cache-aside copy behind a CDN: the reads that reach the service, and what the shared cache would answer of them."""

    use_case: UseCase
    cdn_hit: float
    ttl: float
    hot: int
    writes: float
    #: The path's keys (``hot`` of them hot).
    keys: float = 1.0
    #: Bytes one entry takes.
    entry: int = 2_048

    @property
    def reaching(self) -> float:
        """Reads/s the CDN passes to the service (its misses)."""
        return self.use_case.peak_qps * (1 - self.cdn_hit)

    @property
    def hit(self) -> float:
        """The shared cache's hit ratio over those reads: r / (r + 1 + w) per hot key and TTL, as every cache figure is computed."""
        return hit_ratio(self.reaching, self.ttl, self.hot, self.writes)

    @property
    def removed(self) -> float:
        return self.reaching * self.hit

    @property
    def memory(self) -> float:
        """Bytes the shared cache's resident entries take (``resident``)."""
        return float(resident(self.keys, self.reaching, self.hit, self.ttl) * self.entry)

    def pays(self, min_reads: float) -> bool:
        """Whether the CDN leaves the path unsettled and the shared cache would take ``min_reads`` or more reads/s off the database."""
        return self.cdn_hit < CDN_SETTLES_HIT and self.removed >= min_reads

    def said(self, min_reads: float) -> str:
        """Both hit ratios and the database reads each removes, and the verdict, for the path's rationale."""
        edge = f"the CDN answers {self.cdn_hit:.1%} ({fmt(self.use_case.peak_qps * self.cdn_hit)} reads/s)"
        if self.cdn_hit >= CDN_SETTLES_HIT:
            return f"{edge}: it settles the path (>= {CDN_SETTLES_HIT:.0%})"
        behind = (
            f"a shared cache behind it (entries kept {fmt(self.ttl)}s, deleted after each commit that changes it) answers "
            f"{self.hit:.1%} of the {fmt(self.reaching)} reads/s that reach the service ({fmt(self.removed)} reads/s off the database)"
        )
        if self.pays(min_reads):
            return f"{edge}, under {CDN_SETTLES_HIT:.0%}: {behind}"
        return f"{edge}, under {CDN_SETTLES_HIT:.0%}; {behind}: under {fmt(min_reads)} reads/s, not built"

    def figures(self) -> list[Figure]:
        """The origin cache's reads, hit ratio and database reads removed, each with its formula."""
        uid, scope = self.use_case.id, f"use case '{self.use_case.name}'"
        return [
            figure(
                f"cache.origin.reads.{uid}",
                f"reads/s of {self.use_case.name} the CDN passes to the service (its misses)",
                self.reaching,
                "req/s",
                "peak x (1 - cdn_hit_ratio)",
                {"peak": self.use_case.peak_qps, "cdn_hit_ratio": self.cdn_hit},
                scope,
            ),
            figure(
                f"cache.origin.hit_ratio.{uid}",
                f"expected hit ratio of the shared cache behind the CDN for {self.use_case.name}",
                self.hit,
                "ratio",
                "r / (r + 1 + w) with r = reaching x ttl_s / hot_keys, w = writes_per_s x ttl_s / hot_keys",
                {"reaching": self.reaching, "ttl_s": self.ttl, "hot_keys": float(self.hot), "writes_per_s": self.writes},
                scope,
            ),
            figure(
                f"cache.origin.db_reads_removed.{uid}",
                f"database reads the shared cache behind the CDN removes for {self.use_case.name}",
                self.removed,
                "req/s",
                "reaching x origin_hit_ratio",
                {"reaching": self.reaching, "origin_hit_ratio": self.hit},
                scope,
            ),
        ]
