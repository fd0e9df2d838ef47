"""One traffic model per database and per service: every row the design writes and every request it counts, read by every section.

Specs of different shapes: a search whose query log is written by a read the search engine answers
(and published through the outbox), media whose renditions the design derives, rides updated more
often than created, trackers whose latest fix lives in memory.
"""

from __future__ import annotations

import math

import pytest
from tests.design.helpers import design_of, spec_of

from backend_architect.design.analysis import analyse
from backend_architect.design.patterns._common import fmt
from backend_architect.ir.model import Architecture, Figure

#: A search the search engine answers, logging each query in another service's table (a side write of a read).
CATALOGUE = """\
system: catalogue
team: {size: 20}
scale: {rates: peak}
entities:
  Product: {fields: {title: string(120), blurb: text}, rows: 20M, growth: 50k/day}
  Lookup:
    append_only: true
    retention: 2d
    fields: {phrase: string(100)}
use_cases:
  - {name: add product, writes: [Product], rate: 50/s}
  - {name: find products, reads: [Product], search: [Product.title, Product.blurb], writes: [Lookup], page: cursor, rate: 9k/s}
"""

#: Episodes whose audio the design transcodes: one renditions row per output, rows no use case writes.
PODCASTS = """\
system: podcasts
team: {size: 20}
entities:
  Episode:
    fields:
      title: string(200)
      audio: {type: blob, avg_bytes: 40MB, content_types: [audio/mpeg], media: {transcode: [aac, opus], renditions: [64k, 128k]}}
    growth: 300k/day
  Play: {fields: {episode: ref(Episode), seconds: int}, growth: 20M/day}
use_cases:
  - {name: publish episode, writes: [Episode], rate: 300k/day}
  - {name: play episode, writes: [Play], rate: 20M/day}
  - {name: get episode, reads: [Episode], rate: 50M/day}
"""

#: Rides updated three times for each one created: all writes are four times the inserts.
RIDES = """\
system: rides
team: {size: 20}
scale: {rates: peak}
entities:
  Rider: {fields: {name: string(80)}, rows: 10M}
  Ride:
    fields: {rider: ref(Rider), status: "enum[requested, started, ended]", fare: money?}
    rows: 2B
use_cases:
  - {name: request ride, actor: rider, writes: [Ride], rate: 400/s}
  - {name: start ride, kind: update, writes: [Ride.status], rate: 400/s}
  - {name: end ride, kind: update, writes: [Ride.status, Ride.fare], rate: 400/s}
  - {name: rate ride, kind: update, writes: [Ride.status], rate: 400/s}
  - {name: view ride, actor: rider, reads: [Ride], rate: 2k/s}
"""

#: Trackers reporting a fix 30k times a second, kept in memory (latest: true); trackers keep joining, none created by a use case.
TRACKERS = """\
system: trackers
scale: {rates: peak, retention_years: 4}
entities:
  Tracker: {fields: {label: string(40)}, rows: 1M, growth: 20k/day}
  Fix: {part_of: Tracker, fields: {lat: float, lon: float}}
use_cases:
  - {name: report fix, actor: tracker, writes: [Fix], latest: true, rate: 30k/s}
  - {name: where is tracker, actor: operator, kind: get, reads: [Tracker, Fix], rate: 200/s}
"""

#: An order whose created row is read back through its GET (no use case rates that read).
ORDERS = """\
system: orders
team: {size: 20}
entities:
  Customer: {fields: {name: string(80)}, rows: 100k}
  Order: {fields: {customer: ref(Customer), total: money, status: "enum[open, paid]"}, growth: 2M/day}
  Note: {append_only: true, fields: {order: ref(Order), body: string(400)}}
use_cases:
  - {name: place order, actor: customer, writes: [Order], rate: 2M/day}
  - {name: pay order, actor: customer, kind: update, writes: [Order.status], rate: 2M/day}
  - {name: add note, actor: customer, writes: [Note], rate: 8M/day}
  - {name: list orders, actor: customer, reads: [Order], filter: [customer], rate: 200/s}
"""

DESIGNS = {
    name: design_of(text) for name, text in {"catalogue": CATALOGUE, "podcasts": PODCASTS, "rides": RIDES, "trackers": TRACKERS, "orders": ORDERS}.items()
}


def _known(arch: Architecture) -> dict[str, Figure]:
    return {f.key: f for f in arch.figures}


