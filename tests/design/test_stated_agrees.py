"""What the spec asks and the design gives agree: one list of who is limited how, one list of statuses, one list of who signs
in, and a strongly consistent write whose rows part is reported, never silently both.

- Every operation carries one person's limit (``ir.query.operation_limit``); design.md's "covers" lists are read from that
  same assignment (``ir.limit_covers``), so the table never names a use case the contract limits otherwise, and an operation
  no use case names takes its class's tightest limit, not a machine's catch-up bucket.
- design.md's API table lists exactly the error statuses the contract answers: a 403 no check answers is dropped from the
  one list both read (``design.refused_statuses``).
- An external system calling back signs its requests: the auth record names it under signed callbacks, never among the
  callers who sign in as people.
- A write the spec asks to be strongly consistent whose rows the design puts on different shards is a DES030 warning.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.spec.load import load_spec_bytes

#: Reviews read by people and, at a machine's rate, by a few partners; a public book with a cover (its download URL).
SHELF = """
system: shelf
team: {size: 8}
scale: {users: 2M, daily_active: 200k}
entities:
  Reader: {fields: {name: string(80)}, rows: 2M}
  Partner: {fields: {name: string(80)}, rows: 40}
  Book: {fields: {title: string(200), cover: file}, rows: 500k}
  Review: {fields: {book: ref(Book), reader: ref(Reader), stars: int}, rows: 20M}
use_cases:
  - {name: browse books, actor: visitor, auth: none, reads: [Book], rate: 300/s}
  - {name: open book, actor: visitor, auth: none, kind: get, reads: [Book], rate: 200/s}
  - {name: write review, actor: reader, writes: [Review], rate: 5/s}
  - {name: list reviews, actor: reader, reads: [Review], filter: [book], rate: 50/s}
  - {name: sync reviews, actor: partner, reads: [Review], rate: 400/s}
"""

#: A clinic paid through a provider whose webhook records the result; the payment actor is the provider's kind.
CLINIC = """
system: clinic
team: {size: 10}
scale: {users: 500k}
entities:
  Patient: {fields: {name: {type: string(80), pii: true}}, rows: 500k}
  Appointment: {fields: {patient: ref(Patient), at: timestamp, status: "enum[booked,cancelled,done]"}, rows: 10M}
  Payment: {fields: {appointment: ref(Appointment), amount: money, state: "enum[pending,paid,failed]"}}
external:
  Adyen: {kind: payment}
use_cases:
  - {name: book appointment, actor: patient, writes: [Appointment], rate: 20/s, calls: [Adyen]}
  - {name: list appointments, actor: patient, owner_only: true, reads: [Appointment], rate: 100/s}
  - {name: record payment result, actor: payment, writes: [Payment], rate: 20/s}
  - {name: view schedule, actor: doctor, reads: [Appointment], filter: [at], rate: 30/s}
"""

#: Parcels scanned by a carrier's webhook, opened by shoppers with an optional token; a label file (its download URL).
PARCELS = """
system: parcels
team: {size: 10}
entities:
  Shipment: {fields: {ref_code: string(20), status: "enum[created,moving,delivered]", label: file}, rows: 50M}
  ScanEvent: {fields: {shipment: ref(Shipment), at: timestamp, place: string(80)}, rows: 2B}
external:
  Carrier: {kind: shipping}
use_cases:
  - {name: create shipment, actor: merchant, writes: [Shipment], rate: 100/s, calls: [Carrier]}
  - {name: track shipment, actor: shopper, auth: optional, reads: [Shipment, ScanEvent], rate: 2k/s}
  - {name: open shipment, actor: shopper, auth: optional, kind: get, reads: [Shipment], rate: 500/s}
  - {name: carrier scan, actor: carrier_webhook, writes: [ScanEvent], rate: 3k/s}
