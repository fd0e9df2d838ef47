"""PAT060: an in-process cache (L1) in front of Redis (L2) where a path's hot keys make the shared cache the cost, and only there."""

from __future__ import annotations

import pytest

from design.helpers import design_of

SPEC = """\
system: shop
scale: {{rates: peak}}
entities:
  Category:
    fields: {{name: string(50)}}
    rows: {categories}
  Product:
    fields: {{name: string(100), category: ref(Category)}}
    rows: {products}
use_cases:
  - {{name: list categories, actor: shopper, kind: list, reads: Category, rate: {menu}, staleness: 60s}}
  - {{name: view product, actor: shopper, kind: get, reads: Product, rate: {product}, staleness: 30s}}
  - {{name: edit product, actor: staff, kind: update, writes: Product, rate: 1/s}}
  - {{name: add category, actor: staff, kind: create, writes: Category, rate: 1/s}}
{extra}
"""


def _shop(menu: str = "60/s", product: str = "60/s", products: str = "1M", categories: str = "200", extra: str = "") -> str:
    return SPEC.format(menu=menu, product=product, products=products, categories=categories, extra=extra)


@pytest.mark.parametrize(
    ("menu", "layered"),
    [
        pytest.param("999/s", False, id="below-the-redis-round-trips"),
        pytest.param("1000/s", True, id="at-the-threshold"),
        pytest.param("8000/s", True, id="far-above"),
    ],
)
def test_one_hot_key_read_by_every_instance_gets_an_l1_ok(menu: str, layered: bool) -> None:
    """A list everyone reads (one key) gets an L1 once Redis serves 1,000 reads/s of it; the plan carries the L1's TTL and size."""
    arch = design_of(_shop(menu=menu))
    plan = next(c for c in arch.caches if c.use_case == "list categories")
    assert plan.strategy == "cache-aside"
    assert (plan.l1_ttl_seconds is not None) is layered
    made = next((d for d in arch.decisions if d.id == "cache.l1.list-categories"), None)
    assert (made is not None) is layered
    if layered:
        assert made is not None
        assert made.pattern == "PAT060"
        assert "L1" in made.choice
        assert "Redis (L2)" in made.choice
        assert plan.l1_ttl_seconds == 5
        assert plan.l1_entries == 1
        assert "pub/sub" in plan.invalidation
        hit = next(f for f in arch.figures if f.key == "cache.l1.hit_ratio.list-categories")
        n = hit.inputs["key_reads"] / hit.inputs["instances"] * hit.inputs["l1_ttl_s"]
        w = hit.inputs["writes_per_s"] * hit.inputs["l1_ttl_s"] / hit.inputs["hot_keys"]
        assert hit.value == pytest.approx(hit.inputs["share"] * n / (n + 1 + w))
        assert "pub/sub invalidation" in next(c for c in arch.components if c.name == "redis").purpose
    else:
        note = next(n for n in arch.pattern_notes if n.pattern == "PAT060" and n.subject == "list categories")
        assert "Redis alone serves it" in note.reason


def test_a_hot_set_larger_than_an_instance_stays_in_redis_err() -> None:
    """A get over many rows read fast has a hot set (a fifth of its keys) far beyond an instance's 256 MiB: no L1, and the note says why."""
    arch = design_of(_shop(product="20000/s", products="10M"))
    plan = next(c for c in arch.caches if c.use_case == "view product")
    assert plan.strategy == "cache-aside"
    assert plan.l1_ttl_seconds is None
    note = next(n for n in arch.pattern_notes if n.pattern == "PAT060" and n.subject == "view product")
    assert "does not fit" in note.reason


def test_spread_reads_that_an_instance_would_rarely_repeat_stay_in_redis_err() -> None:
    """Thousands of reads/s over a hot set that fits, but each instance sees a key too rarely within the L1 TTL: Redis alone."""
    arch = design_of(_shop(product="3000/s", products="200k"))
    plan = next(c for c in arch.caches if c.use_case == "view product")
    assert plan.l1_ttl_seconds is None
    note = next(n for n in arch.pattern_notes if n.pattern == "PAT060" and n.subject == "view product")
    assert "would answer" in note.reason


