"""Fresh reads that would call each other in a cycle: the edge whose data changes least reads an event-fed copy (design.read_cycles)."""

from __future__ import annotations

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.spec.load import load_spec_bytes

#: Quotes read the vehicles their service does not own, bookings read the quote they book: quotes <-> bookings.
QUOTES_AND_BOOKINGS = """
system: quotes-and-bookings
team: {size: 30}
services:
  quotes: {owns: [Quote]}
  bookings: {owns: [Vehicle, Booking]}
entities:
  Vehicle: {fields: {plate: string(12), seats: int}, rows: 100k}
  Quote: {fields: {vehicle: ref(Vehicle), price: money}}
  Booking: {fields: {quote: ref(Quote), note: string(200)?}}
use_cases:
  - {name: quote vehicle, actor: user, writes: [Quote], reads: [Vehicle], rate: QUOTES}
  - {name: book quote, actor: user, writes: [Booking], reads: [Quote], rate: 20/s}
  - {name: update vehicle, actor: operator, kind: update, writes: [Vehicle], rate: VEHICLES}
"""

#: Three services calling round in a ring by their fresh reads: orders -> stock -> prices -> orders.
RING = """
system: ring
team: {size: 40}
services:
  orders: {owns: [Order]}
  stock: {owns: [Item]}
  prices: {owns: [Price]}
entities:
  Item: {fields: {sku: string(20), units: int}, rows: 10k}
  Price: {fields: {item: ref(Item), amount: money}}
  Order: {fields: {price: ref(Price), units: int}}
use_cases:
  - {name: place order, actor: user, writes: [Order], reads: [Item], rate: 30/s}
  - {name: restock item, actor: operator, kind: update, writes: [Item], reads: [Price], rate: 2/s}
  - {name: set price, actor: operator, writes: [Price], reads: [Order], rate: 1/s}
"""


def _design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "cycle.yaml"))


@pytest.mark.parametrize(
    ("quotes", "vehicles", "copied", "called"),
    [
        pytest.param("200/s", "1/s", "quote vehicle", "book quote", id="vehicles-change-least"),
        pytest.param("5/s", "300/s", "book quote", "quote vehicle", id="quotes-change-least"),
    ],
)
def test_a_read_cycle_is_broken_where_the_data_changes_least_ok(quotes: str, vehicles: str, copied: str, called: str) -> None:
    """Two services reading each other's rows within their writes: the read of the entity changing least takes an event-fed copy,
    its flow says why (the cycle, the rates), the other stays a call, and the critic finds no cycle."""
    result = _design(QUOTES_AND_BOOKINGS.replace("QUOTES", quotes).replace("VEHICLES", vehicles))
    flows = {f.use_case: f for f in result.architecture.flows}
    assert not any(f.code == "TOP002" for f in result.findings)
    assert "a synchronous read would close the call cycle" in flows[copied].rationale
    assert not any(s.kind == "query" and s.description.startswith("read ") for s in flows[copied].steps)
    assert any(s.kind == "query" and s.description.startswith("read ") for s in flows[called].steps)
    depends = {s.name: set(s.depends_on) for s in result.architecture.services}
    assert not ({"quotes"} <= depends["bookings"] and {"bookings"} <= depends["quotes"])


def test_a_ring_of_reads_loses_one_edge_ok() -> None:
    """Three services calling round in a ring: one edge (the data changing least) yields, the other two stay calls, no cycle."""
    result = _design(RING)
    assert not any(f.code == "TOP002" for f in result.findings)
    copied = [f.use_case for f in result.architecture.flows if "close the call cycle" in f.rationale]
    assert copied == ["restock item"], "Order changes at 30/s, Item at 2/s, Price at 1/s: restock's read of Price changes least"


def test_a_one_way_read_stays_a_call_err() -> None:
    """Without a cycle nothing yields: a write reading another service's row within its request still calls it."""
    result = _design(QUOTES_AND_BOOKINGS.replace("QUOTES", "200/s").replace("VEHICLES", "1/s").replace(", reads: [Vehicle]", ""))
    flows = {f.use_case: f for f in result.architecture.flows}
    assert "close the call cycle" not in flows["book quote"].rationale
    assert any(s.kind == "query" and s.description.startswith("read ") for s in flows["book quote"].steps)


def test_a_copied_read_checks_its_reference_against_the_copy_ok() -> None:
    """The write reading a copied row checks the id it names against that copy (no call back), and the copy keeps the ids as long
    as their owner keeps the rows (a quote kept 30 days: its copy too)."""
    text = QUOTES_AND_BOOKINGS.replace("QUOTES", "5/s").replace("VEHICLES", "300/s")
    result = _design(
        text.replace("Quote: {fields: {vehicle: ref(Vehicle), price: money}}", "Quote: {fields: {vehicle: ref(Vehicle), price: money}, retention: 30d}")
    )
    check = next(c for c in result.architecture.reference_checks if c.use_case == "book quote" and c.column == "quote_id")
    assert check.check == "local copy"
    assert "a synchronous read would close a call cycle" in check.reason
    copy = next(t for s in result.architecture.datastores for t in s.tables if t.name == "known_quotes")
    assert copy.retention_days == 30
