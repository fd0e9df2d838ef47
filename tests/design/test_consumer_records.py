"""A consumer's processed-event record lives where its writes commit, and the load counts exactly those rows.

The AsyncAPI documents promise each consumer is idempotent. A service taking an event itself (a local copy) commits a
processed-event row in the transaction of its change, whichever mechanism hands it the event (the outbox relay, a store's
CDC log). A worker whose writes land outside its service's database (a fan-out worker's Redis pushes, an indexer's
documents) cannot commit such a row with them, so it makes its writes idempotent by key instead and its service keeps no
row for it: a row there guards nothing and costs an insert per event (twitter's follows-db took 12,000/s, 240% of a
primary, for its fan-out worker). These tests pin both sides.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.design.runtime_rows import runtime_rows
from backend_architect.ir.consumers import consumed_how, consuming_services, recording_services
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

#: A photo feed fanned out on write by a worker the subscriptions service runs (it reads the subscribers).
PHOTOS = """\
system: snapshots
scale: {users: 40M, rates: peak, peak_factor: 3}
entities:
  Account:
    fields: {handle: {type: string(30), unique: true}, display_name: string(60)}
    rows: 40M
  Photo:
    append_only: true
    fields: {account: ref(Account), caption: string(300), url: string(200)}
    growth: 50M/day
  Subscription:
    fields: {subscriber: ref(Account), creator: ref(Account)}
    unique: [[subscriber, creator]]
use_cases:
  - {name: post photo, writes: [Photo], rate: 3k/s, avg_fanout: 40}
  - name: view feed
    owner_only: true
    reads: [Photo, Subscription]
    filter: [Subscription.subscriber]
    sort: [-created_at]
    page: cursor
    rate: 120k/s
    consistency: eventual
    staleness: 10s
  - {name: subscribe, owner_only: true, writes: [Subscription], rate: 800/s}
"""

#: One service whose own search indexer consumes its recipes' events from the outbox.
RECIPES = """\
system: cookbook
entities:
  Ingredient:
    fields: {name: {type: string(80), unique: true}}
    avg_per_parent: 8
    max_per_parent: 40
  Recipe:
    fields: {title: string(200), steps: text}
    many_to_many: [Ingredient]
    rows: 30M
    growth: 200k/day
use_cases:
  - {name: publish recipe, writes: [Recipe, Recipe.ingredients], rate: 200k/day}
  - {name: edit recipe, kind: update, writes: [Recipe], rate: 50k/day}
  - {name: find recipes, reads: [Recipe, Ingredient], search: [title, Ingredient.name], page: cursor, rate: 3k/s, consistency: eventual}
"""

#: Lines held in a wide-column store: their events leave from its CDC log, consumed by the indexer.
CHATLOG = """\
system: chatlog
entities:
  Room: {fields: {name: string(80)}, rows: 5M}
  Line:
    fields: {room: ref(Room), author: string(40), said: {type: text, avg_bytes: 200}}
    growth: 600M/day
use_cases:
  - {name: say line, kind: create, writes: [Line], rate: 600M/day}
  - {name: edit line, kind: update, writes: [Line.said], rate: 20M/day}
  - {name: remove line, kind: delete, writes: [Line], rate: 5M/day}
  - {name: read room, kind: list, reads: [Line], filter: [room], sort: [-created_at], consistency: eventual, rate: 900M/day}
  - {name: search lines, reads: [Line], search: [said], rate: 10M/day}
"""


def _design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


#: A service keeping a local copy of another's rows (the owner's events) beside a fan-out worker it runs.
CLINIC = """\
system: clinic
scale: {users: 2M, rates: peak, peak_factor: 3}
entities:
  Doctor:
    fields: {name: string(80), specialty: string(40)}
    rows: 20k
  Patient:
    fields: {name: string(80)}
    rows: 2M
  Appointment:
    fields: {doctor: ref(Doctor), patient: ref(Patient), starts_at: timestamp, note: string(300)}
    growth: 200k/day
use_cases:
  - {name: book appointment, writes: [Appointment], reads: [Doctor], rate: 200k/day}
  - {name: rename doctor, kind: update, writes: [Doctor.name], rate: 100/day}
  - {name: list doctor appointments, reads: [Appointment, Doctor], filter: [doctor], sort: [starts_at], page: cursor, rate: 3k/s}
"""


def _design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


def _idempotent_workers(arch: Architecture) -> set[str]:
    return {c.name for c in arch.components if c.kind == "worker" and c.redelivery}


def _services(arch: Architecture) -> set[str]:
    return {s.name for s in arch.services}


#: Page views charted per minute: the column store's loader takes the views' events and writes them to ClickHouse.
PAGEVIEWS = """\
system: web-analytics
scale: {retention_years: 2}
entities:
  Site: {fields: {domain: string(120)}, rows: 1k}
  PageView:
    append_only: true
    fields: {site: ref(Site), path: string(200), duration_ms: int}
    growth: 300M/day
