"""The diagrams draw what the text builds, when it builds it (issue 22-c5).

A table of specs of different shapes, each drawn and checked against the decisions the text states: a table sharded now
beside one the growth plan shards later (services and a monolith's shared database); presence and real-time delivery
relayed from the outbox; a write kept in memory publishing to pub/sub itself; a wide-column table whose CDC log feeds a
search indexer and the gateway, read and deleted by id.
"""

from __future__ import annotations

import functools
import re

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.patterns.wide_column import addressed_by_id
from backend_architect.ir.model import Architecture, Table
from backend_architect.ir.query import all_tables
from backend_architect.render.handoff_model import Handoff
from backend_architect.spec.load import load_spec_bytes

#: Documents sized past one primary's store within months (sharded at the growth stage), readings past its writes today (sharded now).
ARCHIVE = """
system: archive
entities:
  Account: {fields: {name: string(80)}, rows: 1M}
  Document: {fields: {account: ref(Account), body: {type: text, avg_bytes: 4000}}, growth: 5M/day}
  Reading: {fields: {account: ref(Account), value: float, taken_at: datetime}, growth: 2B/day}
use_cases:
  - {name: store document, actor: user, writes: [Document], rate: 5M/day}
  - {name: account documents, actor: user, reads: [Document], filter: [account], rate: 100/s}
  - {name: record reading, actor: meter, writes: [Reading], rate: 2B/day}
  - {name: account readings, actor: user, reads: [Reading], filter: [account], consistency: strong, rate: 50/s}
"""
#: The same tables in a modular monolith's one database.
ARCHIVE_MONOLITH = ARCHIVE.replace("system: archive\n", "system: archive\nteam: {size: 4}\n")

#: A monolith with presence and lines pushed live to a room, relayed from the outbox.
ROOMS = """
system: rooms
team: {size: 4}
scale: {concurrent_users: 200k}
entities:
  User: {fields: {handle: string(30)}, rows: 2M, presence: true}
  Room: {fields: {title: string(80)}, rows: 100k}
  Seat: {fields: {room: ref(Room), user: ref(User)}, unique: [[room, user]]}
  Line: {fields: {room: ref(Room), author: ref(User), body: string(500)}, growth: 5M/day}
use_cases:
  - {name: take seat, actor: user, writes: [Seat], rate: 100k/day}
  - {name: say line, actor: user, writes: [Line], rate: 5M/day, avg_fanout: 30, deliver: {mode: realtime, to: Line.room}}
  - {name: room lines, actor: user, reads: [Line], filter: [room], sort: [-created_at], rate: 20M/day}
  - {name: who is here, actor: user, reads: [Seat, User], filter: [room], online: true, rate: 5M/day}
"""

#: Notes appended per board into a wide-column store, pushed live, searched (its CDC log feeds the indexer), read and dropped by id.
WALL = """
system: wall
entities:
  Board: {fields: {title: string(80)}, rows: 5M}
  Note: {fields: {board: ref(Board), text: {type: text, avg_bytes: 200}}}
use_cases:
  - {name: pin note, actor: user, kind: create, writes: [Note], rate: 300M/day, avg_fanout: 5, deliver: {mode: realtime, to: Note.board}}
  - {name: board notes, actor: user, kind: list, reads: [Note], filter: [board], sort: [-created_at], consistency: eventual, rate: 50M/day}
  - {name: search notes, actor: user, kind: list, reads: [Note], filter: [board], search: [text], consistency: eventual, rate: 1M/day}
  - {name: read note, actor: user, kind: get, reads: [Note], rate: 1M/day}
  - {name: drop note, actor: user, kind: delete, owner_only: true, writes: [Note], rate: 1M/day}
"""
#: The same wall with no request of its own by id (only the read-back GET of a created note addresses one).
WALL_PAGES = "\n".join(line for line in WALL.splitlines() if "read note" not in line and "drop note" not in line) + "\n"

#: Truck positions kept in memory (a latest value), each move pushed live to its depot: the write path publishes it itself.
FLEET = """
system: fleet
entities:
  Depot: {fields: {name: string(80)}, rows: 5k}
  Truck: {fields: {depot: ref(Depot), spot: geo?}, rows: 200k}
use_cases:
  - name: move truck
    actor: truck
    kind: update
    writes: [Truck.spot]
    latest: true
    every: 5s
    rate: 40k/s
    avg_fanout: 3
    deliver: {mode: realtime, to: Truck.depot}
  - {name: depot trucks, actor: dispatcher, kind: list, reads: [Truck], filter: [depot], rate: 50/s}
"""

