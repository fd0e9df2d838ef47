"""Every service consuming an event keeps its processed-event record in its own database, and the load counts the rows.

The AsyncAPI documents promise each consumer is idempotent by event id, whichever mechanism hands it the event (the outbox
relay, a store's CDC log) and whether the service takes it itself or through a worker it runs (a fan-out worker, a search
indexer). A service promising that with no processed-events table, or with its rows left out of the writes its database
takes, is the finding these tests pin.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.design.runtime_rows import runtime_rows
from backend_architect.ir.consumers import consuming_services
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


def _consumed(arch: Architecture) -> list[tuple[str, str]]:
    """(service, use case) of every event a service consumes, itself or through a worker it runs."""
    return [(s, e.use_case) for e in arch.events for s in consuming_services(arch, e) if any(v.name == s for v in arch.services)]


@pytest.mark.parametrize(
    ("text", "worker"),
    [
        pytest.param(PHOTOS, "view-feed-fanout", id="fan-out-worker-of-another-service"),
        pytest.param(RECIPES, "search-indexer", id="indexer-of-the-producer"),
        pytest.param(CHATLOG, "search-indexer", id="indexer-fed-from-a-cdc-log"),
    ],
)
def test_every_consuming_service_keeps_its_record_ok(text: str, worker: str) -> None:
    """Each service consuming an event (through ``worker`` among others) has a processed-events table in its database."""
    arch = _design(text)
    consumed = _consumed(arch)
    assert any(worker in e.consumers for e in arch.events)
    assert consumed
    for service, _ in consumed:
        tables = [t for s in arch.datastores if s.service == service and s.engine == "postgresql" for t in s.tables]
        assert any(t.role == "inbox" for t in tables), service


#: CHATLOG is left out: a write the wide-column store holds reaches no PostgreSQL, so its consumers' rows count at 0 today
#: (keeping them in the store, as its idempotency keys are, is still to do).
@pytest.mark.parametrize("text", [pytest.param(PHOTOS, id="fan-out"), pytest.param(RECIPES, id="indexer")])
def test_every_consumed_event_counts_its_rows_ok(text: str) -> None:
    """Each consumed event writes one processed-event row a request in the consuming service, and the load shows it."""
    arch = _design(text)
    rows = {(r.service, r.use_case) for r in runtime_rows(arch) if r.role == "inbox"}
    quantities = {f.quantity for f in arch.figures}
    for service, use_case in _consumed(arch):
        assert (service, use_case) in rows
        assert f"processed-event rows/s {service} writes for {use_case} (one per event consumed)" in quantities


def test_the_fan_out_runner_counts_the_posts_it_takes_ok() -> None:
    """The service running the fan-out worker counts a processed-event row per post, not only per event it takes itself."""
    arch = _design(PHOTOS)
    runner = next(c for c in arch.components if c.name == "view-feed-fanout").services[0]
    assert runner != "photos"
    assert ("inbox", runner, "post photo") in {(r.role, r.service, r.use_case) for r in runtime_rows(arch)}


def test_an_event_nobody_runs_keeps_no_record_err() -> None:
    """A consumer no service runs (the real-time gateway, deployed apart) makes no processed-events row in any database."""
    arch = _design(PHOTOS)
    services = {r.service for r in runtime_rows(arch) if r.role == "inbox"}
    assert services <= {s.name for s in arch.services}
    assert "realtime-gateway" not in services
