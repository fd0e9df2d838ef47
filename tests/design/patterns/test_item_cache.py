"""PAT001's item cache: pages of ids filled by id past one node's reads get a cache of the items the lists can reach."""

from __future__ import annotations

import math

import pytest

from backend_architect.design.patterns._cache_figures import HOT_SHARE
from backend_architect.design.patterns._common import PRIMARY_READ_CEILING, fmt
from backend_architect.design.patterns.feed import PAGES_KEPT
from backend_architect.ir.model import Architecture
from backend_architect.render.sequence import render_sequence
from design.formulas import recompute
from design.helpers import design_of

FEED = """\
system: {system}
team: {{size: 20}}
scale: {{users: {users}, rates: peak}}
entities:
  User: {{fields: {{handle: string(20)}}, rows: {users}}}
  Follow: {{fields: {{follower: ref(User), followee: ref(User)}}, rows: {follows}}}
  {item}:
    {mutability}
    fields: {{author: ref(User), body: {{type: text, avg_bytes: {body}}}}}
use_cases:
  - {{name: post, actor: user, kind: create, writes: [{item}], rate: {writes}, avg_fanout: {fanout}}}
  - name: home feed
    actor: user
    reads: [Follow, {item}]
    filter: [Follow.follower]
    sort: [-{item}.created_at]
    page: {{style: cursor, limit: {page}, max: 100}}
    rate: {reads}
    staleness: 5s
{extra}"""

EDIT = "  - {name: edit, actor: user, kind: update, owner_only: true, writes: [Note.body], rate: 200/s}\n"


def _feed(
    system: str = "pinboard",
    item: str = "Pin",
    users: str = "5M",
    follows: str = "200M",
    mutability: str = "append_only: true",
    body: int = 200,
    writes: str = "1k/s",
    fanout: int = 40,
    page: int = 20,
    reads: str = "4k/s",
    extra: str = "",
) -> str:
    return FEED.format(
        system=system,
        item=item,
        users=users,
        follows=follows,
        mutability=mutability,
        body=body,
        writes=writes,
        fanout=fanout,
        page=page,
        reads=reads,
        extra=extra,
    )


def _known(arch: Architecture) -> dict[str, float]:
    return {f.key: f.value for f in arch.figures}


@pytest.mark.parametrize(
    ("text", "item", "cached"),
    [
        pytest.param(_feed(), "Pin", True, id="pins-past-one-node"),
        pytest.param(
            _feed(system="chirps", item="Chirp", users="50M", follows="5B", writes="3k/s", fanout=100, page=50, reads="20k/s"), "Chirp", True, id="big-pages"
        ),
        pytest.param(_feed(system="notes", item="Note", mutability="rows: 10M", extra=EDIT), "Note", True, id="edited-items"),
        pytest.param(_feed(reads="600/s", fanout=60), "Pin", False, id="within-one-node"),
        pytest.param(_feed(body=30_000, users="50M", follows="1B", fanout=20, reads="1250/s"), "Pin", True, id="large-items-past-one-node"),
    ],
)
def test_pages_filled_past_one_node_get_an_item_cache_ok(text: str, item: str, cached: bool) -> None:
    """Page reads by id past one node get a cache of recent items, whatever its hit ratio; only its misses reach the database."""
    arch = design_of(text)
    known = _known(arch)
    feed = next(u for u in arch.caches if u.use_case == "home feed")
    assert feed.strategy == "read-model"
    hydration = next(f for f in arch.figures if f.key == "db.mechanism.hydrate_home-feed")
    asked = hydration.inputs["peak_reads"] * hydration.inputs["page_size"]
    hit = known.get("cache.items.hit_ratio.home-feed")
    assert (asked > PRIMARY_READ_CEILING) is cached
    assert (hit is not None) is cached
    assert hydration.value == pytest.approx(asked * (1 - hit) if hit is not None else asked)
    mechanism = next(m for m in arch.mechanisms if m.use_case == "home feed" and m.serves == "read")
    key = f"{item.lower()}:{{id}}"
    assert (key in mechanism.how) is cached
    made = next(d for d in arch.decisions if d.id == "feed.home-feed")
    assert (key in made.choice) is cached
    assert (key in feed.rationale) is cached
    redis = next(c for c in arch.components if c.name == "redis")
    if cached:
        assert redis.memory_bytes is not None
        assert redis.memory_bytes >= known["feed.bytes.home-feed"] + known["cache.items.bytes.home-feed"]
        assert f"{hit:.1%} hits" in feed.rationale
        # the record states the cache's numbers: its hit ratio, the reads it removes and its memory
        assert f"it answers {hit:.1%} of" in made.rationale
        assert f"taking {fmt(known['cache.items.db_reads_removed.home-feed'])} off the database" in made.rationale
    flow = next(f for f in arch.flows if f.use_case == "home feed")
    assert ("cache misses" in render_sequence(arch, flow)) is cached