def test_a_reads_side_write_reaches_its_database_whoever_answers_the_read_ok() -> None:
    """The search engine answers the search, yet each search's logged query is a row of its table: counted in the rows a day,
    the database's writes, the sharding decision and each shard's share."""
    known = _known(DESIGNS["catalogue"])
    peak = known["qps.peak.find-products"].value
    assert "peak_find-products" not in known["db.reads.peak.products-db"].inputs  # answered by the search engine
    writes = known["db.writes.peak.lookups-db"]
    assert writes.inputs["peak_find-products_side"] == pytest.approx(peak)
    facts = analyse(spec_of(CATALOGUE)).entities["Lookup"]
    assert facts.rows_per_day == pytest.approx(known["qps.avg.find-products"].value * 86_400)
    inserts = known["qps.peak.insert.table.lookups"].value
    assert inserts == pytest.approx(writes.value)  # its rows and the processed-event rows committed with them, nothing else
    assert known["db.shards.lookups"].value >= math.ceil(inserts / 5_000)
    assert known["db.write_utilisation.lookups-db"].value <= 1.0


@pytest.mark.parametrize(
    ("design", "database", "key", "rate"),
    [
        pytest.param("catalogue", "products-db", "outbox_find-products_products", "qps.peak.find-products", id="outbox-of-a-read"),
        pytest.param("catalogue", "lookups-db", "inbox_find-products_lookups", "qps.peak.find-products", id="processed-events"),
        pytest.param("rides", "rides-db", "idempotency_request-ride_rides", "qps.peak.request-ride", id="idempotency-keys"),
        pytest.param("podcasts", "plays-db", "idempotency_play-episode_plays", "qps.peak.play-episode", id="idempotency-of-a-log"),
    ],
)
def test_guarantee_rows_count_in_the_database_that_commits_them_ok(design: str, database: str, key: str, rate: str) -> None:
    """Each outbox, processed-event and idempotency row is one write of the database its transaction commits in, with its own figure."""
    known = _known(DESIGNS[design])
    writes = known[f"db.writes.peak.{database}"]
    assert writes.inputs[key] == pytest.approx(known[rate].value)
    assert known[f"db.mechanism.{key}"].value == pytest.approx(known[rate].value)
    assert writes.value == pytest.approx(sum(writes.inputs.values()))


def test_a_write_kept_in_memory_commits_no_guarantee_rows_ok() -> None:
    """A fix kept in Redis writes no row, so no idempotency key either: none in the ledger, none sized in the table."""
    arch = DESIGNS["trackers"]
    known = _known(arch)
    assert not [k for f in arch.figures if f.key.startswith("db.writes.peak.") for k in f.inputs if k.startswith(("idempotency_", "outbox_"))]
    keys = [t for s in arch.datastores for t in s.tables if t.role == "idempotency"]
    assert all(t.rows_per_day == 0 for t in keys)
    assert known["db.write_utilisation"].inputs["peak_write"] < 1


@pytest.mark.parametrize(
    ("design", "database", "table"),
    [
        pytest.param("podcasts", "episodes-db", "episodes_audio_renditions", id="renditions-the-design-derives"),
        pytest.param("trackers", "trackers-db", "trackers", id="growth-no-use-case-creates"),
    ],
)
def test_rows_no_use_case_writes_count_in_their_database_ok(design: str, database: str, table: str) -> None:
    """A table that grows takes its rows from somewhere: they reach its database at rows_per_day / 86,400 x peak factor."""
    arch = DESIGNS[design]
    known = _known(arch)
    rows = next(t for s in arch.datastores for t in s.tables if t.name == table)
    own = known[f"db.mechanism.rows_{table}"]
    assert own.value == pytest.approx(rows.rows_per_day / 86_400 * own.inputs["peak_factor"])
    assert known[f"db.writes.peak.{database}"].inputs[f"rows_{table}"] == pytest.approx(own.value)
    assert known[f"qps.peak.insert.table.{table}"].value == pytest.approx(own.value)


def test_sharding_compares_inserts_with_inserts_ok() -> None:
    """Rides take 400 new rows/s and 1,200 updates/s: the threshold reads the inserts (and the guarantee rows beside them), says so,
    and the shard count reads the same figure."""
    arch = DESIGNS["rides"]
    known = _known(arch)
    inserts = known["qps.peak.insert.table.rides"]
    guarded = known["qps.peak.guarantee.table.rides"].value
    assert inserts.value == pytest.approx(400 + guarded)
    assert known["qps.peak.write.table.rides"].value == pytest.approx(1_600)
    stage = next(s for s in arch.stages if s.name == "sharding")
    assert f"rides: inserts pass 5,000/s (today {fmt(inserts.value)}/s: 400 new rows and {fmt(guarded)} outbox" in stage.trigger
    assert known["db.shards.rides"].inputs["peak_inserts"] == pytest.approx(inserts.value)