use_cases:
  - {name: record page view, actor: browser, writes: [PageView], rate: 300M/day}
  - {name: chart traffic, actor: analyst, reads: [PageView], series: {field: duration_ms, aggregate: count, every: 1m, over: 24h}, rate: 2/s}
"""


@pytest.mark.parametrize(
    ("text", "worker"),
    [
        pytest.param(PAGEVIEWS, "analytics-loader", id="loader-into-a-column-store"),
        pytest.param(PHOTOS, "view-feed-fanout", id="fan-out-worker-of-another-service"),
        pytest.param(RECIPES, "search-indexer", id="indexer-of-the-producer"),
        pytest.param(CHATLOG, "search-indexer", id="indexer-fed-from-a-cdc-log"),
    ],
)
def test_a_worker_writing_elsewhere_keeps_no_record_ok(text: str, worker: str) -> None:
    """A fan-out worker or an indexer says how its own writes absorb a redelivery, and its service keeps no processed-event
    row for the events only it takes: no table, no rows counted, and the AsyncAPI receive operation says the worker's way."""
    arch = _design(text)
    assert worker in _idempotent_workers(arch)
    taken = [e for e in arch.events if worker in e.consumers]
    assert taken
    inbox = {(r.service, r.use_case) for r in runtime_rows(arch) if r.role == "inbox"}
    for event in taken:
        for service in consuming_services(arch, event):
            if service not in _services(arch) or service in recording_services(arch, event):
                continue
            assert (service, event.use_case) not in inbox
            assert consumed_how(arch, event, service).startswith(f"{worker}: ")
    recorded = {r.service for r in runtime_rows(arch) if r.role == "inbox"}
    for store in (s for s in arch.datastores if s.engine == "postgresql" and s.service not in recorded):
        assert not any(t.role == "inbox" for t in store.tables), store.name
        assert not any(f.quantity.startswith(f"processed-event rows/s {store.service} ") for f in arch.figures)


def test_a_fan_out_runner_puts_no_processed_rows_on_its_primary_ok() -> None:
    """The service running the fan-out worker takes no processed-event inserts for the posts the worker pushes."""
    arch = _design(PHOTOS)
    runner = next(c for c in arch.components if c.name == "view-feed-fanout").services[0]
    assert runner != "photos"
    assert ("inbox", runner, "post photo") not in {(r.role, r.service, r.use_case) for r in runtime_rows(arch)}


#: A service keeping a copy of the listings it sells, beside the owner's own search indexer taking the same events.
MARKET = """\
system: market
scale: {users: 5M, rates: peak, peak_factor: 3}
entities:
  Listing:
    fields: {title: string(200), description: text, price_cents: int}
    rows: 30M
    growth: 300k/day
  Purchase:
    fields: {listing: ref(Listing), buyer_name: string(80), paid_cents: int}
    growth: 100k/day
use_cases:
  - {name: create listing, writes: [Listing], rate: 300k/day}
  - {name: reprice listing, kind: update, writes: [Listing.price_cents], rate: 1M/day}
  - {name: search listings, reads: [Listing], search: [title, description], page: cursor, rate: 2k/s, consistency: eventual}
  - {name: buy listing, writes: [Purchase], reads: [Listing], rate: 100k/day}
  - {name: list purchases of listing, reads: [Purchase, Listing], filter: [listing], page: cursor, rate: 500/s}
"""


@pytest.mark.parametrize(
    "text", [pytest.param(PHOTOS, id="beside-a-fan-out"), pytest.param(CLINIC, id="local-copy"), pytest.param(MARKET, id="beside-an-indexer")]
)
def test_a_service_taking_an_event_itself_keeps_and_counts_its_record_ok(text: str) -> None:
    """Each service that takes an event itself (its own change commits with the record) has the table, its rows counted in
    its database's load, and an AsyncAPI promise by event id; a worker beside it on the same event keeps its own way."""
    arch = _design(text)
    quantities = {f.quantity for f in arch.figures}
    rows = {(r.service, r.use_case) for r in runtime_rows(arch) if r.role == "inbox"}
    recorded = [(service, event) for event in arch.events for service in recording_services(arch, event) if service in _services(arch)]
    assert recorded
    for service, event in recorded:
        tables = [t for s in arch.datastores if s.service == service and s.engine == "postgresql" for t in s.tables]
        assert any(t.role == "inbox" for t in tables), service
        assert (service, event.use_case) in rows
        assert f"processed-event rows/s {service} writes for {event.use_case} (one per event consumed)" in quantities
        how = consumed_how(arch, event, service)
        assert how.startswith("by event_id")
        for worker in _idempotent_workers(arch) & set(event.consumers):
            if service in next(c for c in arch.components if c.name == worker).services:
                assert f"{worker}: " in how


def test_an_event_nobody_runs_keeps_no_record_err() -> None:
    """A consumer no service runs (the real-time gateway, deployed apart) makes no processed-events row in any database."""
    arch = _design(PHOTOS)
    services = {r.service for r in runtime_rows(arch) if r.role == "inbox"}
    assert services <= _services(arch)
    assert "realtime-gateway" not in services
