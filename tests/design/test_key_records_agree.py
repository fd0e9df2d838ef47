"""Shard, key and reservation records agree with the DDL and the load model (issue 22, m4).

Three rules, each over specs of different shapes: the key record names under a column default only tables whose id column has
that default (ids carrying their shard are made by the application); a link table whose record says "a link exists once" keeps
a key that holds it (the pair of ids, so it is not time-partitioned); and a unique-in-states reservation is written, and
counted, by every write that puts a row into those states, whichever entity the request is named for.
"""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.partition_rule import PARTITION_COLUMN, PARTITION_MIN_BYTES
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.design.unique_keys import key_writes
from backend_architect.ir.model import Architecture, Table
from backend_architect.rules.design.keys_agree import key_contradicts_decision
from backend_architect.rules.registry import review

from .helpers import spec_of

# --- ids carrying their shard: the key record's default clause leaves them out -------------------------------------------

#: Readings sharded by their sensor, one read back by id.
READINGS = """\
system: meters
scale: {rates: average, peak_factor: 2, retention_years: 3}
entities:
  Sensor: {fields: {label: string(60)}, rows: 200k}
  Reading: {fields: {sensor: ref(Sensor), value: float, unit: string(8)}}
use_cases:
  - {name: record reading, kind: create, writes: [Reading], rate: 12k/s}
  - {name: sensor readings, kind: list, reads: [Reading], filter: [sensor], sort: [-created_at], page: cursor, rate: 400/s, cache: false}
  - {name: read reading, kind: get, reads: [Reading], rate: 3k/s, cache: false}
"""

#: Orders sharded by their shop; another service's refunds check the order they name by id alone.
ORDERS = """\
system: shop
services:
  orders: {owns: [Shop, Order]}
  refunds: {owns: [Refund]}
scale: {rates: peak, peak_factor: 3, retention_years: 5}
entities:
  Shop: {fields: {name: string(80)}, rows: 500k}
  Order: {fields: {shop: ref(Shop), total: money, note: string(300)}}
  Refund: {fields: {order: ref(Order), amount: money}}
use_cases:
  - {name: place order, kind: create, writes: [Order], rate: 9k/s}
  - {name: shop orders, kind: list, reads: [Order], filter: [shop], page: cursor, rate: 1k/s, cache: false}
  - {name: refund order, kind: create, writes: [Refund], rate: 20k/s}
"""

#: Replies sharded by their thread, fetched by id at the top level, beside a small table keyed by its default.
REPLIES = """\
system: forum
scale: {rates: peak, peak_factor: 2, retention_years: 4}
entities:
  Thread: {fields: {title: string(120)}, rows: 3M}
  Reply: {fields: {thread: ref(Thread), body: {type: text, avg_bytes: 600}}}
use_cases:
  - {name: open thread, kind: create, writes: [Thread], rate: 30/s}
  - {name: reply, kind: create, writes: [Reply], rate: 15k/s}
  - {name: thread replies, kind: list, reads: [Reply], filter: [thread], page: cursor, rate: 2k/s, cache: false}
  - {name: show reply, kind: get, reads: [Reply], rate: 5k/s, cache: false}
"""


def _keyed_by_default(arch: Architecture) -> set[str]:
    """The tables the key record's "UUIDv7 for a, b by DEFAULT f()" clause names."""
    keys = next(d for d in arch.decisions if d.id == "keys")
    clause = next((c for c in keys.choice.split("; ") if c.startswith("UUIDv7 for ") and " by DEFAULT " in c), "")
    return set(clause.removeprefix("UUIDv7 for ").split(" by DEFAULT ", 1)[0].split(", ")) - {""}


