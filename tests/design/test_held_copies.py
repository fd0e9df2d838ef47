"""The normalization record names exactly the copies the design holds, each with the rate that kept it, and announces none
the DDL lacks.

Specs of different shapes: a list showing its parent's fields at a hot rate (served by its join, no copy), writes checking
another service's ids past the copy threshold (an event-fed copy of ids), a feed filtered through another service's graph
(an event-fed copy of pairs), a counter beside a cross-service copy (two exceptions), and a small spec where nothing
qualifies.
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import spec_of

from backend_architect.design.analysis import analyse
from backend_architect.design.held_copies import held_copies, own_fact_tables
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.ir.model import Architecture, Decision
from backend_architect.spec.model import Spec

#: A league: the roster lists players with their team's name and colours, hot and tight: a join candidate.
ROSTER = """
system: league
entities:
  Team: {fields: {name: string(60), colours: string(40)}, rows: 2k}
  Player: {fields: {team: ref(Team), name: string(80), number: int}, rows: 60k}
use_cases:
  - {name: sign player, actor: coach, writes: [Player], rate: 2/min}
  - {name: rename team, actor: coach, writes: [Team.name], rate: 1/day}
  - {name: team roster, actor: fan, reads: [Player, Team], filter: [team], rate: 4k/s, latency_ms: 30}
"""

#: Tickets name a concert the catalog owns, booked well past the copy threshold.
TICKETS = """
system: box-office
team: {size: 30}
services:
  catalog: {owns: [Concert]}
  sales: {owns: [Fan, Ticket]}
entities:
  Concert: {fields: {title: string(120), starts_at: datetime}, rows: 50k}
  Fan: {fields: {email: {type: email, unique: true}}, rows: 5M}
  Ticket: {fields: {fan: ref(Fan), concert: ref(Concert), seat: string(8)}}
use_cases:
  - {name: announce concert, actor: promoter, writes: [Concert], rate: 20/day}
  - {name: buy ticket, actor: fan, writes: [Ticket], rate: 3000/s}
  - {name: concert tickets, actor: promoter, reads: [Ticket], filter: [concert], rate: 2/s}
"""

#: Readers follow blogs in one service; the posts service serves a feed filtered by the follows: a copy of the pairs.
BLOGS = """\
system: blogroll
team: {size: 40}
scale: {users: 10M, daily_active: 2M, rates: peak}
entities:
  Reader: {fields: {handle: string(30)}, rows: 10M}
  Subscription: {fields: {reader: ref(Reader), writer: ref(Reader)}, rows: 300M}
  Entry:
    append_only: true
    fields: {writer: ref(Reader), body: string(2000)}
use_cases:
  - {name: publish entry, actor: reader, writes: [Entry], rate: 2k/s, avg_fanout: 50}
  - {name: subscribe, actor: reader, writes: [Subscription], rate: 150/s}
  - {name: unsubscribe, actor: reader, kind: delete, writes: [Subscription], rate: 50/s}
  - name: reading list
    actor: reader
    reads: [Entry]
    filter: [Subscription.reader]
    sort: [-Entry.created_at]
    rate: 50k/s
    staleness: 10s
"""

#: A store keeping a product's review count, with orders checking another service's products past the threshold.
SHOP = """
system: corner-shop
team: {size: 30}
services:
  catalog: {owns: [Item, Review]}
  checkout: {owns: [Buyer, Purchase]}
entities:
  Item:
    fields:
      name: string(80)
      review_count: {type: int, default: 0, generated: true}
    rows: 100k
  Review: {fields: {item: ref(Item), stars: int}, rows: 2M}
  Buyer: {fields: {email: {type: email, unique: true}}, rows: 1M}
  Purchase: {fields: {buyer: ref(Buyer), item: ref(Item), qty: int}}
use_cases:
  - {name: add item, actor: clerk, writes: [Item], rate: 10/min}
  - {name: review item, actor: buyer, kind: create, writes: [Review], rate: 5/s}
  - {name: show item, actor: buyer, reads: [Item], rate: 200/s}
  - {name: buy item, actor: buyer, writes: [Purchase], rate: 2500/s}
"""

#: Cookbooks sharded with their recipes, read by their owner too: a by-owner lookup keeps that read on one shard.
KITCHEN = """\
system: kitchen-wiki
team: {size: 6}
scale: {rates: average, peak_factor: 3, retention_years: 5}
entities:
  Cook: {fields: {name: string(80)}, rows: 8M}
  Cookbook:
    fields: {owner: ref(Cook), title: string(200), preface: {type: text, avg_bytes: 3000}, last_recipe_at: datetime?}
    rows: 900M
    growth: 1M/day
  Recipe:
    fields: {cookbook: ref(Cookbook), steps: {type: text, avg_bytes: 2500}}
    growth: 80M/day