#: Scanned files uploaded by pre-signed URL and downloaded through a CDN (plain blobs, no processing).
SCANS = """
system: scans
entities:
  Clinic: {fields: {name: string(80)}, rows: 50k}
  Scan:
    fields:
      clinic: ref(Clinic)
      file: {type: blob, avg_bytes: 8MB, content_types: [application/pdf]}
    growth: 1M/day
use_cases:
  - {name: upload scan, actor: nurse, writes: [Scan], rate: 1M/day}
  - {name: view scan, actor: doctor, reads: [Scan], rate: 2k/s}
"""
#: Photos processed into renditions by workers, served by a CDN.
SNAPS = """
system: snaps
entities:
  User: {fields: {handle: string(30)}, rows: 5M}
  Snap:
    fields:
      owner: ref(User)
      image: {type: blob, avg_bytes: 3MB, media: {renditions: [thumb, large]}}
    growth: 2M/day
use_cases:
  - {name: post snap, actor: user, writes: [Snap], rate: 2M/day}
  - {name: view snap, actor: visitor, auth: none, reads: [Snap], rate: 5k/s}
"""

SPECS = {
    "scans": SCANS,
    "snaps": SNAPS,
    "archive": ARCHIVE,
    "archive-monolith": ARCHIVE_MONOLITH,
    "rooms": ROOMS,
    "wall": WALL,
    "wall-pages": WALL_PAGES,
    "fleet": FLEET,
}


@functools.cache
def _designed(name: str) -> DesignResult:
    return design_spec(load_spec_bytes(SPECS[name].encode(), f"{name}.yaml"))


def _lines(name: str, path: str = "diagrams/architecture.mmd") -> list[str]:
    return [line.strip() for line in _designed(name).files[path].splitlines()]


def _sharded(arch: Architecture) -> list[Table]:
    return [t for _, t in all_tables(arch) if t.sharding is not None]


def _db_labels(name: str) -> str:
    return " ".join(line for line in _lines(name) if line.startswith("db_"))


@pytest.mark.parametrize(("name", "now", "later"), [("archive", "readings", "documents"), ("archive-monolith", "readings", "documents")])
def test_database_node_draws_todays_shards_and_later_ones_as_later_ok(name: str, now: str, later: str) -> None:
    """A shard map built now is drawn as deployed; one the growth plan builds later is drawn on the primary until then, and the
    provisioning line says the same."""
    arch = _designed(name).architecture
    timing = {t.name: t.sharding.now for t in _sharded(arch) if t.sharding is not None}
    assert timing == {now: True, later: False}
    label = _db_labels(name)
    assert f"{now}: " in label
    assert f"{now}: on the primary now" not in label
    assert f"{later}: on the primary now; " in label
    assert re.search(
        rf"{later}: on the primary now; \d+ shards x \(\d+ copies \+ \d+ read replica\(s\) per shard\) = [\d,]+ nodes once sharded \(see growth\)", label
    ), label
    assert re.search(rf"{now}: \d+ shards x \(\d+ copies \+ \d+ read replica\(s\) per shard\) = [\d,]+ nodes(;|\))", label), label
    handoff = Handoff.model_validate_json(_designed(name).files["handoff.json"])
    provision = next(s.task for s in handoff.next_phase if s.role == "database-administration")
    assert f"{later}: on the primary now; " in provision


@pytest.mark.parametrize("name", ["archive", "archive-monolith"])
def test_availability_says_which_shard_maps_are_built_now_ok(name: str) -> None:
    """The availability plan names a map built now as built now and one built later as 'once sharded', as the growth plan times them."""
    arch = _designed(name).architecture
    plan = next(d for d in arch.decisions if d.id == "availability").choice
    built, _, later = plan.partition("once sharded (see growth)")
    assert re.search(r"readings \d+ shards x \d+ nodes = [\d,]+ nodes \(built now\)", built), built
    assert re.search(r"documents \d+ shards", later), plan
    assert not re.search(r"documents \d+ shards", built), plan


@pytest.mark.parametrize("name", ["rooms", "wall", "fleet"])
def test_the_gateway_is_drawn_using_redis_ok(name: str) -> None:
    """The real-time gateway keeps its connection registry, subscriptions and presence keys in Redis: drawn linked to it."""
    arch = _designed(name).architecture
    redis = next(c for c in arch.components if c.name == "redis")
    assert "realtime-gateway" in redis.parts
    assert "cmp_realtime_gateway --- cmp_redis" in _lines(name)
    assert "[redis] cache: " in _designed(name).files["diagrams/architecture.txt"]
    assert "(used by realtime-gateway)" in _designed(name).files["diagrams/architecture.txt"]


@pytest.mark.parametrize(("name", "relay", "broker"), [("rooms", "outbox", False), ("wall", "cdc_Note", True)])
def test_a_relayed_push_is_drawn_through_redis_pub_sub_ok(name: str, relay: str, broker: bool) -> None:
    """An event the relay takes to the gateway goes through Redis pub/sub, as the delivery decision says; behind a broker the relay
    publishes to the broker and the gateway's consumer publishes on Redis (one path, ir.query.delivery_hops); never relay -> gateway."""
    lines = _lines(name)
    if broker:
        assert f"{relay} -.->|publish| cmp_broker" in lines
        assert "cmp_broker -.->|consume| cmp_realtime_gateway" in lines
        assert "cmp_realtime_gateway -.->|publish| cmp_redis" in lines
        assert f"{relay} -.->|publish| cmp_redis" not in lines, "the relay feeds the broker, never Redis beside it"
    else:
        assert f"{relay} -.->|publish| cmp_redis" in lines
    assert "cmp_redis -.->|pub/sub| cmp_realtime_gateway" in lines
    assert not [line for line in lines if line.endswith("-.-> cmp_realtime_gateway") and not line.startswith("cmp_redis")]
    sequences = [text for path, text in _designed(name).files.items() if path.startswith("diagrams/sequence-") and "realtime_gateway" in text]
    assert sequences
    for text in sequences:
        assert "p_redis-)p_realtime_gateway: deliver" in text
        assert not [line for line in text.splitlines() if line.strip().startswith(("outbox-)p_realtime", "cdc-)p_realtime"))]