def test_the_lists_reach_the_items_written_within_their_span_ok() -> None:
    """Reachable items = item writes x one list's span (keep entries at deliveries/readers a second) = keep x readers / followees."""
    arch = design_of(_feed())
    reach = next(f for f in arch.figures if f.key == "cache.items.reachable.home-feed")
    keep = 20 * PAGES_KEPT
    assert reach.value == pytest.approx(keep * 5_000_000 / 40)
    memory = next(f for f in arch.figures if f.key == "cache.items.bytes.home-feed")
    assert memory.inputs["keys"] == reach.value
    assert memory.value <= math.ceil(reach.value * HOT_SHARE) * memory.inputs["entry_bytes"]


def test_an_edited_item_is_invalidated_by_its_updates_ok() -> None:
    """Items that change are kept the feed's staleness and each update deletes its entry: the hit ratio counts those writes."""
    arch = design_of(_feed(system="notes", item="Note", mutability="rows: 10M", extra=EDIT))
    hit = next(f for f in arch.figures if f.key == "cache.items.hit_ratio.home-feed")
    assert hit.inputs["ttl_s"] == 5
    assert hit.inputs["writes_per_s"] == pytest.approx(200)
    pins = next(f for f in design_of(_feed()).figures if f.key == "cache.items.hit_ratio.home-feed")
    assert pins.inputs["ttl_s"] == 3_600
    assert pins.inputs["writes_per_s"] == 0


def test_a_processed_item_is_invalidated_by_the_media_workers_ok() -> None:
    """Items whose status the media workers set keep the long TTL and count the workers' writes (2 per post) in the hit ratio."""
    text = _feed(mutability="rows: 10M").replace(
        "body: {type: text, avg_bytes: 200}}", "body: {type: text, avg_bytes: 200}, image: {type: blob, avg_bytes: 1MB, media: {renditions: [thumb]}}}"
    )
    assert "image:" in text
    hit = next(f for f in design_of(text).figures if f.key == "cache.items.hit_ratio.home-feed")
    assert hit.inputs["ttl_s"] == 3_600
    assert hit.inputs["writes_per_s"] == pytest.approx(1_000 * 2)


def test_cache_false_keeps_the_pages_on_the_database_err() -> None:
    """A feed whose spec forbids caching (cache: false) gets no item cache: every row of every page is read from the database."""
    text = _feed().replace("    staleness: 5s\n", "    staleness: 5s\n    cache: false\n")
    arch = design_of(text)
    assert "cache.items.hit_ratio.home-feed" not in _known(arch)
    assert _known(arch)["db.mechanism.hydrate_home-feed"] == pytest.approx(4_000 * 20)


@pytest.mark.parametrize(
    "text", [pytest.param(_feed(), id="pins"), pytest.param(_feed(system="notes", item="Note", mutability="rows: 10M", extra=EDIT), id="notes")]
)
def test_item_cache_figures_recompute_from_their_formulas_ok(text: str) -> None:
    """Every item-cache figure and the hydration misses are what their printed formulas give."""
    arch = design_of(text)
    checked = [f for f in arch.figures if f.key.startswith("cache.items.") or f.key == "db.mechanism.hydrate_home-feed"]
    assert len(checked) == 5
    for f in checked:
        assert recompute(f) == pytest.approx(f.value, rel=1e-6), f.key


def test_losing_the_item_cache_counts_in_the_rebuild_ok() -> None:
    """The lists' Redis holds the item cache too: its loss sends the feed's reads and the item reads the cache removed to the database."""
    arch = design_of(_feed())
    known = _known(arch)
    rebuild = 4_000 + known["cache.items.db_reads_removed.home-feed"]
    assert rebuild > PRIMARY_READ_CEILING
    plan = arch.availability
    assert plan is not None
    assert plan.redundancy["redis"].endswith("x 3 copies")
    made = next(d for d in arch.decisions if d.id == "availability.stateful")
    # the database's own read capacity (the sizing's figure) judges the rebuild, not one node's ceiling
    database = made.choice.split("losing it sends ", 1)[1].split(" ", 1)[0]
    capacity = known[f"db.read_capacity.{database}"]
    assert f"the {rebuild:,.0f} reads/s it removes" in made.choice
    assert f"the {capacity:,.0f}/s its nodes serve" in made.choice
