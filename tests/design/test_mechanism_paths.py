"""Every section describing a path reads the mechanism serving it: database load, table rates, growth, broker, communication, diagrams, failures.

One table of small specs of different shapes (a fleet's positions in a GEO set searched by
another service, a device's latest reading pushed live, a social feed fanned out by a worker, a
latest value kept in the row, a catalogue with neither), each checked across sections: a write a
mechanism keeps in memory is 0 in the database's writes and in its table's rate, is not an outbox
event nor in the broker's events/s, and is not drawn through the outbox; a read a mechanism answers
is a query of its store (not an event-fed copy) and the architecture links that store to the
service answering it; a mechanism's own reads count on the database they hit, with their formula.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import pytest

from backend_architect.design.loads import databases
from backend_architect.design.patterns.messaging import event_rates
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import busiest_write_primary
from backend_architect.render.mermaid import node_id, render_architecture
from backend_architect.render.sequence import render_sequence
from backend_architect.spec.load import load_spec_bytes

FLEET = """\
system: fleet
team: {size: 30}
scale: {rates: peak, concurrent_connections: 20k}
entities:
  Driver:
    fields: {name: string(80), status: "enum[offline,available]", location: geo?}
    rows: 40k
  Cab:
    fields: {driver: ref(Driver), plate: string(20)}
    rows: 40k
use_cases:
  - {name: report position, actor: driver, writes: [Driver.location], latest: true, rate: 15k/s}
  - {name: change status, actor: driver, writes: [Driver.status], rate: 20/s}
  - name: find cabs near me
    actor: rider
    reads: [Driver, Cab]
    near: Driver.location
    radius: 2km
    filter: [status=available]
    rate: 300/s
    staleness: 5s
    consistency: eventual
  - {name: register cab, actor: operator, writes: [Cab], rate: 1/s}
"""

METRICS = """\
system: meters
scale: {rates: peak, concurrent_connections: 5k}
entities:
  Device:
    fields: {label: string(40), reading: int?}
    rows: 200k
  Sample:
    append_only: true
    fields: {device: ref(Device), value: int}
    retention: 30d
use_cases:
  - {name: report reading, actor: device, kind: update, writes: [Device.reading], latest: true, rate: 4k/s}
  - {name: watch device, actor: operator, kind: get, reads: [Device.reading], deliver: realtime, rate: 10/s}
  - {name: store sample, actor: device, writes: [Sample], rate: 200/s}
  - {name: roll up samples, actor: system, reads: [Sample], schedule: hourly}
"""

SOCIAL = """\
system: social
team: {size: 30}
scale: {users: 2M, daily_active: 500k, rates: peak}
entities:
  User: {fields: {handle: string(20)}, rows: 2M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 300M}
  Post:
    append_only: true
    fields: {author: ref(User), text: string(280)}
use_cases:
  - {name: publish post, actor: user, writes: [Post], rate: 2k/s, avg_fanout: 1500}
  - {name: follow someone, actor: user, writes: [Follow], rate: 50/s}
  - name: read timeline
    actor: user
    reads: [Follow, Post]
    filter: [Follow.follower]
    sort: [-Post.created_at]
    rate: 3k/s
    staleness: 5s
"""

PRESENCE = """\
system: messenger
team: {size: 30}
scale: {rates: peak, concurrent_connections: 100k}
entities:
  Person:
    fields: {nickname: string(40), last_seen_at: datetime?}
    presence: {offline_after: 30s}
    rows: 1M
  Note:
    fields: {author: ref(Person), body: string(200)}
use_cases:
  - {name: see when last online, actor: person, kind: get, reads: [Person.last_seen_at], rate: 2k/s}
  - {name: write note, actor: person, writes: [Note], rate: 50/s}
"""

IN_PLACE = """\
system: parcels
scale: {rates: peak}
entities:
  Parcel:
    fields: {label: string(40), location: geo?}
    rows: 1M
use_cases:
  - {name: scan parcel, actor: courier, kind: update, writes: [Parcel.location], latest: true, rate: 300/s}
  - {name: view parcel, actor: customer, kind: get, reads: [Parcel], rate: 50/s}
"""

CATALOGUE = """\
system: catalogue
scale: {rates: peak}
entities:
  Product: {fields: {name: string(120), price: money}, rows: 100k}
