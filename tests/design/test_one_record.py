"""What one record says, every other record says: examples against their filters, one idempotency window, remedies the
decisions allow, a row's write rate with the write-backs the design performs.

Run over the consistency table's designs (bundled examples, the system-design benchmark's specs and the written shapes of
``test_document_consistency``), and over small specs written here: a filtered search by an enum, a flag and a reference;
append-only tables kept whole by their unique key or by the tables referencing them; a presence read beside a cached one.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import pytest
import yaml
from tests.design.test_document_consistency import DESIGNS, RENDERED

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture, Operation
from backend_architect.ir.query import example_query
from backend_architect.ir.runtime_tables import RUNTIME_RETENTION_DAYS
from backend_architect.scaffold import files as scaffold_files
from backend_architect.spec.load import load_spec_bytes

#: Query parameters that choose how many or where, never which rows by a field's value.
_NOT_FILTERS = {"limit", "cursor", "offset", "sort", "q", "radius", "lat", "lon"}

CABS = """
system: cabs
entities:
  Driver: {fields: {name: string(80)}}
  Position: {fields: {driver: ref(Driver), status: "enum[offline, available, on_trip]", location: geo}, rows: 1M}
use_cases:
  - {name: report position, actor: driver, kind: update, writes: [Position.location], rate: 1k/s}
  - {name: find available cabs, description: Cabs of available drivers near the rider., actor: rider, reads: [Position],
     near: Position.location, radius: 3km, filter: [status], rate: 500/s}
"""
LISTINGS = """
system: listings
entities:
  Agent: {fields: {name: string(80)}}
  Home: {fields: {agent: ref(Agent), title: string(200), furnished: bool, kind: "enum[flat, house, studio]"}, rows: 2M}
use_cases:
  - {name: add home, actor: agent, writes: [Home], rate: 5/s}
  - {name: list a studio or a house, actor: renter, reads: [Home], filter: [kind, furnished, agent], rate: 80/s}
  - {name: list every home, actor: renter, reads: [Home], page: none, rate: 1/s}
"""
ORDERS = """
system: shop
entities:
  Customer: {fields: {name: string(80)}}
  Order: {fields: {customer: ref(Customer), state: "enum[placed, paid, shipped]"}, rows: 5M}
use_cases:
  - {name: place order, actor: customer, writes: [Order], rate: 50/s}
  - {name: list shipped orders, actor: customer, reads: [Order], filter: [state], rate: 300/s}
"""


SHOWS = """
system: shows
entities:
  Show: {fields: {title: string(200), status: "enum[draft, live, ended]", featured: bool, seats: int}, rows: 1M}
use_cases:
  - {name: add show, actor: editor, writes: [Show], rate: 1/s}
  - {name: list live shows, actor: viewer, reads: [Show], filter: [status=live, featured=true, seats=40], rate: 100/s}
  - {name: list ended shows, actor: viewer, reads: [Show], filter: [Show.status=ended], page: none, rate: 10/s}
"""


def _design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


def _items(op: Operation) -> list[dict[str, Any]]:
    response = op.example_response
    items = response.get("items") if isinstance(response, dict) else response
    return [row for row in items if isinstance(row, dict)] if isinstance(items, list) else []


def _filter_mismatches(arch: Architecture) -> list[str]:
    """Every list's exact-match filter the items carry: an example in the request, and every item answering it."""
    wrong = []
    for api in arch.apis:
        for op in api.operations:
            rows = _items(op)
            if op.method != "get" or not rows:
                continue
            for param in op.parameters:
                if param.location != "query" or not param.spec_ref or param.name in _NOT_FILTERS or param.name not in rows[0]:
                    continue
                if isinstance(rows[0][param.name], (dict, list)) or rows[0][param.name] is None:
                    continue
                if param.example is None:
                    wrong.append(f"{op.operation_id}: filter {param.name} has no example")
                elif any(row[param.name] != param.example for row in rows):
                    wrong.append(f"{op.operation_id}: {param.name}={param.example} answered with {[row[param.name] for row in rows]}")
    return wrong


