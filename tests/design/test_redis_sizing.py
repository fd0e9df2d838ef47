"""One Redis sizing: the shared cluster's shards carry the sum of every operation the design sends it, beside its memory.

Specs of several shapes (presence alone; presence with pub/sub and rate limits; a cache-heavy
read path; a fanned-out feed; latest positions searched by distance): each states its terms, the
figure ``redis.ops.peak`` is their sum, and ``redis.shards`` is the larger of the operation and
memory needs, read by the cache record and the availability plan.
"""

from __future__ import annotations

import math

import pytest
from tests.design.formulas import recompute
from tests.design.helpers import design_of, spec_of

from backend_architect.design.analysis import analyse
from backend_architect.design.patterns._common import REDIS_NODE_BYTES, REDIS_NODE_OPS
from backend_architect.ir.model import Architecture, Figure
from backend_architect.render.markdown import render_markdown
from backend_architect.render.markdown_redis import term_meaning

PRESENCE_ONLY = """\
system: roster
scale: {rates: peak, concurrent_connections: 400k}
entities:
  Member:
    fields: {name: string(40), last_seen_at: datetime?}
    presence: {offline_after: 30s}
    rows: 2M
use_cases:
  - {name: see member last online, actor: member, kind: get, reads: [Member.last_seen_at], rate: 3k/s}
"""

LIVE_ROOMS = """\
system: rooms
team: {size: 20}
scale: {users: 5M, daily_active: 2M, rates: peak, concurrent_connections: 1.5M}
entities:
  Player: {fields: {handle: string(30), last_seen_at: datetime?}, rows: 5M, presence: {offline_after: 45s}}
  Room: {fields: {title: string(80)}, rows: 200k}
  Seat: {fields: {room: ref(Room), player: ref(Player)}, rows: 20M}
  Line: {fields: {room: ref(Room), author: ref(Player), text: string(500)}, growth: 50M/day}
use_cases:
  - {name: say line, actor: player, writes: [Line], rate: 3k/s, avg_fanout: 40, deliver: {mode: realtime, to: Line.room, subscribers: 1.5M}}
  - {name: list room lines, actor: player, reads: [Line], filter: [room], page: cursor, rate: 6k/s}
  - {name: view player, actor: player, kind: get, reads: [Player], online: true, rate: 2k/s}
"""

CATALOGUE = """\
system: shelf
scale: {rates: peak}
entities:
  Product: {fields: {title: string(120), price: decimal(10,2)}, rows: 3M}
use_cases:
  - {name: view product, actor: shopper, kind: get, reads: [Product], staleness: 5m, consistency: eventual, rate: 180k/s}
  - {name: edit product, actor: merchant, kind: update, writes: [Product], rate: 20/s}
"""

FEED = """\
system: pinboard
team: {size: 30}
scale: {users: 4M, daily_active: 1M, rates: peak}
entities:
  User: {fields: {handle: string(20)}, rows: 4M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 400M}
  Pin:
    append_only: true
    fields: {author: ref(User), caption: string(280)}
use_cases:
  - {name: post pin, actor: user, writes: [Pin], rate: 1k/s, avg_fanout: 300}
  - {name: follow user, actor: user, writes: [Follow], rate: 40/s}
  - name: read home
    actor: user
    reads: [Follow, Pin]
    filter: [Follow.follower]
    sort: [-Pin.created_at]
    rate: 8k/s
    staleness: 5s
"""

#: A feed whose pages (30 ids) are filled by id past one node's reads: an item cache in the lists' Redis; its items are edited.
HYDRATED = """\
system: clipboard
team: {size: 30}
scale: {users: 20M, daily_active: 5M, rates: peak}
entities:
  User: {fields: {handle: string(20)}, rows: 20M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 2B}
  Clip: {fields: {author: ref(User), caption: string(280)}}
use_cases:
  - {name: post clip, actor: user, kind: create, writes: [Clip], rate: 2k/s, avg_fanout: 100}
  - {name: edit clip, actor: user, kind: update, owner_only: true, writes: [Clip.caption], rate: 50/s}
  - name: read home
    actor: user
    reads: [Follow, Clip]
    filter: [Follow.follower]
    sort: [-Clip.created_at]
    page: {style: cursor, limit: 30, max: 100}
    rate: 40k/s
    staleness: 5s
"""

#: Short codes resolved beside the service: the resolve cache in Redis, one key a code (too many hot codes for an L1).
LINKS = """\
system: hops
scale: {users: 8M, rates: peak}
entities:
  Hop:
    key: short_code
    fields: {title: string(120), url: url}
    rows: 500M
use_cases:
  - {name: shorten hop, actor: user, writes: [Hop], rate: 200/s}
  - {name: open hop, actor: user, kind: get, reads: [Hop], rate: 30k/s}
"""