def test_forbidding_the_l1_keeps_redis_alone_and_says_who_decided_ok() -> None:
    """``decisions: cache.l1.<use case>: forbid`` removes the L1 the numbers chose; the record names the author and keeps the numbers' choice."""
    extra = "decisions:\n  cache.l1.list-categories: {forbid: true, reason: one cache to reason about}\n"
    arch = design_of(_shop(menu="8000/s", extra=extra))
    plan = next(c for c in arch.caches if c.use_case == "list categories")
    assert plan.l1_ttl_seconds is None
    made = next(d for d in arch.decisions if d.id == "cache.l1.list-categories")
    assert made.decided_by == "spec"
    assert made.choice.startswith("Redis alone")
    assert any("two levels" in a.name for a in made.alternatives)


def test_forcing_the_l1_builds_it_below_the_numbers_ok() -> None:
    """``force`` builds the L1 on a path the numbers leave in Redis; the record says the author decided it."""
    extra = "decisions:\n  cache.l1.list-categories: {force: true, reason: the menu is on every page}\n"
    arch = design_of(_shop(menu="200/s", extra=extra))
    plan = next(c for c in arch.caches if c.use_case == "list categories")
    assert plan.l1_ttl_seconds == 5
    made = next(d for d in arch.decisions if d.id == "cache.l1.list-categories")
    assert made.decided_by == "spec"
    assert "L1" in made.choice


def test_l1_figures_recompute_from_their_formulas_ok() -> None:
    """Every figure the L1 adds evaluates from its printed formula and inputs to its value."""
    from design.formulas import recompute

    arch = design_of(_shop(menu="8000/s", product="20000/s", products="1000"))
    added = [f for f in arch.figures if f.key.startswith(("cache.l1.", "cache.key_reads."))]
    assert len(added) >= 8
    for figure in added:
        assert recompute(figure) == pytest.approx(figure.value), figure.key


PAGES = """\
system: wiki
scale: {{rates: peak}}
entities:
  Article: {{fields: {{title: string(120)}}, rows: {rows}}}
use_cases:
  - {{name: read article, actor: visitor, auth: none, kind: get, reads: Article, rate: {rate}, staleness: {stale}}}
  - {{name: edit article, actor: editor, kind: update, writes: Article.title, rate: 2/s}}
"""


@pytest.mark.parametrize(
    ("rows", "rate", "stale"),
    [
        pytest.param("500k", "10k/s", "5s", id="hot-set-fits-few-reads-per-key"),
        pytest.param("20M", "50k/s", "2s", id="hot-set-too-big"),
        pytest.param("400k", "3k/s", "10s", id="fewer-instances"),
    ],
)
def test_behind_a_cdn_the_l1_weighs_the_reads_it_passes_on_ok(rows: str, rate: str, stale: str) -> None:
    """A CDN that does not settle a path leaves a shared cache behind it: PAT060 weighs that cache's reads (the CDN's misses), not the path's peak."""
    arch = design_of(PAGES.format(rows=rows, rate=rate, stale=stale))
    plan = next(c for c in arch.caches if c.use_case == "read article")
    assert plan.strategy == "cdn"
    assert plan.origin_ttl_seconds is not None
    reaching = next(f.value for f in arch.figures if f.key == "cache.origin.reads.read-article")
    made = next((d for d in arch.decisions if d.id == "cache.l1.read-article"), None)
    note = next((n for n in arch.pattern_notes if n.pattern == "PAT060" and n.subject == "read article"), None)
    assert (made is None) != (note is None)
    said = made.rationale if made is not None else note.reason if note is not None else ""
    if "does not fit" not in said:
        # the key's reads come from what reaches Redis, whichever way the verdict goes
        assert "the reads the CDN in front passes on" in said
        assert f"{reaching:,.0f}" in said