use_cases:
  - {name: add product, actor: admin, writes: [Product], rate: 5/s}
  - {name: view product, actor: shopper, kind: get, reads: [Product], rate: 800/s, staleness: 60s}
"""


@dataclass(frozen=True)
class Case:
    """A spec, the write a mechanism keeps off the database (if any), the read it serves from a store, and a mechanism's own load."""

    text: str
    memory_write: str | None = None
    served_read: str | None = None
    store: str | None = None
    own_load: tuple[str, str, float] | None = None  # (entity whose database it hits, key, expected reads/s)
    counted_write: str | None = None


CASES = [
    pytest.param(Case(FLEET, memory_write="report position", served_read="find cabs near me", store="redis"), id="fleet-positions-geo-set"),
    pytest.param(Case(METRICS, memory_write="report reading", served_read="watch device", store="redis"), id="metrics-latest-hash-pushed-live"),
    pytest.param(
        Case(
            SOCIAL,
            served_read="read timeline",
            store="redis",
            own_load=("Follow", "fanout_publish-post", 2_000 * math.ceil(1_500 / 1_000)),
            counted_write="publish post",
        ),
        id="social-feed-fan-out",
    ),
    pytest.param(Case(PRESENCE, served_read="see when last online", store="redis", counted_write="write note"), id="presence-last-seen"),
    pytest.param(Case(IN_PLACE, counted_write="scan parcel"), id="latest-kept-in-the-row"),
    pytest.param(Case(CATALOGUE, counted_write="add product"), id="catalogue-no-mechanism"),
]


def _design(text: str) -> tuple[Architecture, dict[str, float], dict[str, float]]:
    spec = load_spec_bytes(textwrap.dedent(text).encode(), "test.yaml").spec
    arch, analysis = design_with_analysis(spec)
    events, _ = event_rates(analysis, arch)
    peaks = {u.name: u.peak_qps for u in analysis.use_cases}
    return arch, events, peaks


def _figures(arch: Architecture) -> dict[str, float]:
    return {f.key: f.value for f in arch.figures}


def _db_of(arch: Architecture, entity: str) -> str:
    return next(db for db, entities in databases(arch).items() if entity in entities)


@pytest.mark.parametrize("case", CASES)
def test_a_write_kept_in_memory_is_nowhere_a_database_write_or_an_outbox_event_ok(case: Case) -> None:
    """Database writes, the table's rate, growth stage 1, the events, the broker's events/s, the sequence and the failure table agree."""
    arch, events, peaks = _design(case.text)
    figures = _figures(arch)
    name = case.memory_write or case.counted_write
    assert name is not None
    mechanism = next((m for m in arch.mechanisms if m.use_case == name and m.serves == "write"), None)
    home = next(s for s in arch.services if s.name == next(f for f in arch.flows if f.use_case == name).steps[0].target)
    db = _db_of(arch, home.entities[0])
    key = f"peak_{name.replace(' ', '-')}"
    writes = next(f for f in arch.figures if f.key == f"db.writes.peak.{db}")
    table_writes = [f for f in arch.figures if f.key.startswith("qps.peak.write.table.") and key in f.inputs]
    flow = next(f for f in arch.flows if f.use_case == name)
    sequence = render_sequence(arch, flow)
    failing = next((i for i in (arch.availability.impacts if arch.availability else []) if i.dependency == "database primary" and i.effect == "fail"), None)
    if case.memory_write:
        assert mechanism is not None
        assert mechanism.database_share == 0
        assert mechanism.publish == "direct"
        assert key not in writes.inputs
        assert writes.value < peaks[name]
        assert not table_writes
        assert all(e.use_case != name for e in arch.events)
        assert sum(events.values()) < peaks[name]
        assert "-)outbox" not in sequence
        assert "outbox" not in flow.rationale.replace("nothing is published through the outbox", "")
        assert failing is None or name not in failing.use_cases
        assert figures["db.write_utilisation"] < peaks[name] / 5_000
    else:
        assert mechanism is None or mechanism.database_share > 0
        assert writes.inputs[key] == pytest.approx(peaks[name])
        assert table_writes
        assert failing is not None
        assert name in failing.use_cases
    stage = next(s for s in arch.stages if s.order == 1)
    busiest = figures["db.write_utilisation"] * 5_000
    which = busiest_write_primary(next(f.quantity for f in arch.figures if f.key == "db.write_utilisation"))
    assert f"peak writes reaching the busiest primary ({which}) {busiest:,.0f}/s" in stage.trigger or busiest < 100


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0].served_read])
def test_a_read_a_mechanism_serves_is_a_query_of_its_store_ok(case: Case) -> None:
    """The communication flow queries the serving store (no event-fed copy of what it serves); the architecture links the store to the service."""
    arch, _, _ = _design(case.text)
    flow = next(f for f in arch.flows if f.use_case == case.served_read)
    mechanism = next(m for m in arch.mechanisms if m.use_case == case.served_read and m.serves == "read")
    home = flow.steps[0].target
    assert any(s.kind == "query" and s.target == case.store for s in flow.steps)
    copies = [s for s in flow.steps if s.description.endswith("changes keep a local read model current")]
    assert not [s for s in copies if set(s.description.split(" changes")[0].split(", ")) <= set(mechanism.entities)]
    assert f"served by {case.store}" in flow.rationale
    store = next(c for c in arch.components if c.name == case.store)
    assert home in store.services
    assert f"{node_id('svc', home)} --- {node_id('cmp', case.store)}" in render_architecture(arch)
    assert "local read model" not in render_sequence(arch, flow) or copies


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0].own_load])
def test_a_mechanisms_own_reads_count_on_the_database_they_hit_ok(case: Case) -> None:
    """The fan-out worker's follower pages are in the follows database's reads, with a figure of their own giving the formula."""
    arch, _, _ = _design(case.text)
    assert case.own_load is not None
    entity, key, expected = case.own_load
    db = _db_of(arch, entity)
    reads = next(f for f in arch.figures if f.key == f"db.reads.peak.{db}")
    assert reads.inputs[key] == pytest.approx(expected)
    assert reads.value >= expected
    own = next(f for f in arch.figures if f.key == f"db.mechanism.{key}")
    assert own.value == pytest.approx(expected)
    assert own.formula == "writes_peak x ceil(followers_per_author / rows_per_page)"
    assert own.scope == db