use_cases:
  - {name: open cookbook, writes: [Cookbook], rate: 1M/day}
  - {name: read cookbook, kind: get, reads: [Cookbook], rate: 150M/day}
  - {name: my cookbooks, reads: [Cookbook], filter: [owner], sort: [-created_at], page: cursor, rate: 40M/day}
  - {name: add recipe, writes: [Recipe, Cookbook.last_recipe_at], rate: 80M/day}
  - {name: recipes in cookbook, reads: [Recipe], filter: [cookbook], page: cursor, rate: 300M/day}
  - {name: popular cookbooks, reads: [Recipe], top: {by: count, field: cookbook, k: 20, window: 1d}, rate: 500/s}
"""

#: A radio's hourly chart: a ranking snapshot the database holds (a read model), refreshed from the plays.
CHARTS = """
system: radio-charts
entities:
  Song: {fields: {title: string(120), artist: string(120)}, rows: 2M}
  Play: {append_only: true, fields: {song: ref(Song), listener: string(40)}, growth: 3M/day}
use_cases:
  - {name: add song, actor: editor, writes: [Song], rate: 500/day}
  - {name: record play, actor: player, writes: [Play], rate: 3M/day}
  - {name: hourly chart, actor: listener, reads: [Play], top: {by: count, field: song, k: 40, window: 1h}, rate: 300/s}
"""

#: Listings sharded by seller with a unique SKU: a uniqueness table holds the SKUs across the shards.
CLASSIFIEDS = """
system: classifieds
scale: {rates: average, peak_factor: 3, retention_years: 5}
entities:
  Seller: {fields: {name: string(80)}, rows: 20M}
  Listing:
    fields: {seller: ref(Seller), sku: {type: string(32), unique: true}, title: string(200), body: {type: text, avg_bytes: 4000}}
    rows: 2G
    growth: 5M/day
use_cases:
  - {name: post listing, actor: seller, writes: [Listing], rate: 5M/day}
  - {name: my listings, actor: seller, reads: [Listing], filter: [seller], page: cursor, rate: 200M/day}
  - {name: listing by sku, actor: buyer, kind: get, reads: [Listing], filter: [sku], rate: 20M/day}
"""

#: A lending library at a few requests a second: nothing earns a copy.
LIBRARY = """
system: parish-library
entities:
  Book: {fields: {title: string(200), isbn: {type: string(13), unique: true}}, rows: 20k}
  Loan: {fields: {book: ref(Book), borrower: string(80), due: date}, rows: 100k}
use_cases:
  - {name: lend book, actor: librarian, writes: [Loan], rate: 300/day}
  - {name: loans of book, actor: librarian, reads: [Loan, Book], filter: [book], rate: 2/s}