#: A few hot rows read far more often than they change: an L1 in each instance, invalidated over pub/sub on each toggle.
FLAGS = """\
system: toggles
scale: {users: 3M, rates: peak}
entities:
  Toggle: {fields: {name: string(40), enabled: bool}, rows: 150}
use_cases:
  - {name: view toggle, actor: user, kind: get, reads: [Toggle], staleness: 30s, consistency: eventual, rate: 40k/s}
  - {name: switch toggle, actor: admin, kind: update, writes: [Toggle.enabled], rate: 3/s}
"""

#: A latest position found by learner and track (not by its id): a lookup key set by each create, read before the value.
PROGRESS = """\
system: lessons
scale: {users: 2M, daily_active: 500k, rates: peak}
entities:
  Learner: {fields: {name: string(80)}, rows: 2M}
  Track: {fields: {title: string(200)}, rows: 20k}
  Progress:
    fields: {learner: ref(Learner), track: ref(Track), position_s: int}
    rows: 40M
use_cases:
  - {name: start track, actor: learner, kind: create, writes: [Progress], rate: 300/s}
  - {name: save position, actor: learner, kind: update, writes: [Progress.position_s], latest: true, rate: 20k/s}
  - {name: resume track, actor: learner, kind: get, reads: [Progress], filter: [learner, track], rate: 2k/s}
"""

FLEET = """\
system: fleet
scale: {rates: peak}
entities:
  Van:
    fields: {plate: string(12), location: geo?}
    rows: 300k
use_cases:
  - {name: report van position, actor: van, kind: update, writes: [Van.location], latest: true, rate: 60k/s}
  - {name: find vans near, actor: dispatcher, reads: [Van], near: Van.location, radius: 3km, rate: 400/s}
"""

#: Each shape and the terms its sizing must name (by prefix): the mechanisms that send Redis work.
SHAPES = {
    "presence-only": (PRESENCE_ONLY, {"presence_heartbeats", "presence_lookups"}),
    "presence-pubsub-rate-limits": (LIVE_ROOMS, {"presence_heartbeats", "presence_lookups", "pubsub_publishes", "pubsub_node_deliveries", "rate_limit_checks"}),
    "cache-heavy-read": (CATALOGUE, {"cache_gets_", "cache_sets_"}),
    "feed": (FEED, {"feed_reads_", "feed_writes_", "feed_trims_"}),
    "feed-hydrated-from-an-item-cache": (
        HYDRATED,
        {"feed_reads_", "feed_writes_", "feed_trims_", "item_cache_gets_", "item_cache_fills_", "item_cache_deletes_"},
    ),
    "latest-and-geo": (FLEET, {"latest_writes_", "geo_searches_"}),
    "latest-by-lookup": (PROGRESS, {"latest_writes_", "latest_reads_", "latest_lookup_sets_"}),
    "short-codes": (LINKS, {"cache_gets_", "cache_sets_", "rate_limit_checks"}),
    "hot-rows-with-an-l1": (FLAGS, {"cache_gets_", "cache_deletes_", "l1_invalidations_", "l1_invalidation_deliveries_"}),
}
DESIGNED = {name: design_of(text) for name, (text, _) in SHAPES.items()}


def _figure(arch: Architecture, key: str) -> Figure:
    return next(f for f in arch.figures if f.key == key)


@pytest.mark.parametrize("name", SHAPES)
def test_redis_operations_are_the_sum_of_every_mechanisms_terms_ok(name: str) -> None:
    """``redis.ops.peak`` is the sum of its terms, and every mechanism the shape runs on Redis is one of them."""
    arch = DESIGNED[name]
    ops = _figure(arch, "redis.ops.peak")
    assert ops.formula.startswith("sum of ")
    assert ops.value == pytest.approx(sum(ops.inputs.values()))
    for wanted in SHAPES[name][1]:
        assert any(term.startswith(wanted) and value > 0 for term, value in ops.inputs.items()), (wanted, sorted(ops.inputs))


@pytest.mark.parametrize("name", SHAPES)
def test_redis_shards_carry_the_operations_and_the_memory_ok(name: str) -> None:
    """Shards = max(1, ceil(ops / per-shard ops), ceil(memory / per-shard memory)), and the cache record states that count."""
    arch = DESIGNED[name]
    ops, shards = _figure(arch, "redis.ops.peak"), _figure(arch, "redis.shards")
    memory = shards.inputs["memory_bytes"]
    assert shards.value == max(1, math.ceil(ops.value / REDIS_NODE_OPS), math.ceil(memory / REDIS_NODE_BYTES))
    assert shards.value * REDIS_NODE_OPS >= ops.value
    cache = next(d for d in arch.decisions if d.id == "cache")
    assert f"({int(shards.value)} shard(s) x " in cache.context, cache.context


