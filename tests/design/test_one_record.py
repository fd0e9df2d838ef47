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
