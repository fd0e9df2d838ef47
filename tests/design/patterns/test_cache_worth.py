"""PAT002: a shared cache is built only where its hit ratio pays for its memory and operations; a refused one says why, in numbers."""

from __future__ import annotations

import pytest

from backend_architect.design.patterns._cache_figures import min_hit_ratio, resident
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


@pytest.mark.parametrize(
    ("text", "path", "built"),
    [
        pytest.param(_spec(), "view-book", True, id="hot-gets-pay"),
        pytest.param(_spec(), "list-shelf-books", True, id="few-parents-pay"),
        pytest.param(_spec(shelves="20M", list_rate="20k/s", list_stale="1s"), "list-shelf-books", False, id="short-ttl-over-many-parents"),
        pytest.param(_spec(books="3B", get_rate="3k/s", get_stale="3600s"), "view-book", False, id="huge-key-space-few-reads"),
        pytest.param(_spec(books="200k", get_rate="60/s", get_stale="5s"), "view-book", False, id="few-reads-per-key"),
    ],
)
def test_a_cache_stands_where_its_hit_ratio_pays_ok(text: str, path: str, built: bool) -> None:
    """Built where hit ratio >= the one that pays for its memory and operations; otherwise no cache, the database serves every read."""
    arch = design_of(text)
    known = _figures(arch)
    name = path.replace("-", " ")
    hit, needed, memory = known[f"cache.hit_ratio.{path}"], known[f"cache.min_hit_ratio.{path}"], known[f"cache.bytes.{path}"]
    assert needed == pytest.approx(min_hit_ratio(_peak(arch, path), memory))
    assert (hit >= needed) is built
    assert _plan(arch, name) == ("cache-aside" if built else "none")
    # the database is sized on what reaches it: every read of a refused path
    db_reads = next(f for f in arch.figures if f.key.startswith("db.reads.peak.") and f"peak_{path}" in f.inputs)
    assert db_reads.inputs[f"peak_{path}"] == pytest.approx(_peak(arch, path) * (1 - (hit if built else 0.0)))


def _peak(arch: Architecture, path: str) -> float:
    return next(f.inputs["peak"] for f in arch.figures if f.key == f"cache.hit_ratio.{path}")


def test_a_refused_cache_says_its_numbers_err() -> None:
    """A refused cache's plan and record state the hit ratio, the reads it would remove, the memory and the threshold, each a figure."""
    arch = design_of(_spec(shelves="20M", list_rate="20k/s", list_stale="1s"))
    plan = next(c for c in arch.caches if c.use_case == "list shelf books")
    known = _figures(arch)
    hit, needed = known["cache.hit_ratio.list-shelf-books"], known["cache.min_hit_ratio.list-shelf-books"]
    assert plan.strategy == "none"
    assert f"would answer {hit:.2%}" in plan.rationale
    assert f"hit ratio of {needed:.2%} or more" in plan.rationale
    assert "GET per read and a SET per miss" in plan.rationale
    made = next(d for d in arch.decisions if d.id == "cache.list-shelf-books")
    assert made.choice.startswith("no cache")
    assert made.inputs["hit_ratio"] == pytest.approx(hit)
    assert made.inputs["memory_bytes"] == pytest.approx(known["cache.bytes.list-shelf-books"])
    aside = next(a for a in made.alternatives if a.name == "cache-aside in Redis")
    assert f"{needed:.2%}" in aside.why_not
    assert not [c for c in arch.components if c.name == "redis" and "list shelf books" in c.use_cases]


def test_the_author_may_still_force_a_refused_cache_ok() -> None:
    """decisions: cache.<path>: force builds the cache the numbers refused, and the record keeps what the numbers chose."""
    forced = "decisions:\n  cache.list-shelf-books: {force: true, reason: the shelf page must answer in 5 ms}\n"
    arch = design_of(_spec(shelves="20M", list_rate="20k/s", list_stale="1s", decisions=forced))
    assert _plan(arch, "list shelf books") == "cache-aside"
    made = next(d for d in arch.decisions if d.id == "cache.list-shelf-books")
    assert made.decided_by == "spec"
    assert made.choice.startswith("cache-aside")
    assert any(a.name.startswith("no cache") for a in made.alternatives)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_spec(), id="paying"),
        pytest.param(_spec(shelves="20M", list_rate="20k/s", list_stale="1s"), id="refused"),
        pytest.param(_spec(books="3B", get_rate="3k/s", get_stale="3600s"), id="huge"),
    ],
)
def test_cache_figures_recompute_from_their_formulas_ok(text: str) -> None:
    """The hit ratio, memory (resident entries) and the threshold are what their printed formulas give."""
    arch = design_of(text)
    checked = [f for f in arch.figures if f.key.startswith(("cache.hit_ratio.", "cache.bytes.", "cache.min_hit_ratio."))]
    assert len(checked) >= 6
    for f in checked:
        assert recompute(f) == pytest.approx(f.value, rel=1e-6), f.key


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


def test_no_hit_ratio_under_the_operations_floor_pays_err() -> None:
    """Under 2 x 20,000 / (4 x 100,000 + 20,000) = 9.5% a cache costs more operations than the reads it removes, whatever its memory."""
    assert min_hit_ratio(1_000.0, 0.0) == pytest.approx(40_000 / 420_000)
    assert min_hit_ratio(0.0, 1.0) == float("inf")