def _constant_mismatches(arch: Architecture) -> list[str]:
    """Every read's constant filter its description states ('Returns only items where status = live'), against its items."""
    wrong = []
    for api in arch.apis:
        for op in api.operations:
            said = re.search(r"Returns only items where (.+?)\.(?: |$)", op.description)
            rows = _items(op) if op.method == "get" else []
            for clause in said.group(1).split(" and ") if said and rows else []:
                field, value = clause.split(" = ", 1)
                for row in rows:
                    if field in row and str(row[field]).lower() != value.lower():
                        wrong.append(f"{op.operation_id}: {field} = {value} answered with {row[field]}")
    return wrong


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_list_examples_satisfy_their_constant_filters_ok(name: str, arch: Architecture, document: str) -> None:
    """Every item a read's example answers has the values its constant filters fix."""
    assert _constant_mismatches(arch) == []


def test_constant_filters_shape_the_items_ok() -> None:
    """An enum, a flag and a number fixed by the read (status=live, featured=true, seats=40) are what each item shows."""
    arch = _design(SHOWS)
    assert _constant_mismatches(arch) == []
    ops = {o.use_cases[0]: o for a in arch.apis for o in a.operations if o.kind == "list"}
    (live,) = _items(ops["list live shows"])
    assert (live["status"], live["featured"], live["seats"]) == ("live", True, 40)
    assert {row["status"] for row in _items(ops["list ended shows"])} == {"ended"}


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_list_examples_satisfy_their_filters_ok(name: str, arch: Architecture, document: str) -> None:
    """Every list's example request names each filter's value, and every item of its example answer has it."""
    assert _filter_mismatches(arch) == []


@pytest.mark.parametrize(
    ("spec", "use_case", "expected"),
    [
        (CABS, "find available cabs", {"status": "available", "lat": 51.5072, "lon": -0.1276}),
        (LISTINGS, "list a studio or a house", {"kind": "studio"}),
        (ORDERS, "list shipped orders", {"state": "shipped"}),
    ],
)
def test_filter_example_is_the_value_the_read_names_ok(spec: str, use_case: str, expected: dict[str, Any]) -> None:
    """The enum value a read's name or description says is the one its example asks for and answers (not the first value)."""
    arch = _design(spec)
    assert _filter_mismatches(arch) == []
    op = next(o for a in arch.apis for o in a.operations if use_case in o.use_cases)
    sent = {p.name: p.example for p in op.parameters if p.example is not None}
    assert expected.items() <= sent.items(), sent
    for name, value in expected.items():
        if name not in {"lat", "lon"}:
            assert {row[name] for row in _items(op)} == {value}


def test_contract_and_design_show_the_filtered_request_ok() -> None:
    """The contract's parameters carry the examples, and design.md prints the list's request with its query."""
    result = design_spec(load_spec_bytes(ORDERS.encode(), "spec.yaml"))
    contract = yaml.safe_load(result.files["openapi/orders.yaml"])
    (get,) = [body["get"] for body in contract["paths"].values() if "get" in body and "x-use-cases" in body["get"]]
    state = next(p for p in get["parameters"] if p["name"] == "state")
    assert state["example"] == "shipped"
    assert {i["state"] for i in get["responses"]["200"]["content"]["application/json"]["example"]["items"]} == {"shipped"}
    op = next(o for a in result.architecture.apis for o in a.operations if o.kind == "list")
    assert f"Request: `GET /v1{op.path}?{example_query(op)}`" in result.files["design.md"]
    assert "state=shipped" in example_query(op)


def test_unpaged_list_example_has_no_next_cursor_ok() -> None:
    """A list without pages (page: none) says next_cursor is always null: its example shows null, a paged one a cursor."""
    arch = _design(LISTINGS)
    ops = {o.use_cases[0]: o for a in arch.apis for o in a.operations if o.kind == "list"}
    assert ops["list every home"].example_response["next_cursor"] is None
    assert ops["list a studio or a house"].example_response["next_cursor"]


