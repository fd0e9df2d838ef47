"""PAT002: a shared cache is decided by a read's load and staleness; it states its hit ratio, the reads it removes and its memory (resident entries)."""

from __future__ import annotations

import math

import pytest

from backend_architect.design.patterns._cache_figures import resident
from backend_architect.design.patterns.rate_limit_state import BUCKET_BYTES
from backend_architect.ir.model import Architecture
from design.formulas import recompute
from design.helpers import design_of

SPEC = """\
system: shelf
scale: {{rates: peak}}
entities:
  Shelf: {{fields: {{label: string(60)}}, rows: {shelves}}}
  Book:
    fields: {{shelf: ref(Shelf), title: string(120), blurb: {{type: text, avg_bytes: 400}}}}
    rows: {books}
use_cases:
  - {{name: view book, actor: reader, auth: required, kind: get, reads: Book, rate: {get_rate}, staleness: {get_stale}}}
  - {{name: list shelf books, actor: reader, auth: required, kind: list, reads: Book, filter: [shelf], sort: [-created_at], rate: {list_rate},
     staleness: {list_stale}}}
  - {{name: edit book, actor: librarian, auth: required, kind: update, writes: Book.title, rate: 5/s}}
  - {{name: add book, actor: librarian, auth: required, kind: create, writes: Book, rate: {adds}}}
{decisions}"""


def _spec(
    shelves: str = "10k",
    books: str = "1M",
    get_rate: str = "5k/s",
    get_stale: str = "300s",
    list_rate: str = "2k/s",
    list_stale: str = "60s",
    adds: str = "10/s",
    decisions: str = "",
) -> str:
    return SPEC.format(
        shelves=shelves, books=books, get_rate=get_rate, get_stale=get_stale, list_rate=list_rate, list_stale=list_stale, adds=adds, decisions=decisions
    )


def _plan(arch: Architecture, use_case: str) -> str:
    return next(c.strategy for c in arch.caches if c.use_case == use_case)


def _figures(arch: Architecture) -> dict[str, float]:
    return {f.key: f.value for f in arch.figures}


SHAPES = [
    pytest.param(_spec(), "view-book", id="hot-gets"),
    pytest.param(_spec(), "list-shelf-books", id="few-parents"),
    pytest.param(_spec(shelves="20M", list_rate="20k/s", list_stale="1s"), "list-shelf-books", id="short-ttl-over-many-parents"),
    pytest.param(_spec(books="3B", get_rate="3k/s", get_stale="3600s"), "view-book", id="huge-key-space"),
    pytest.param(_spec(books="200k", get_rate="60/s", get_stale="5s"), "view-book", id="few-reads-per-key"),
    pytest.param(_spec(shelves="1M", list_rate="500/s", list_stale="10s", adds="100k/s"), "list-shelf-books", id="pages-rewritten-by-appends"),
]


@pytest.mark.parametrize(("text", "path"), SHAPES)
def test_a_cache_stands_by_load_and_staleness_and_states_its_hit_ratio_ok(text: str, path: str) -> None:
    """A read past the cache floor with a staleness gets cache-aside whatever its hit ratio; its hit ratio, reads removed and memory are stated."""
    arch = design_of(text)
    known = _figures(arch)
    name = path.replace("-", " ")
    assert _plan(arch, name) == "cache-aside"
    hit, removed, memory = known[f"cache.hit_ratio.{path}"], known[f"cache.db_reads_removed.{path}"], known[f"cache.bytes.{path}"]
    peak = _peak(arch, path)
    assert removed == pytest.approx(peak * hit)
    assert not [k for k in known if k.startswith("cache.min_hit_ratio.")]
    made = next(d for d in arch.decisions if d.id == f"cache.{path}")
    assert made.inputs["hit_ratio"] == pytest.approx(hit)
    assert made.inputs["memory_bytes"] == pytest.approx(memory)
    # the database is sized on what reaches it: the cache's misses
    db_reads = next(f for f in arch.figures if f.key.startswith("db.reads.peak.") and f"peak_{path}" in f.inputs)
    assert db_reads.inputs[f"peak_{path}"] == pytest.approx(peak * (1 - hit))


def _peak(arch: Architecture, path: str) -> float:
    return next(f.inputs["peak"] for f in arch.figures if f.key == f"cache.hit_ratio.{path}")


@pytest.mark.parametrize(("text", "path"), SHAPES)
def test_redis_holds_the_resident_entries_its_figures_state_ok(text: str, path: str) -> None:
    """The Redis component's memory is the sum of its caches' cache.bytes figures (resident entries), one figure read everywhere."""
    arch = design_of(text)
    known = _figures(arch)
    redis = next(c for c in arch.components if c.name == "redis")
    stated = sum(known[f"cache.bytes.{u.replace(' ', '-')}"] for u in redis.use_cases)
    # the same Redis may hold the rate-limit buckets (PAT046): two a client
    limits = next((d for d in arch.decisions if d.id == "rate-limits.state" and "rate-limit buckets" in redis.purpose), None)
    buckets = limits.inputs["clients"] * 2 * BUCKET_BYTES if limits is not None else 0.0
    assert redis.memory_bytes == pytest.approx(stated + buckets)
    assert known[f"cache.bytes.{path}"] <= _hot_bytes(arch, path)


def _hot_bytes(arch: Architecture, path: str) -> float:
    memory = next(f for f in arch.figures if f.key == f"cache.bytes.{path}")
    return math.ceil(memory.inputs["keys"] * memory.inputs["hot_share"]) * memory.inputs["entry_bytes"]


@pytest.mark.parametrize(("text", "path"), SHAPES)
def test_cache_figures_recompute_from_their_formulas_ok(text: str, path: str) -> None:
    """The hit ratio, the reads removed and the memory (resident entries) are what their printed formulas give."""
    arch = design_of(text)
    checked = [f for f in arch.figures if f.key.startswith(("cache.hit_ratio.", "cache.db_reads_removed.", "cache.bytes.")) and f.key.endswith(path)]
    assert len(checked) == 3
    for f in checked:
        assert recompute(f) == pytest.approx(f.value, rel=1e-6), f.key


def test_the_author_may_still_forbid_a_cache_err() -> None:
    """decisions: cache.<path>: forbid leaves the read on the database, and the record keeps the hit ratio the numbers gave up."""
    forbidden = "decisions:\n  cache.list-shelf-books: {forbid: true, reason: the shelf page is read after every edit}\n"
    arch = design_of(_spec(decisions=forbidden))
    assert _plan(arch, "list shelf books") == "none"
    made = next(d for d in arch.decisions if d.id == "cache.list-shelf-books")
    assert made.decided_by == "spec"
    assert made.inputs["hit_ratio"] > 0


@pytest.mark.parametrize(
    ("keys", "peak", "hit", "ttl", "entries"),
    [
        pytest.param(1_000_000, 100.0, 0.5, 10.0, 500, id="short-ttl-bounded-by-fills"),
        pytest.param(1_000, 100.0, 0.5, 3_600.0, 200, id="long-ttl-bounded-by-hot-keys"),
        pytest.param(1, 5.0, 0.0, 1.0, 1, id="one-key"),
    ],
)
def test_resident_entries_are_the_fills_within_a_ttl_ok(keys: float, peak: float, hit: float, ttl: float, entries: int) -> None:
    """A cache-aside holds its hot keys, never more than it fills in one TTL (each miss fills an entry living a TTL)."""
    assert resident(keys, peak, hit, ttl) == entries
