"""A value kept in memory (PAT020: Redis, the database untouched per update) is read, cached and published as such in every section.

Its readers read it where it lives: a list of its rows pages them from the database and reads each row's value from Redis
beside any cached page, drawn in the sequence and said in the contract; a cache in front of such a read is not invalidated
by the write that never reaches the database, and its record says so; the messages the write publishes itself (pub/sub, no
outbox) are named in the producer's AsyncAPI beside a domain event of the same name another write commits through the
outbox. A proximity search over points kept in memory reads the GEO set alone where its filters on those points are the
set's split (no internal "near the point" endpoint on their owner, no call counted there), and a recipient search
filtering by a constant reads the set of that value, the one the writer adds each point to.
"""

from __future__ import annotations

import functools

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Architecture
from backend_architect.render.files import render_files
from backend_architect.render.sequence import render_sequence
from backend_architect.spec.load import load_spec_bytes

#: A courier's position (a GEO set split by status), watched by the parcel's recipient; vans searched by their courier's position.
COURIER = """
system: parcels
team: {size: 40}
scale: {daily_active: 2M, requests: 60M/day}
entities:
  Customer: {rows: 2M, fields: {name: string(80), created_at: datetime}}
  Courier:
    rows: 200k
    fields: {name: string(80), status: "enum[off_duty, idle, delivering]", position: geo?, created_at: datetime}
  Van: {rows: 200k, fields: {courier: ref(Courier), size: "enum[small, large]", created_at: datetime}}
  Parcel:
    growth: 1M/day
    fields: {recipient: ref(Customer), courier: ref(Courier)?, drop_at: geo, status: "enum[booked, picked, delivered]", created_at: datetime}
use_cases:
  - {name: update courier position, actor: courier, owner_only: true, writes: [Courier.position], latest: true, every: 5s, rate: 40k/s}
  - {name: change courier status, actor: courier, owner_only: true, writes: [Courier.status], rate: 500k/day}
  - name: find vans nearby
    actor: customer
    reads: [Courier, Van]
    near: Courier.position
    radius: 3km
    filter: [Courier.status, Van.size]
    consistency: eventual
    staleness: 5s
    rate: 20M/day
  - {name: book parcel, actor: customer, writes: [Parcel], near: Courier.position, radius: 3km, filter: [Courier.status=idle], avg_fanout: 3,
     deliver: {mode: realtime, to: Courier}, rate: 1M/day}
  - {name: watch courier, actor: customer, reads: [Parcel, Courier.position], deliver: {mode: realtime, to: Parcel.recipient},
     consistency: eventual, staleness: 5s, rate: 8M/day}
"""

#: A vehicle's gauges (two numbers in a Redis hash), listed per fleet and pushed to the fleet's manager.
TELEMETRY = """
system: fleet-telemetry
team: {size: 40}
scale: {daily_active: 50k, requests: 30M/day}
entities:
  Manager: {rows: 20k, fields: {name: string(80), created_at: datetime}}
  Fleet: {rows: 10k, fields: {name: string(80), manager: ref(Manager), created_at: datetime}}
  Vehicle:
    rows: 500k
    fields:
      fleet: ref(Fleet)
      plate: {type: string(12), unique: true}
      state: "enum[parked, driving, maintenance]"
      fuel_level: int
      speed_kmh: int
      created_at: datetime
use_cases:
  - {name: update vehicle gauges, actor: device, writes: [Vehicle.fuel_level, Vehicle.speed_kmh], latest: true, every: 2s, rate: 250k/s}
  - {name: set vehicle state, actor: manager, writes: [Vehicle.state], rate: 100k/day}
  - {name: watch fleet gauges, actor: manager, reads: [Vehicle], filter: [Vehicle.fleet], deliver: {mode: realtime, to: Fleet.manager},
     consistency: eventual, staleness: 2s, rate: 10M/day}
"""

#: A player's score (one number in a Redis hash), listed per arena and pushed to the arena's host.
SCORES = """
system: arena
team: {size: 40}
scale: {daily_active: 5M, requests: 200M/day}
entities:
  Host: {rows: 100k, fields: {name: string(80), created_at: datetime}}
  Arena: {rows: 100k, fields: {host: ref(Host), mode: "enum[duel, squad]", created_at: datetime}}
  Player:
    rows: 20M
    fields: {handle: {type: string(30), unique: true}, status: "enum[offline, lobby, playing]", score: int, arena: ref(Arena), created_at: datetime}
use_cases:
  - {name: update player score, actor: player, owner_only: true, writes: [Player.score], latest: true, rate: 90k/s}
  - {name: set player status, actor: player, owner_only: true, writes: [Player.status], rate: 10M/day}
  - {name: follow arena scores, actor: player, reads: [Player], filter: [Player.arena], deliver: {mode: realtime, to: Arena.host},
     consistency: eventual, staleness: 3s, rate: 20M/day}
"""