def _windows(files: dict[str, str]) -> dict[str, set[float]]:
    """Each record's idempotency window in days: the contract's replay, design.md, the DDL's deletion, the CQL TTL."""
    found: dict[str, set[float]] = {}
    for path, text in files.items():
        if path.startswith("openapi/"):
            said = re.findall(r"replays return the first response for (\d+) (days|hours)", text)
            found.setdefault("contract", set()).update(float(n) / (24 if unit == "hours" else 1) for n, unit in said)
        elif path == "design.md":
            found.setdefault("design.md", set()).update(float(n) for n in re.findall(r"Keys are kept (\d+) days", text))
            assert not re.search(r"replayed for \d+ hours", text)
        elif path.endswith(".sql"):
            found.setdefault("ddl", set()).update(float(n) for n in re.findall(r"keys older than (\d+) days", text))
        elif path.endswith(".cql"):
            for ttl in re.findall(r'"\w*idempotency\w*" \([^;]*?default_time_to_live = (\d+)', text):
                found.setdefault("cql", set()).add(int(ttl) / 86_400)
    return {k: v for k, v in found.items() if v}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_one_idempotency_window_everywhere_ok(name: str) -> None:
    """The replay window the contract promises is the days the keys are kept in design.md, the DDL and the CQL TTL."""
    windows = _windows(RENDERED[name])
    assert len(set().union(*windows.values())) <= 1, windows
    assert set().union(*windows.values()) <= {float(RUNTIME_RETENTION_DAYS)}, windows


def test_scaffold_replays_for_the_window_the_design_keeps_ok() -> None:
    """The generated service's replay window is the design's key retention (not a day, after which a reused key would be free)."""
    static = scaffold_files._static("python")["core/idempotency.py"]
    (assign,) = [n for n in ast.parse(static).body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "RETENTION"]
    assert isinstance(assign.value, ast.Call)
    kept = {k.arg: ast.literal_eval(k.value) for k in assign.value.keywords}
    assert kept == {"days": RUNTIME_RETENTION_DAYS}


RIDES = """
system: rides
scale: {retention_years: 5}
entities:
  Driver: {fields: {name: string(80)}, rows: 1M}
  Trip: {fields: {driver: ref(Driver), fare: money}, growth: 20M/day}
  Denial: {fields: {trip: ref(Trip), driver: ref(Driver), reason: string(200)}, unique: [[trip, driver]], growth: 20M/day, append_only: true}
  Ping: {fields: {driver: ref(Driver), note: string(200)}, growth: 1M/day, append_only: true}
use_cases:
  - {name: book trip, actor: rider, writes: [Trip], rate: 20M/day}
  - {name: deny trip, actor: driver, writes: [Denial], rate: 20M/day}
  - {name: send ping, actor: driver, writes: [Ping], rate: 1M/day}
  - {name: get trip, actor: rider, kind: get, reads: [Trip], rate: 200/s}
"""
KEPT_BY_AUTHOR = (
    RIDES
    + """decisions:
  partitioning.pings: {choose: none, reason: the archive job reads the table whole}
"""
)


def _size_steps(arch: Architecture) -> dict[str, str]:
    return {b.scope: b.scaling_step for b in arch.bottlenecks if b.title.startswith("Size of ")}


def test_size_remedy_never_offers_partitions_the_key_refuses_ok() -> None:
    """An append-only table whose unique key must hold across the table is offered batched archiving, not time partitions;
    one without such a key is partitioned, as the partitioning decision says."""
    arch = _design(RIDES)
    steps = _size_steps(arch)
    denials = next(t for s in arch.datastores for t in s.tables if t.entity == "Denial")
    assert denials.partitioning is None
    assert any(a.startswith(f"{denials.name} (") and " passes 32 GB and stays whole: " in a for a in arch.assumptions)
    assert "partition by created_at" not in steps[denials.name]
    assert "kept whole past 32 GB (the partitioning decision): its unique key (trip_id, driver_id)" in steps[denials.name]
    assert "in batches by created_at" in steps[denials.name]
    pings = next(t for s in arch.datastores for t in s.tables if t.entity == "Ping")
    assert pings.partitioning is not None
    assert steps[pings.name].startswith("partitioned by created_at")