HEARTBEATS = """\
system: sensors
scale: {rates: peak}
entities:
  Sensor: {fields: {label: string(40)}, rows: 300k}
  Heartbeat:
    append_only: true
    part_of: Sensor
    fields: {battery: int}
use_cases:
  - {name: record heartbeat, actor: sensor, writes: [Heartbeat], latest: true, rate: RATE}
  - {name: view sensor, actor: operator, kind: get, reads: [Sensor], rate: 5/s}
"""


@pytest.mark.parametrize(
    ("rate", "kept_in_memory"),
    [pytest.param("800/s", False, id="in-the-database"), pytest.param("40k/s", True, id="in-memory-no-history")],
)
def test_an_appending_write_kept_in_memory_adds_no_rows_to_size_or_shard_ok(rate: str, kept_in_memory: bool) -> None:
    """The newest child per parent in Redis (no history read) inserts nothing: its table does not grow, is not sharded by those inserts."""
    arch, _, _ = _design(HEARTBEATS.replace("RATE", rate))
    heartbeats = next(t for s in arch.datastores for t in s.tables if t.name == "heartbeats")
    figures = _figures(arch)
    per_day = figures["qps.avg.record-heartbeat"] * 86_400
    assert heartbeats.rows_per_day == (0.0 if kept_in_memory else pytest.approx(per_day))
    assert (heartbeats.sharding is None) or not kept_in_memory
    assert ("qps.peak.write.table.heartbeats" in figures) is not kept_in_memory
    assert (figures["db.write_utilisation"] == 0.0) is kept_in_memory


def test_a_jobs_rows_count_as_reads_and_writes_of_its_database_ok() -> None:
    """A scheduled roll-up reads the rows it handles and writes them at the job's rows/s: both are in its database's load."""
    arch, _, _ = _design(METRICS)
    job = next(j for j in arch.jobs if j.use_case == "roll up samples")
    db = _db_of(arch, "Sample")
    figures = {f.key: f for f in arch.figures}
    assert job.rows_per_s > 0
    assert figures[f"db.reads.peak.{db}"].inputs["job_roll-up-samples"] == job.rows_per_s
    assert figures[f"db.writes.peak.{db}"].inputs["job_roll-up-samples"] == job.rows_per_s