#: A skipper's position, split by an enum; boats searched in another service; charters offered to available skippers only.
BOATS = """
system: charters
team: {size: 40}
scale: {daily_active: 1M, requests: 20M/day}
entities:
  Sailor: {rows: 1M, fields: {name: string(80), created_at: datetime}}
  Skipper:
    rows: 50k
    fields: {name: string(80), status: "enum[ashore, available, sailing]", position: geo?, created_at: datetime}
  Boat: {rows: 50k, fields: {skipper: ref(Skipper), kind: "enum[sail, motor]", created_at: datetime}}
  Charter:
    growth: 200k/day
    fields: {sailor: ref(Sailor), skipper: ref(Skipper)?, harbour: geo, created_at: datetime}
use_cases:
  - {name: move skipper, actor: skipper, owner_only: true, writes: [Skipper.position], latest: true, rate: 20k/s}
  - {name: set skipper status, actor: skipper, owner_only: true, writes: [Skipper.status], rate: 200k/day}
  - {name: find boats nearby, actor: sailor, reads: [Skipper, Boat], near: Skipper.position, radius: 10km, filter: [Skipper.status, Boat.kind],
     consistency: eventual, staleness: 10s, rate: 5M/day}
  - {name: request charter, actor: sailor, writes: [Charter], near: Skipper.position, radius: 10km, filter: [Skipper.status=available],
     avg_fanout: 4, deliver: {mode: realtime, to: Skipper}, rate: 200k/day}
"""

#: A technician's location, split by a bool; toolkits searched in another service; tickets offered to technicians on call only.
TECHNICIANS = """
system: field-service
team: {size: 40}
scale: {daily_active: 500k, requests: 10M/day}
entities:
  Client: {rows: 500k, fields: {name: string(80), created_at: datetime}}
  Technician: {rows: 80k, fields: {name: string(80), on_call: bool, location: geo?, created_at: datetime}}
  Toolkit: {rows: 80k, fields: {technician: ref(Technician), trade: "enum[plumbing, electrical, hvac]", created_at: datetime}}
  Ticket:
    growth: 100k/day
    fields: {client: ref(Client), technician: ref(Technician)?, site: geo, created_at: datetime}
use_cases:
  - {name: track technician, actor: technician, owner_only: true, writes: [Technician.location], latest: true, rate: 8k/s}
  - {name: toggle on call, actor: technician, owner_only: true, writes: [Technician.on_call], rate: 100k/day}
  - {name: find toolkits nearby, actor: client, reads: [Technician, Toolkit], near: Technician.location, radius: 20km,
     filter: [Technician.on_call, Toolkit.trade], consistency: eventual, staleness: 10s, rate: 3M/day}
  - {name: open ticket, actor: client, writes: [Ticket], near: Technician.location, radius: 20km, filter: [Technician.on_call=true],
     avg_fanout: 2, deliver: {mode: realtime, to: Technician}, rate: 100k/day}
"""

SPECS = {"courier": COURIER, "telemetry": TELEMETRY, "scores": SCORES, "boats": BOATS, "technicians": TECHNICIANS}


@functools.cache
def _designed(name: str) -> tuple[DesignResult, dict[str, str]]:
    result = design_spec(load_spec_bytes(SPECS[name].encode(), "spec.yaml"))
    return result, render_files(result.architecture, result.findings)


def _flow(arch: Architecture, use_case: str) -> str:
    return render_sequence(arch, next(f for f in arch.flows if f.use_case == use_case))


#: (spec, the write kept in memory, the write of the same entity committed to the database, the list reading the value, its Redis read)
LISTED = [
    pytest.param("courier", "update courier position", "change courier status", "watch courier", "GEOPOS courier:position:{status}", id="courier-position"),
    pytest.param("telemetry", "update vehicle gauges", "set vehicle state", "watch fleet gauges", "HMGET latest:vehicle:{id}", id="vehicle-gauges"),
    pytest.param("scores", "update player score", "set player status", "follow arena scores", "HMGET latest:player:{id}", id="player-score"),
]


@pytest.mark.parametrize(("name", "writer", "committed", "reader", "read"), LISTED)
def test_a_list_reads_the_value_from_redis_ok(name: str, writer: str, committed: str, reader: str, read: str) -> None:
    """A list of rows whose value lives in memory reads each row's value from Redis by id, drawn in its sequence and said in its contract."""
    result, _ = _designed(name)
    arch = result.architecture
    assert any(m.use_case == writer and m.serves == "write" and m.database_share == 0 for m in arch.mechanisms)
    drawn = _flow(arch, reader)
    assert f"->>p_redis: {read} of the page's" in drawn, drawn
    # the page's rows still come from the database, once, before the values
    assert drawn.count("SELECT a page of") == 1
    op = next(o for api in arch.apis for o in api.operations if reader in o.use_cases)
    assert "read from Redis" in op.description
    assert "not from the row" in op.description