"""

#: (spec, the copy tables the DDL holds, the counters) per shape; a ranking kept in Redis (the kitchen's) is not in the database.
SHAPES = [
    pytest.param(ROSTER, set[str](), [], id="parent-fields-list-served-by-its-join"),
    pytest.param(TICKETS, {"known_concerts"}, [], id="cross-service-check-past-threshold"),
    pytest.param(BLOGS, {"known_subscriptions", "subscriptions_per_writer", "known_subscriptions_per_writer"}, [], id="feed-through-another-services-graph"),
    pytest.param(SHOP, {"known_items"}, ["Item.review_count"], id="counter-beside-a-copy"),
    pytest.param(KITCHEN, {"cookbooks_by_owner_id"}, [], id="owner-read-of-a-sharded-table-keeps-a-lookup"),
    pytest.param(CHARTS, {"plays_top_song_id"}, [], id="ranking-snapshot-in-the-database"),
    pytest.param(CLASSIFIEDS, {"listings_sku_keys"}, [], id="unique-key-of-a-sharded-table"),
    pytest.param(LIBRARY, set[str](), [], id="nothing-qualifies"),
]

BASE = "third normal form: each fact stored once in the database (read models and caches outside it are listed with their writers)"


def _design(text: str) -> tuple[Architecture, Decision]:
    arch, _ = design_with_analysis(spec_of(text))
    return arch, next(d for d in arch.decisions if d.id == "normalization")


def _copy_tables(spec: Spec, arch: Architecture) -> dict[str, set[str]]:
    """Copy table -> the datastores holding it: every table the DDL holds that no entity, many-to-many link, renditions or
    messaging guarantee owns (a local copy, a by-owner lookup, a read model, a uniqueness table, a count a fan-out cut-off reads)."""
    own = own_fact_tables(spec, arch)
    found: dict[str, set[str]] = {}
    for store in arch.datastores:
        for table in (t for t in store.tables if t.name not in own):
            found.setdefault(table.name, set()).add(store.name)
    return found


@pytest.mark.parametrize(("text", "copies", "counters"), SHAPES)
def test_the_record_names_exactly_the_copies_held_ok(text: str, copies: set[str], counters: list[str]) -> None:
    """Every copy table the DDL holds is named in the record with its datastore, and the record names no copy table it lacks."""
    arch, record = _design(text)
    held = _copy_tables(spec_of(text), arch)
    assert set(held) == copies, held
    for table, stores in held.items():
        for store in stores:
            assert f"{table} in {store} (" in record.choice, record.choice
    named = set(re.findall(r"(?:is|are|\);) ([\w.]+) in [\w.-]+ \(", record.choice))
    assert named == set(held) | set(counters), record.choice
    exceptions = len([s for t in held.values() for s in t]) + len(counters)
    said = "the exceptions are" if exceptions > 1 else "the one exception is" if exceptions else None
    assert record.choice.startswith(BASE)
    assert (said in record.choice) if said else record.choice == BASE, record.choice


@pytest.mark.parametrize(("text", "copies", "counters"), SHAPES)
def test_each_copy_carries_the_rate_that_kept_it_ok(text: str, copies: set[str], counters: list[str]) -> None:
    """Each copy named says which reads use it and at what rate, against the threshold or with what else kept it below; one no
    read decided says what kept it."""
    spec = spec_of(text)
    arch, analysis = design_with_analysis(spec)
    record = next(d for d in arch.decisions if d.id == "normalization")
    found = held_copies(spec, analysis, arch)
    assert {c.name for c in found} == copies | set(counters)
    for copy in found:
        assert copy.readers, copy
        assert copy.said() in record.choice
        for reader, why in copy.readers:
            # no reader: a copy a read rate did not decide says what did (a uniqueness table: the sharding)
            assert reader in {u.name for u in analysis.use_cases} or why.startswith("kept because "), (reader, why)
            # a count kept beside a copy rides on the copy's decision: only the copy itself states the threshold
            if copy.name.startswith("known_") and not copy.what.startswith("derived from other rows"):
                assert re.search(r"/s(?: of \w+ from [\w-]+)? at peak (>|<=) 1,000", why), why
                assert "> 1,000" in why or "kept because" in why, why


@pytest.mark.parametrize("target", [pytest.param(30, id="within-30ms"), pytest.param(4, id="over-4ms")])
def test_a_hot_list_of_parent_fields_is_served_by_its_join_ok(target: int) -> None:
    """The hot roster read announces no copy: the record gives its expected latency with the join and whether it meets the
    target (saying so where it does not), the players table holds no column of the team's, and copying them is an
    alternative not taken."""
    arch, record = _design(ROSTER.replace("latency_ms: 30", f"latency_ms: {target}"))
    flow = next(f for f in arch.flows if f.use_case == "team roster")
    within = flow.expected_latency_ms <= target
    assert f"'team roster' at 12,000 req/s: expected {flow.expected_latency_ms:.1f} ms with its join as designed" in record.context
    assert f"{'within' if within else 'over'} its {target} ms target" in record.context
    assert ("stays over its latency target" in record.rationale) is not within
    assert "copy the fields" not in record.choice
    assert "no copy of the joined fields is made" in record.rationale
    players = next(t for s in arch.datastores for t in s.tables if t.name == "players")
    assert not {c.name for c in players.columns} & {"name_team", "team_name", "colours"}
    copy = next(a for a in record.alternatives if a.name.startswith("copy the joined fields"))
    assert ("within its target" in copy.why_not) is within


def test_nothing_qualifies_says_so_ok() -> None:
    """A small design keeps no copy: the record says every fact is stored once and names the hottest joining read."""
    arch, record = _design(LIBRARY)
    assert record.choice == BASE
    assert "none is kept, so every fact is stored once" in record.rationale
    assert record.context == "hottest joining read: 'loans of book' at 6 req/s"
    assert not record.consequences
    assert held_copies(spec_of(LIBRARY), analyse(spec_of(LIBRARY)), arch) == []