def test_size_remedy_follows_the_authors_whole_table_ok() -> None:
    """A table the spec author keeps whole is offered batched archiving, never the partitions the author declined."""
    arch = _design(KEPT_BY_AUTHOR)
    step = _size_steps(arch)["pings"]
    assert step.startswith("kept whole by the spec author"), step
    assert "partition by" not in step


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_remedies_offer_only_what_the_decisions_allow_ok(name: str, arch: Architecture, document: str) -> None:
    """No size remedy proposes time partitions for a table the partitioning decision kept whole; no call remedy proposes a
    cache for a read that must be current, a cache in front of Redis, or a second cache on a cached path."""
    refused = {a.split(" (", 1)[0] for a in arch.assumptions if " passes 32 GB and stays whole: " in a}
    for table, step in _size_steps(arch).items():
        if table in refused:
            assert "partition by created_at" not in step, (table, step)
    caches = {c.use_case: c for c in arch.caches}
    for bottleneck in arch.bottlenecks:
        if not bottleneck.title.startswith("Synchronous calls"):
            continue
        assert "calling redis" not in bottleneck.trigger, bottleneck
        plan = caches.get(bottleneck.scope)
        if "cache the callee's answers" in bottleneck.scaling_step and plan is not None:
            assert plan.strategy == "none", bottleneck
            assert "must be current" not in plan.rationale, (bottleneck, plan.rationale)


LAST_SEEN = """
system: pals
entities:
  User: {fields: {handle: {type: string(30), unique: true}, bio: string(200), last_seen_at: datetime?}, rows: 50M, presence: {offline_after: 30s}}
  Note: {fields: {author: ref(User), body: string(500)}, growth: 10M/day}
use_cases:
  - {name: post note, actor: user, writes: [Note], rate: 10M/day, deliver: {mode: realtime, to: author}}
  - {name: view profile, actor: user, kind: get, reads: [User], staleness: 10m, consistency: eventual, rate: 1k/s}
  - {name: view last seen, actor: user, kind: get, reads: [User.last_seen_at], rate: 2k/s}
  - {name: view contact, actor: user, kind: get, reads: [User], online: true, rate: 3k/s}
"""


def _write_backs(arch: Architecture) -> dict[str, float]:
    """Writes/s the design's mechanisms themselves make to each entity's rows (last seen written back)."""
    found: dict[str, float] = {}
    for mechanism in arch.mechanisms:
        for load in mechanism.loads:
            if load.writes_per_s:
                found[load.entity] = found.get(load.entity, 0.0) + load.writes_per_s
    return found


def _cache_writes_stated(arch: Architecture) -> list[tuple[str, str, float]]:
    """Each cache decision's entity and the writes/s it states to it."""
    stated = []
    for d in arch.decisions:
        found = re.search(r"([\d,.]+) writes/s to (\w+)", d.context) if d.id.startswith("cache.") else None
        if found:
            stated.append((d.id, found.group(2), float(found.group(1).replace(",", ""))))
    return stated


@pytest.mark.parametrize("spec", [LAST_SEEN, "designs"])
def test_a_rows_write_rate_includes_the_designs_write_backs_ok(spec: str) -> None:
    """A cache decision's writes/s to an entity counts what the design itself writes back to its rows."""
    archs = [d[1] for d in DESIGNS] if spec == "designs" else [_design(spec)]
    checked = 0
    for arch in archs:
        backs = _write_backs(arch)
        for decision, entity, writes in _cache_writes_stated(arch):
            if entity in backs:
                checked += 1
                assert writes >= backs[entity] - 0.5, (decision, writes, backs[entity])
                context = next(d.context for d in arch.decisions if d.id == decision)
                assert "never change once written" not in context or "write-back" in context, context
    assert checked or spec == "designs"


def test_write_back_taken_elsewhere_deletes_no_keys_ok() -> None:
    """A read taking last seen from Redis (online: true) states the write-back's rate, and its hit ratio counts no
    invalidation for it; a read returning the row itself (its last_seen_at) counts the write-back as changes."""
    arch = _design(LAST_SEEN)
    backs = _write_backs(arch)["User"]
    assert backs > 0
    figures = {f.key: f for f in arch.figures}
    profile = figures.get("cache.hit_ratio.view-profile")
    if profile is not None:
        assert profile.inputs["invalidating_writes_per_s"] >= backs - 0.5
    contact = figures["cache.hit_ratio.view-contact"]
    assert contact.inputs["invalidating_writes_per_s"] == 0
    (decision,) = [d for d in arch.decisions if d.id == "cache.view-contact"]
    assert decision.inputs["writes_per_s"] >= backs - 0.5
    # the invalidating share is named apart in the decision too, the same figure the hit ratio reads
    assert decision.inputs["invalidating_writes_per_s"] == contact.inputs["invalidating_writes_per_s"]
    assert "which this read takes from redis, never from the cache" in decision.context