@pytest.mark.parametrize(
    "text",
    [pytest.param(READINGS, id="read-back-by-id"), pytest.param(ORDERS, id="checked-by-another-service"), pytest.param(REPLIES, id="top-level-get")],
)
def test_key_record_names_under_a_default_only_ids_a_default_makes_ok(text: str) -> None:
    """Ids carrying their shard have no column default and the key record says the application makes them; the clause that
    keys by DEFAULT names none of them, every table it names has that default, and the critic (DES008) finds nothing."""
    arch, _ = design_with_analysis(spec_of(text))
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    carrying = {name for name, t in tables.items() if t.sharding is not None and t.sharding.id_shard}
    assert carrying, "no table's ids carry their shard: the spec no longer tests the rule"
    named = _keyed_by_default(arch)
    assert not named & carrying, named & carrying
    for name in named:
        column = next(c for c in tables[name].columns if c.name == "id")
        assert column.default is not None, name
    for name in carrying:
        assert next(c for c in tables[name].columns if c.name == "id").default is None, name
    assert [f.message for f in review(arch, (key_contradicts_decision,))] == []


# --- a link exists once: the link table's key holds it --------------------------------------------------------------------

#: Recipes and their ingredients, many to many, large enough for time partitions by size.
RECIPES = """\
system: recipes
scale: {rates: average, peak_factor: 2, retention_years: 10}
entities:
  Recipe: {many_to_many: [Ingredient], fields: {title: string(120), steps: text}}
  Ingredient: {fields: {name: {type: string(60), unique: true}}, avg_per_parent: 8, rows: 50k}
use_cases:
  - {name: publish recipe, kind: create, writes: [Recipe, Recipe.ingredients], rate: 40/s}
  - {name: get recipe, kind: get, reads: [Recipe], rate: 300/s}
"""

#: Articles filed under topics, given at peak rates.
ARTICLES = """\
system: news
scale: {rates: peak, peak_factor: 3, retention_years: 8}
entities:
  Topic: {fields: {slug: {type: string(40), unique: true}}, rows: 20k, avg_per_parent: 4}
  Article: {many_to_many: [Topic], fields: {headline: string(200), body: {type: text, avg_bytes: 4000}}}
use_cases:
  - {name: file article, kind: create, writes: [Article, Article.topics], rate: 90/s}
  - {name: read article, kind: get, reads: [Article], rate: 2k/s}
"""

#: Products in categories, with a list of a category's products.
PRODUCTS = """\
system: catalogue
scale: {rates: average, peak_factor: 2, retention_years: 6}
entities:
  Category: {fields: {name: string(80)}, rows: 5k, avg_per_parent: 6}
  Product: {many_to_many: [Category], fields: {name: string(160), price: money}}
use_cases:
  - {name: add product, kind: create, writes: [Product, Product.categories], rate: 60/s}
  - {name: get product, kind: get, reads: [Product], rate: 500/s}
"""


def _links(arch: Architecture) -> list[Table]:
    return [t for s in arch.datastores for t in s.tables if "a link exists once" in t.key_reason]


@pytest.mark.parametrize(
    ("text", "link"),
    [
        pytest.param(RECIPES, "recipe_ingredients", id="recipes"),
        pytest.param(ARTICLES, "article_topics", id="articles-peak-rates"),
        pytest.param(PRODUCTS, "product_categories", id="products"),
    ],
)
def test_a_link_exists_once_is_held_by_the_link_tables_key_ok(text: str, link: str) -> None:
    """A link table past the size time partitions pay off at stays whole: its key is the pair of ids (a partition column in
    the key would let the pair be inserted twice), the record keeping it whole says why, and no table saying "a link exists
    once" has a key that lets a pair repeat."""
    arch, _ = design_with_analysis(spec_of(text))
    found = next((t for t in _links(arch) if t.name == link), None)
    assert found is not None, [t.name for t in _links(arch)]
    size = max(f.value for f in arch.figures if f.key.startswith("bytes.") and f.key.endswith(f"y.{link}"))
    assert size > PARTITION_MIN_BYTES, f"{link} is {size:,.0f} B: below the partition threshold, the spec no longer tests the rule"
    for table in _links(arch):
        assert PARTITION_COLUMN not in table.primary_key, (table.name, table.primary_key)
        assert table.partitioning is None, table.name
    assert any(link in a and "unique key" in a for a in arch.assumptions), [a for a in arch.assumptions if link in a]


# --- a unique-in-states reservation: every write entering the states writes it --------------------------------------------