CLIPS = """\
system: clips
scale: {{rates: peak}}
entities:
  Clip:
    key: short_code
    fields: {{title: string(120)}}
    rows: {rows}
use_cases:
  - {{name: add clip, writes: [Clip], rate: 1/s}}
  - {{name: open clip, kind: get, reads: [Clip], rate: {rate}}}
"""


@pytest.mark.parametrize(
    ("rows", "rate", "hot", "built"),
    [
        pytest.param("1", "20k/s", 1, True, id="one-key-every-read-hits-it"),
        pytest.param("5k", "20k/s", 1_000, False, id="1000-hot-keys-an-instance-rarely-repeats"),
        pytest.param("500", "2M/s", 100, True, id="100-hot-keys-each-past-a-shard"),
        pytest.param("150M", "35k/s", 30_000_000, False, id="30M-hot-keys-do-not-fit-an-instance"),
    ],
)
def test_l1_rates_itself_on_the_keys_its_shared_cache_holds_ok(rows: str, rate: str, hot: int, built: bool) -> None:
    """A resolve path by short code (its own cache record): the L1 takes the hot keys its shared cache's hit ratio counts, never one
    by default; its ratio is the held share x the ratio every cache states over those keys, and a hot set that does not fit is not built."""
    from backend_architect.design.patterns._cache_figures import hit_ratio

    arch = design_of(CLIPS.format(rows=rows, rate=rate))
    shared = next(f for f in arch.figures if f.key == "cache.hit_ratio.open-clip")
    assert shared.inputs["hot_keys"] == hot
    plan = next(c for c in arch.caches if c.use_case == "open clip")
    l1 = next((f for f in arch.figures if f.key == "cache.l1.hit_ratio.open-clip"), None)
    assert (l1 is not None) is built
    if l1 is None:
        note = next(n for n in arch.pattern_notes if n.pattern == "PAT060" and n.subject == "open clip")
        assert f"{hot:,}" in note.reason or "would answer" in note.reason
        assert plan.l1_entries is None
        return
    assert plan.l1_entries == hot
    assert l1.inputs["hot_keys"] == hot
    share = l1.inputs["share"]
    assert share == (1.0 if rows == "1" else 0.8)
    peak = shared.inputs["peak"]
    expected = share * hit_ratio(peak * share / l1.inputs["instances"], l1.inputs["l1_ttl_s"], hot, l1.inputs["writes_per_s"])
    assert l1.value == pytest.approx(expected)
    assert l1.value <= share


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(_shop(menu="8000/s", product="20000/s", products="1000"), id="cache-aside-menu-and-items"),
        pytest.param(_shop(menu="60/s", product="400000/s", products="2000"), id="cache-aside-items-past-a-shard"),
        pytest.param(CLIPS.format(rows="500", rate="2M/s"), id="short-code-resolve-cache"),
    ],
)
def test_every_l1_holds_the_hot_keys_its_shared_cache_counts_ok(source: str) -> None:
    """Each L1's entries, memory and ratio count the hot keys of the shared cache behind it (cache-aside of one key or of items, a resolve cache)."""
    arch = design_of(source)
    known = {f.key: f for f in arch.figures}
    layered = [c for c in arch.caches if c.l1_entries]
    assert layered
    for plan in layered:
        uid = plan.use_case.replace(" ", "-")
        shared = known.get(f"cache.origin.hit_ratio.{uid}") if plan.strategy == "cdn" else known.get(f"cache.hit_ratio.{uid}")
        assert shared is not None
        assert plan.l1_entries == shared.inputs["hot_keys"]
        assert known[f"cache.l1.hit_ratio.{uid}"].inputs["hot_keys"] == shared.inputs["hot_keys"]
        assert known[f"cache.l1.bytes.{uid}"].inputs["hot_keys"] == shared.inputs["hot_keys"]