def test_presence_heartbeat_is_two_operations_ok() -> None:
    """A heartbeat refreshes the online key (SET ... EX) and the last-seen field (HSET): two operations each."""
    ops = _figure(DESIGNED["presence-only"], "redis.ops.peak")
    # 400,000 connections beating every 30 s / 3 (10 s): 40,000 heartbeats/s, 80,000 operations/s
    assert ops.inputs["presence_heartbeats"] == pytest.approx(2 * 400_000 / 10)


def test_rate_limit_checks_are_one_per_limited_request_ok() -> None:
    """Rate-limit buckets in Redis are checked once per request of every limited route."""
    arch = DESIGNED["presence-pubsub-rate-limits"]
    assert arch.security is not None
    limited = {name for limit in arch.security.rate_limits for name in limit.use_cases}
    peaks = {u.name: u.peak_qps for u in analyse(spec_of(LIVE_ROOMS)).use_cases}
    ops = _figure(arch, "redis.ops.peak")
    assert limited
    assert ops.inputs["rate_limit_checks"] == pytest.approx(sum(peaks[name] for name in limited))


def test_cache_aside_counts_a_get_per_read_and_a_set_per_miss_ok() -> None:
    """A cache-aside path sends a GET per read and a SET per miss: together more than the reads, fewer than twice them."""
    ops = _figure(DESIGNED["cache-heavy-read"], "redis.ops.peak")
    assert ops.inputs["cache_gets_view-product"] == pytest.approx(180_000)
    assert 0 < ops.inputs["cache_sets_view-product"] < 180_000
    assert _figure(DESIGNED["cache-heavy-read"], "redis.shards").value >= 2


def test_no_redis_no_redis_figures_ok() -> None:
    """A design without Redis states no Redis sizing."""
    arch = design_of(
        "system: tiny\nscale: {rates: peak}\nentities:\n  Note: {fields: {body: string(200)}, rows: 1k}\n"
        "use_cases:\n  - {name: view note, actor: user, kind: get, reads: [Note], rate: 1/s}\n"
    )
    assert not any(f.key.startswith("redis.") for f in arch.figures)


def test_a_proximity_search_is_counted_once_ok() -> None:
    """A GEOSEARCH over latest positions is one term (the search's), not a latest-value read as well."""
    ops = _figure(DESIGNED["latest-and-geo"], "redis.ops.peak")
    assert ops.inputs["geo_searches_find-vans-near"] == pytest.approx(400)
    assert ops.inputs["latest_writes_van"] == pytest.approx(60_000)
    assert ops.inputs.get("latest_reads_van", 0.0) == 0.0


@pytest.mark.parametrize("name", SHAPES)
def test_redis_operations_name_each_term_in_the_formula_ok(name: str) -> None:
    """The formula names every term it sums and evaluates to the figure; each term says what one operation of it is."""
    ops = _figure(DESIGNED[name], "redis.ops.peak")
    assert "one per key read or written" in ops.formula
    for term in ops.inputs:
        assert term in ops.formula, term
        assert term_meaning(term), term
    assert recompute(ops) == pytest.approx(ops.value)


@pytest.mark.parametrize("name", SHAPES)
def test_design_md_lists_each_redis_term_with_its_value_ok(name: str) -> None:
    """The caching section tables every term of the sum, so the total can be checked against the commands."""
    arch = DESIGNED[name]
    text = render_markdown(arch, []).split("## Caching", 1)[1].split("\n## ", 1)[0]
    ops = _figure(arch, "redis.ops.peak")
    for term in ops.inputs:
        assert f"| {term} |" in text, term


def test_item_cache_counts_one_operation_per_id_of_each_page_ok() -> None:
    """A page's multi-get of 30 ids is 30 GETs; a miss fills one key; an edit deletes one; a delivery is a push and a trim."""
    arch = DESIGNED["feed-hydrated-from-an-item-cache"]
    ops, known = _figure(arch, "redis.ops.peak"), {f.key: f.value for f in arch.figures}
    hit = known["cache.items.hit_ratio.read-home"]
    assert ops.inputs["item_cache_gets_read-home"] == pytest.approx(40_000 * 30)
    assert ops.inputs["item_cache_fills_read-home"] == pytest.approx(40_000 * 30 * (1 - hit))
    assert ops.inputs["item_cache_deletes_read-home"] == pytest.approx(50)
    # the reads the cache removes are counted in the same unit: item rows, the hits among the GETs
    assert known["cache.items.db_reads_removed.read-home"] == pytest.approx(ops.inputs["item_cache_gets_read-home"] * hit)
    assert ops.inputs["feed_writes_read-home"] == ops.inputs["feed_trims_read-home"] == pytest.approx(2_000 * 100)
    assert ops.inputs["feed_reads_read-home"] == pytest.approx(40_000)