@pytest.mark.parametrize(("name", "writer", "committed", "reader", "read"), LISTED)
def test_a_cache_is_not_invalidated_by_a_write_kept_in_memory_ok(name: str, writer: str, committed: str, reader: str, read: str) -> None:
    """The cache in front of the list names the write kept in memory as deleting no key, and only database writes as updates."""
    result, _ = _designed(name)
    made = next(d for d in result.architecture.decisions if d.id.startswith("cache.") and d.subject == reader)
    assert f"'{writer}' updates" not in made.context
    assert f"'{committed}' updates" in made.context
    assert f"'{writer}' keeps its value in memory (no database write), deleting no key" in made.context


@pytest.mark.parametrize(("name", "writer", "committed", "reader", "read"), LISTED)
def test_messages_published_by_the_write_path_are_named_in_asyncapi_ok(name: str, writer: str, committed: str, reader: str, read: str) -> None:
    """The producer's AsyncAPI names the messages the write kept in memory publishes itself beside the outbox's event of that name."""
    result, files = _designed(name)
    arch = result.architecture
    event = next(e for e in arch.events if e.use_case == committed)
    doc = yaml.safe_load(files[f"asyncapi/{event.producer}.yaml"])
    publish = doc["operations"][f"publish{event.name}"]["summary"]
    assert publish.startswith(f"Publish through the transactional outbox when '{committed}' commits")
    assert f"'{writer}' keeps its value in memory: its write path publishes {event.name} on Redis pub/sub itself (no outbox row, no broker)" in publish
    assert writer in doc["components"]["messages"][event.name]["summary"]
    gateway = yaml.safe_load(files["asyncapi/realtime-gateway.yaml"])["info"]["description"]
    assert f"{event.name} of '{writer}': the write path of '{writer}' publishes it on redis pub/sub itself (no outbox, no broker)" in gateway


#: (spec, the proximity read in another service, the points' owner, the recipient search, the set it reads, the writer's set)
SEARCHED = [
    pytest.param("courier", "find vans nearby", "couriers", "book parcel", "courier:position:idle", "courier:position:{status}", id="courier-enum"),
    pytest.param("boats", "find boats nearby", "skippers", "request charter", "skipper:position:available", "skipper:position:{status}", id="skipper-enum"),
    pytest.param(
        "technicians", "find toolkits nearby", "technicians", "open ticket", "technician:location:true", "technician:location:{on_call}", id="technician-bool"
    ),
]


@pytest.mark.parametrize(("name", "search", "owner", "offer", "offered", "written"), SEARCHED)
def test_a_proximity_search_reads_the_set_alone_ok(name: str, search: str, owner: str, offer: str, offered: str, written: str) -> None:
    """A search filtering the points only by the set's split reads Redis: no call to their owner, no internal near-the-point list there."""
    result, _ = _designed(name)
    arch = result.architecture
    flow = next(f for f in arch.flows if f.use_case == search)
    assert not [s for s in flow.steps if s.target == owner], flow.steps
    assert any(s.target == "redis" and s.description.startswith(f"GEOSEARCH {written} ") for s in flow.steps)
    api = next(a for a in arch.apis if a.service == owner)
    assert not [o.operation_id for o in api.operations if o.internal and "near the point" in o.description]
    assert not [f.key for f in arch.figures if search in f.quantity and "synchronous call" in f.quantity]


@pytest.mark.parametrize(("name", "search", "owner", "offer", "offered", "written"), SEARCHED)
def test_a_recipient_search_reads_the_set_of_its_constant_ok(name: str, search: str, owner: str, offer: str, offered: str, written: str) -> None:
    """Recipients filtered by a constant (available, on call) come from the set of that value, the one the writer adds each point to."""
    result, _ = _designed(name)
    arch = result.architecture
    writes = [m.how for m in arch.mechanisms if m.serves == "write" and m.how.startswith("GEOADD ")]
    assert writes == [f"GEOADD {written} overwrites the latest {written.split(':')[1]} in Redis"]
    flow = next(f for f in arch.flows if f.use_case == offer)
    assert any(s.description.startswith(f"GEOSEARCH {offered} FROMLONLAT") for s in flow.steps), [s.description for s in flow.steps]
    made = next(d for d in arch.decisions if d.id.startswith("geo.") and d.subject == offer)
    assert f"GEOSEARCH {offered} FROMLONLAT" in made.choice
    assert "it reads every set" not in made.choice