"""

#: A recipe and its ingredients written together, strong asked; the two tables shard by different keys.
RECIPES = """
system: recipes
team: {size: 20}
scale: {users: 300M, daily_active: 60M, retention_years: 10}
entities:
  Cook: {fields: {handle: string(40)}, growth: 500k/day}
  Recipe:
    fields: {author: ref(Cook), title: string(200), steps: text}
    many_to_many: [Ingredient]
    growth: 8M/day
  Ingredient:
    fields: {name: {type: string(60), unique: true}}
    avg_per_parent: 8
use_cases:
  - {name: publish recipe, actor: cook, writes: [Recipe, Recipe.ingredients], rate: 8M/day, consistency: strong}
  - {name: open recipe, actor: cook, reads: [Recipe], rate: 800M/day}
  - {name: recipes with ingredient, actor: cook, reads: [Recipe], filter: [ingredients], rate: 100M/day}
"""

#: An order and its lines written together, strong asked; the lines shard by their order's key (one shard).
ORDERS = """
system: orders
team: {size: 20}
scale: {users: 300M, daily_active: 60M, retention_years: 10}
entities:
  Shopper: {fields: {handle: string(40)}, growth: 500k/day}
  Order: {fields: {shopper: ref(Shopper), total: money}, growth: 20M/day}
  OrderLine: {fields: {order: ref(Order), sku: string(40), qty: int}, growth: 100M/day}
use_cases:
  - {name: place order, actor: shopper, writes: [Order, OrderLine], rate: 20M/day, consistency: strong}
  - {name: view order, actor: shopper, reads: [Order, OrderLine], rate: 200M/day}
"""

_CACHE: dict[str, DesignResult] = {}


def _design(text: str) -> DesignResult:
    if text not in _CACHE:
        _CACHE[text] = design_spec(load_spec_bytes(text.encode(), "agree.yaml"))
    return _CACHE[text]


def _contract_ops(result: DesignResult) -> list[tuple[str, dict[str, Any]]]:
    """Every operation of every contract, with its contract's base path prepended to its path."""
    found = []
    for name, text in result.files.items():
        if name.startswith("openapi/") and name.endswith(".yaml"):
            doc = yaml.safe_load(text)
            base = _base_path(doc)
            for path, item in doc["paths"].items():
                found += [(f"{method.upper()} {base}{path}", op) for method, op in item.items() if isinstance(op, dict) and "operationId" in op]
    return found


def _base_path(doc: dict[str, Any]) -> str:
    """The base path of a contract's first server (``/v1``)."""
    url = str(doc.get("servers", [{}])[0].get("url", ""))
    return "/" + url.split("://", 1)[-1].split("/", 1)[1] if "/" in url.split("://", 1)[-1] else ""


def _limit_rows(design_md: str) -> dict[tuple[str, str], str]:
    """design.md's rate-limit table: (actor, class) -> the "why" cell."""
    section = design_md.split("Rate limits (token bucket per client):", 1)[1]
    rows = {}
    for line in section.splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] not in {"actor", "---"}:
            rows[(cells[0], cells[1])] = cells[4]
    return rows


@pytest.mark.parametrize("text", [pytest.param(SHELF, id="partners"), pytest.param(CLINIC, id="webhook"), pytest.param(PARCELS, id="optional-token")])
def test_covers_lists_read_the_contracts_limits_ok(text: str) -> None:
    """Each person's limit in design.md covers exactly the use cases (or, for one no use case names, the operationIds) whose
    contract operations carry it."""
    result = _design(text)
    by_limit: dict[tuple[str, str], set[str]] = {}
    for _where, op in _contract_ops(result):
        limit = op.get("x-rate-limit")
        if limit is None or limit["actor"] == "service":
            continue
        names = set(re.findall(r"Use case '([^']+)'", op.get("description", ""))) or {op["operationId"]}
        by_limit.setdefault((limit["actor"], limit["class"]), set()).update(names)
    rows = _limit_rows(result.files["design.md"])
    assert by_limit, "no contract operation carries a person's limit"
    for key, names in by_limit.items():
        covers = rows[key].rsplit("; covers ", 1)[1]
        assert set(covers.split(", ")) == names, key