def test_append_only_items_delete_no_cached_item_ok() -> None:
    """Items never changed once written delete no cache entry: no delete term, for the item cache or a plain cache-aside."""
    ops = _figure(DESIGNED["feed"], "redis.ops.peak")
    assert not any(term.startswith(("item_cache_deletes_", "cache_deletes_")) for term in ops.inputs), sorted(ops.inputs)


def test_cache_aside_deletes_a_key_per_invalidating_write_ok() -> None:
    """Each write to a cached entity deletes its key: one DEL per write, beside a GET per read and a SET per miss."""
    arch = DESIGNED["cache-heavy-read"]
    ops = _figure(arch, "redis.ops.peak")
    hit = next(f.value for f in arch.figures if f.key == "cache.hit_ratio.view-product")
    assert ops.inputs["cache_deletes_view-product"] == pytest.approx(20)
    assert ops.inputs["cache_sets_view-product"] == pytest.approx(180_000 * (1 - hit))


@pytest.mark.parametrize("name", SHAPES)
def test_redis_past_one_shard_is_a_bottleneck_row_ok(name: str) -> None:
    """Past one shard's operations the bottlenecks name the shared Redis, its share of the sized shards and its largest term."""
    arch = DESIGNED[name]
    ops, shards = _figure(arch, "redis.ops.peak"), _figure(arch, "redis.shards")
    rows = [b for b in arch.bottlenecks if b.title == "Operations on the shared Redis"]
    if ops.value <= REDIS_NODE_OPS:
        assert rows == []
        return
    (row,) = rows
    term = max(ops.inputs, key=lambda t: (ops.inputs[t], t))
    assert row.figure == "redis.ops.peak"
    assert f"{ops.value / (shards.value * REDIS_NODE_OPS):.0%} of {shards.value:,.0f} shard(s)" in row.trigger
    assert term in row.trigger


@pytest.mark.parametrize("name", SHAPES)
def test_every_redis_term_is_an_operation_count_ok(name: str) -> None:
    """No term is negative: what an in-process cache answers leaves the GETs that still reach Redis, never less than none."""
    ops = _figure(DESIGNED[name], "redis.ops.peak")
    assert all(value >= 0 for value in ops.inputs.values()), ops.inputs


def test_a_short_code_resolve_cache_counts_its_operations_per_code_ok() -> None:
    """The resolve cache states a GET per resolution and a SET per miss; its record counts one key a code, so no in-process
    cache is taken for one hot key that 500M codes are not."""
    arch = DESIGNED["short-codes"]
    ops, known = _figure(arch, "redis.ops.peak"), {f.key: f.value for f in arch.figures}
    record = next(d for d in arch.decisions if d.id == "cache.open-hop")
    assert record.inputs["keys"] == pytest.approx(500e6)
    assert "cache.l1.redis_reads_removed.open-hop" not in known
    assert ops.inputs["cache_gets_open-hop"] == pytest.approx(30_000)
    assert ops.inputs["cache_sets_open-hop"] == pytest.approx(30_000 * (1 - known["cache.hit_ratio.open-hop"]))


def test_an_l1_invalidation_is_published_once_and_delivered_to_each_instance_ok() -> None:
    """Each write deleting the key publishes it once; Redis writes the message out to every instance holding an L1."""
    arch = DESIGNED["hot-rows-with-an-l1"]
    ops, known = _figure(arch, "redis.ops.peak"), {f.key: f for f in arch.figures}
    instances = known["cache.l1.hit_ratio.view-toggle"].inputs["instances"]
    assert ops.inputs["l1_invalidations_view-toggle"] == pytest.approx(ops.inputs["cache_deletes_view-toggle"]) == pytest.approx(3)
    assert ops.inputs["l1_invalidation_deliveries_view-toggle"] == pytest.approx(3 * instances)
    assert ops.inputs["cache_gets_view-toggle"] == pytest.approx(40_000 - known["cache.l1.redis_reads_removed.view-toggle"].value)


def test_a_read_by_lookup_reads_two_keys_and_each_create_sets_one_ok() -> None:
    """A latest value found by other columns than its id reads its lookup key, then the value: two operations a read; each
    create sets the lookup key once."""
    ops = _figure(DESIGNED["latest-by-lookup"], "redis.ops.peak")
    assert ops.inputs["latest_reads_progress"] == pytest.approx(2 * 2_000)
    assert ops.inputs["latest_lookup_sets_progress"] == pytest.approx(300)
    assert ops.inputs["latest_writes_progress"] == pytest.approx(20_000)