@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_a_service_serves_every_read_back_its_database_counts_ok(design: str) -> None:
    """A created row read back through its GET is a request of the service owning it: in its peak and so its instances."""
    arch = DESIGNS[design]
    known = _known(arch)
    owner = {e: s.name for s in arch.services for e in s.entities}
    for figure in (f for f in arch.figures if f.key.startswith("db.reads.peak.")):
        for key, value in figure.inputs.items():
            if not key.startswith("readback_"):
                continue
            entity = next(o.entity for a in arch.apis for o in a.operations if f"readback_{o.operation_id}" == key)
            service = known[f"qps.peak.service.{owner[entity]}"]
            assert service.inputs[key] >= value - 1e-9, (design, key)
            assert known[f"instances.{owner[entity]}"].inputs["peak"] == pytest.approx(service.value)


@pytest.mark.parametrize(
    ("design", "operation", "read_back"),
    [
        pytest.param("orders", "readback_getOrder", True, id="a-changing-row"),
        pytest.param("orders", "readback_getNote", False, id="an-appended-row"),
        pytest.param("trackers", "readback_getFix", False, id="a-value-kept-in-memory"),
    ],
)
def test_only_rows_that_change_are_read_back_ok(design: str, operation: str, read_back: bool) -> None:
    """An order (paid later) is read back; an appended note (its create answered its final state) and a fix kept in memory are not."""
    arch = DESIGNS[design]
    inputs = {k for f in arch.figures if f.key.startswith(("db.reads.peak.", "qps.peak.service.")) for k in f.inputs}
    assert (operation in inputs) is read_back


def test_latest_values_are_sized_from_every_key_at_the_horizon_ok() -> None:
    """No expiry is stated for the latest fixes, so Redis holds a key for every tracker there will be, not today's."""
    arch = DESIGNS["trackers"]
    known = _known(arch)
    keys = known["latest.keys.report-fix"]
    assert keys.value == pytest.approx(1_000_000 + 20_000 * 365 * 4)
    assert known["latest.bytes.report-fix"].inputs["keys"] == pytest.approx(keys.value)
    made = next(d for d in arch.decisions if d.id == "latest.report-fix")
    assert f"{fmt(keys.value)} keys at the horizon (none expires" in made.rationale
    assert f"{fmt(keys.value)} Tracker keys at the horizon" in made.context


@pytest.mark.parametrize(
    ("rows", "inserts", "where"),
    [
        pytest.param("20M", "9,050", "(no table of products-db is sharded)", id="nothing-sharded"),
        pytest.param("20B", "9,000", "(rows committed beside no sharded row, on products-db's unsharded primary)", id="beside-sharded-products"),
    ],
)
def test_an_outbox_past_one_primary_is_said_ok(rows: str, inserts: str, where: str) -> None:
    """9,000 events/s a read publishes commit beside no product row: sharded products or not, the outbox alone passes one primary
    (with the 50/s a create publishes for the search indexer where those, beside an unsharded product row, share the primary)."""
    arch = design_of(CATALOGUE.replace("rows: 20M", f"rows: {rows}"))
    said = [a for a in arch.assumptions if a.startswith(f"outbox_events: {inserts} new rows/s at peak > 5,000 per primary")]
    assert len(said) == 1
    assert where in said[0]


#: Seats listed with their members' handles: a read across services served from an event-fed local copy of the members.
CLUBS = """\
system: clubs
team: {size: 40}
entities:
  Member: {fields: {handle: string(40), bio: text}, rows: 10M, growth: 10k/day}
  Club: {fields: {name: string(80)}, rows: 1M, growth: 1k/day}
  Seat:
    fields: {club: ref(Club), member: ref(Member), role: "enum[guest,host]"}
    unique: [[club, member]]
    growth: 100k/day
use_cases:
  - {name: join club, actor: member, kind: create, writes: [Seat], rate: 100k/day}
  - {name: list club seats, actor: member, kind: list, reads: [Seat, Member], filter: Seat.club, rate: 50M/day, consistency: eventual, staleness: 30s}
  - {name: edit profile, actor: member, kind: update, writes: [Member.bio], rate: 200k/day}
  - {name: create club, actor: member, kind: create, writes: [Club], rate: 1k/day}
"""


def test_a_read_served_from_a_local_copy_writes_no_outbox_row_ok() -> None:
    """The members' change events feeding the seats' local copy are published when a member changes (edit profile), not once
    per read of the copy: no outbox or processed-event row is counted at the read's 50M a day."""
    arch = design_of(CLUBS)
    copied = next(f for f in arch.flows if f.use_case == "list club seats")
    assert [s for s in copied.steps if s.kind == "event" and s.source == "members"], "the read is served from the members' events"
    written = {k for f in arch.figures if f.key.startswith(("db.writes.peak.", "qps.peak.guarantee.table.")) for k in f.inputs}
    assert not [k for k in written if "list-club-seats" in k], sorted(written)
    assert {"outbox_edit-profile_members", "inbox_edit-profile_seats"} <= written
    outbox = next(t for s in arch.datastores for t in s.tables if t.role == "outbox" and s.service == "members")
    assert outbox.rows_per_day == pytest.approx(200_000)