#: Spots held while a booking is active; a valet's accepted offer (another entity) activates it.
PARKING = """\
system: parking
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Driver: {rows: 2M, fields: {name: string(80)}}
  Spot: {rows: 300k, fields: {label: string(20)}}
  Booking:
    fields: {driver: ref(Driver), spot: ref(Spot)?, status: {type: "enum[pending, active, done]", default: pending}}
    unique:
      - {fields: [spot], when: {status: [active]}}
  Offer:
    part_of: Booking
    fields: {spot: ref(Spot), answer: {type: "enum[open, taken, refused]", default: open}}
use_cases:
  - {name: book, actor: driver, kind: create, writes: [Booking], rate: 8k/s}
  - {name: my bookings, actor: driver, kind: list, owner_only: true, reads: [Booking], rate: 1k/s}
  - {name: take offer, actor: driver, kind: action, writes: [Offer.answer, Booking.status, Booking.spot], rate: 2k/s}
  - {name: leave spot, actor: driver, kind: action, writes: [Booking.status], rate: 2k/s}
"""

#: Tutors in one live session at a time; a student's invitation answer starts the session.
TUTORING = """\
system: tutoring
scale: {rates: average, peak_factor: 3, retention_years: 2}
entities:
  Student: {rows: 5M, fields: {name: string(80)}}
  Tutor: {rows: 100k, fields: {name: string(80)}}
  Session:
    fields: {student: ref(Student), tutor: ref(Tutor), status: {type: "enum[requested, live, ended]", default: requested}}
    unique:
      - {fields: [tutor], when: {status: [live]}}
  Invitation: {fields: {session: ref(Session), reply: {type: "enum[waiting, yes, no]", default: waiting}}}
use_cases:
  - {name: request session, actor: student, kind: create, writes: [Session], rate: 6k/s}
  - {name: my sessions, actor: student, kind: list, owner_only: true, reads: [Session], rate: 900/s}
  - {name: answer invitation, actor: student, kind: action, writes: [Invitation.reply, Session.status], rate: 700/s}
  - {name: end session, actor: tutor, kind: action, writes: [Session.status], rate: 700/s}
"""

#: A picker works one pick at a time; creating an assignment puts the pick into 'picking'.
PICKING = """\
system: warehouse
scale: {rates: peak, peak_factor: 2, retention_years: 3}
entities:
  Order: {rows: 10M, fields: {ref_code: string(20)}}
  Worker: {rows: 20k, fields: {name: string(80)}}
  Pick:
    fields: {order: ref(Order), picker: ref(Worker)?, status: {type: "enum[queued, picking, packed]", default: queued}}
    unique:
      - {fields: [picker], when: {status: [picking]}}
  Assignment: {fields: {pick: ref(Pick), worker: ref(Worker)}}
use_cases:
  - {name: queue pick, kind: create, writes: [Pick], rate: 9k/s}
  - {name: order picks, kind: list, reads: [Pick], filter: [order], rate: 1k/s}
  - {name: assign pick, actor: worker, kind: create, writes: [Assignment, Pick.status, Pick.picker], rate: 500/s}
  - {name: pack pick, actor: worker, kind: action, writes: [Pick.status], rate: 500/s}
"""


@pytest.mark.parametrize(
    ("text", "table", "entering"),
    [
        pytest.param(PARKING, "bookings", "take offer", id="a-part-s-action-activates-its-parent"),
        pytest.param(TUTORING, "sessions", "answer invitation", id="another-entity-s-action"),
        pytest.param(PICKING, "picks", "assign pick", id="a-create-of-another-entity"),
    ],
)
def test_every_write_entering_the_states_writes_the_reservation_ok(text: str, table: str, entering: str) -> None:
    """A write named for another entity that puts the row into the key's states reserves the value: it is listed with the
    writes of the uniqueness table in the record of writes across shards, and its writes reach that table in the load model."""
    spec = spec_of(text)
    arch, _ = design_with_analysis(spec)
    found = next(t for s in arch.datastores for t in s.tables if t.name == table)
    assert found.sharding is not None
    assert found.sharding.uniques, f"{table} holds no key across shards: the spec no longer tests the rule"
    guard = found.sharding.uniques[0]
    use_case = next(u for u in analyse(spec).use_cases if u.name == entering)
    assert use_case.entity != found.entity
    assert key_writes([use_case], found, guard.columns) == {entering: 1.0}
    record = next(d for d in arch.decisions if f"writes {guard.table}" in d.choice)
    said = next(c for c in record.choice.split("; ") if f"writes {guard.table}" in c)
    assert f"'{entering}'" in said, said
    counted = [k for f in arch.figures for k in f.inputs if k == f"peak_{use_case.id}_{guard.table}"]
    assert counted, f"no figure counts {entering}'s writes to {guard.table}"