@pytest.mark.parametrize("text", [pytest.param(SHELF, id="partners"), pytest.param(CLINIC, id="webhook"), pytest.param(PARCELS, id="optional-token")])
def test_unnamed_operation_takes_tightest_limit_ok(text: str) -> None:
    """An operation no use case names carries its class's tightest person limit, never a more generous actor's."""
    result = _design(text)
    limits = [r for r in (result.architecture.security.rate_limits if result.architecture.security else []) if not r.operations]
    unnamed = [(w, op) for w, op in _contract_ops(result) if "x-rate-limit" in op and "Use case '" not in op.get("description", "")]
    assert unnamed, "no operation without a use case"
    for where, op in unnamed:
        mine = op["x-rate-limit"]
        tightest = min(r.limit_per_minute for r in limits if r.operation_class == mine["class"])
        assert mine["per_minute"] == tightest, where


def test_partner_limit_stays_with_partner_err() -> None:
    """A partner's generous read limit is not lent to the get of one review no use case names."""
    ops = dict(_contract_ops(_design(SHELF)))
    get = next(op for where, op in ops.items() if where.startswith("GET ") and op["operationId"] == "getReview")
    assert get["x-rate-limit"]["actor"] == "reader"
    assert get["x-rate-limit"]["per_minute"] == 60


def _table_errors(design_md: str) -> dict[str, list[int]]:
    """design.md's API tables: 'METHOD /path' -> its error statuses."""
    found = {}
    for m in re.finditer(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|.*\| \d{3}; errors ([\d, ]+) \|$", design_md, re.M):
        found[f"{m[1]} {m[2]}"] = [int(s) for s in m[3].split(", ")]
    return found


@pytest.mark.parametrize("text", [pytest.param(SHELF, id="public-download"), pytest.param(CLINIC, id="webhook"), pytest.param(PARCELS, id="optional-download")])
def test_api_table_lists_the_contracts_statuses_ok(text: str) -> None:
    """design.md's API table and the contract list the same error statuses for every operation (no 403 only one of them has)."""
    result = _design(text)
    table = _table_errors(result.files["design.md"])
    compared = 0
    for where, op in _contract_ops(result):
        if where in table:
            answered = sorted(int(s) for s in op["responses"] if s.isdigit() and int(s) >= 400)
            assert table[where] == answered, where
            compared += 1
    assert compared >= 3


@pytest.mark.parametrize(
    ("text", "signed", "people"),
    [
        pytest.param(CLINIC, "payment", {"doctor", "patient"}, id="kind-named"),
        pytest.param(PARCELS, "carrier_webhook", {"merchant", "shopper"}, id="webhook-named"),
        pytest.param(SHELF, None, {"reader"}, id="none"),
    ],
)
def test_signing_system_is_no_person_ok(text: str, signed: str | None, people: set[str]) -> None:
    """The auth record lists a provider calling back under signed callbacks, and only people as signing in as people."""
    auth = next(d for d in _design(text).architecture.decisions if d.id == "auth")
    said = re.search(r"; ([\w, ]+) sign in as people", auth.rationale)
    assert said is not None
    assert set(said[1].split(", ")) == people
    assert ("signed callbacks" in auth.context) == (signed is not None)
    if signed:
        assert auth.context.split("signed callbacks", 1)[1].endswith(f": {signed}")
        assert signed not in auth.context.split(";", 1)[0]


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        pytest.param(RECIPES, True, id="split-strong"),
        pytest.param(RECIPES.replace("consistency: strong", "consistency: eventual, staleness: 5s"), False, id="split-eventual"),
        pytest.param(RECIPES.replace(", consistency: strong", ""), False, id="split-unstated"),
        pytest.param(ORDERS, False, id="co-located-strong"),
    ],
)
def test_strong_write_split_is_reported_ok(text: str, warned: bool) -> None:
    """A strongly consistent write whose rows part across shards is a DES030 warning naming when; one kept on one shard is not."""
    found = [f for f in _design(text).findings if f.code == "DES030"]
    assert bool(found) == warned
    if warned:
        assert "months" in found[0].message
        assert "separate transactions" in found[0].message