@pytest.mark.parametrize(("name", "owner", "parts"), [("scans", "scans", ["cdn"]), ("snaps", "snaps", ["cdn", "snap-image-workers"])])
def test_object_storage_is_drawn_with_those_using_it_ok(name: str, owner: str, parts: list[str]) -> None:
    """The service signing the URLs and checking each upload uses the object store; the CDN fetches from it (its origin) and the
    media workers read uploads and write renditions there: each drawn linked to it."""
    arch = _designed(name).architecture
    store = next(c for c in arch.components if c.name == "object-storage")
    assert owner in store.services
    assert sorted(store.parts) == parts
    lines = _lines(name)
    assert f"svc_{owner} --- cmp_object_storage" in lines
    for part in parts:
        assert f"cmp_{part.replace('-', '_')} --- cmp_object_storage" in lines


def test_a_cdc_fed_indexer_consumes_from_the_relay_ok() -> None:
    """The search indexer consumes the CDC log's events itself: its edge comes from the broker the relay publishes to, not through Redis."""
    lines = _lines("wall")
    assert "cdc_Note -.->|publish| cmp_broker" in lines
    assert "cmp_broker -.->|consume| cmp_search_indexer" in lines
    assert "cmp_redis -.->|pub/sub| cmp_search_indexer" not in lines


def test_a_write_kept_in_memory_is_drawn_publishing_to_redis_ok() -> None:
    """A latest value's write publishes to Redis pub/sub itself (no outbox, no domain event): both diagrams draw that path."""
    lines = _lines("fleet")
    assert "svc_trucks -.->|TruckMoved| cmp_redis" in lines
    assert "cmp_redis -.->|pub/sub| cmp_realtime_gateway" in lines
    assert not [line for line in lines if line.startswith("outbox")]
    text = _designed("fleet").files["diagrams/architecture.txt"]
    assert "trucks ~~TruckMoved~~> realtime-gateway (published by the write path), through redis pub/sub" in text
    sequence = _designed("fleet").files["diagrams/sequence-move-truck.mmd"]
    assert "p_trucks-)p_redis: TruckMoved (published by the write path, no outbox)" in sequence


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("wall", ["read note", "drop note"], id="get-and-delete-by-id"),
        pytest.param("wall-pages", ["GET /notes/{note_id}"], id="read-back-only"),
    ],
)
def test_lookup_table_purpose_lists_the_requests_that_read_it_ok(name: str, expected: list[str]) -> None:
    """The by-id lookup's purpose lists exactly the operations addressing one row by id: never the insert or the page by partition."""
    result = _designed(name)
    table = next(t for _, t in all_tables(result.architecture) if t.wide_column is not None)
    assert table.wide_column is not None
    assert table.wide_column.lookup_for == expected
    record = next(d for d in result.architecture.decisions if d.id == "wide-column")
    purpose = record.choice.split("notes_by_id maps an id to its partition for ")[1].split(" (every insert")[0]
    assert purpose == ", ".join(expected)
    for other in ("pin note", "board notes", "search notes"):
        assert other not in purpose
    cql = next(text for path, text in result.files.items() if path.endswith(".cql"))
    assert f"read by the requests addressing one row by id ({', '.join(expected)})" in cql


def test_no_request_by_id_needs_no_lookup_table_ok() -> None:
    """Without an operation addressing one row by id, the access paths read no lookup: none is listed."""
    arch = _designed("wall-pages").architecture
    table = next(t for _, t in all_tables(arch) if t.wide_column is not None)
    pages = [api.model_copy(update={"operations": [op for op in api.operations if "{note_id}" not in op.path]}) for api in arch.apis]
    assert addressed_by_id(arch.model_copy(update={"apis": pages}), table) == []


@pytest.mark.parametrize("name", sorted(SPECS))
def test_links_and_pub_sub_edges_name_declared_nodes_ok(name: str) -> None:
    """Every part link and pub/sub edge joins two nodes the diagram declares (Mermaid would draw an undeclared one as a bare box)."""
    lines = _lines(name)
    declared = {re.split(r"[\[({>]", line, maxsplit=1)[0] for line in lines if re.match(r"^\w+[\[({>]", line)}
    edges = [re.split(r" --- | -\.->\|pub/sub\| ", line) for line in lines if line.startswith("cmp_") and (" --- " in line or "|pub/sub|" in line)]
    assert edges or name.startswith("archive")
    for left, right in edges:
        assert left in declared, (name, left)
        assert right in declared, (name, right)