# --- a feed's hydration by id is said as routed by the author its entries carry ---------------------------------------------

#: Pins saved past one primary's inserts, read into home feeds.
PINS = """\
system: pinboard
scale: {users: 5M, daily_active: 1M, rates: peak}
entities:
  User: {fields: {handle: string(20)}, rows: 5M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 200M}
  Pin: {append_only: true, fields: {author: ref(User), caption: string(200)}}
use_cases:
  - {name: save pin, actor: user, writes: [Pin], rate: 8k/s, avg_fanout: 40}
  - {name: home feed, actor: user, reads: [Follow, Pin], filter: [Follow.follower], sort: [-Pin.created_at], page: cursor, rate: 4k/s, staleness: 5s}
"""

#: Newsletters' issues, read by subscribers, the author column named for the writer.
ISSUES = """\
system: letters
scale: {users: 8M, daily_active: 2M, rates: average, peak_factor: 2}
entities:
  Member: {fields: {name: string(60)}, rows: 8M}
  Subscription: {fields: {subscriber: ref(Member), writer: ref(Member)}, rows: 300M}
  Issue: {append_only: true, fields: {writer: ref(Member), body: {type: text, avg_bytes: 3000}}}
use_cases:
  - {name: publish issue, actor: member, writes: [Issue], rate: 5k/s, avg_fanout: 30}
  - name: inbox
    actor: member
    reads: [Subscription, Issue]
    filter: [Subscription.subscriber]
    sort: [-Issue.created_at]
    page: {style: cursor, limit: 15, max: 50}
    rate: 3k/s
    staleness: 10s
"""

#: Clips by creators, read by their fans, at peak rates.
CLIPS = """\
system: clips
scale: {users: 5M, daily_active: 1M, rates: peak}
entities:
  Member: {fields: {name: string(60)}, rows: 5M}
  Fandom: {fields: {fan: ref(Member), creator: ref(Member)}, rows: 200M}
  Clip: {append_only: true, fields: {creator: ref(Member), title: string(120), seconds: int}}
use_cases:
  - {name: upload clip, actor: member, writes: [Clip], rate: 7k/s, avg_fanout: 40}
  - {name: watch feed, actor: member, reads: [Fandom, Clip], filter: [Fandom.fan], sort: [-Clip.created_at], page: cursor, rate: 4k/s, staleness: 5s}
"""


@pytest.mark.parametrize(
    ("text", "table", "author"),
    [
        pytest.param(PINS, "pins", "author_id", id="pins"),
        pytest.param(ISSUES, "issues", "writer_id", id="issues-average-rates"),
        pytest.param(CLIPS, "clips", "creator_id", id="clips"),
    ],
)
def test_feed_hydration_by_id_is_routed_by_the_author_its_entries_carry_ok(text: str, table: str, author: str) -> None:
    """The page's items read by id from a table sharded by their author are listed as routed by that author (each entry carries
    it), never counted unsaid with the keyed reads nor listed as asking every shard."""
    arch, _ = design_with_analysis(spec_of(text))
    found = next(t for s in arch.datastores for t in s.tables if t.name == table)
    assert found.sharding is not None, f"{table} is not sharded: the spec no longer tests the rule"
    assert found.sharding.key == author, found.sharding.key
    routed = [r for r in found.sharding.routed if "to fill each page of" in r]
    assert routed, found.sharding.routed
    assert all(f"routed by the {author} the request carries" in r for r in routed), routed
    assert not [c for c in found.sharding.cross_shard if "to fill each page of" in c], found.sharding.cross_shard
