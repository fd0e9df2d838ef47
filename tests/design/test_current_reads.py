"""A latest value's reconnect names a read that returns the pushed row to its recipient, added where the spec has none.

A reconnecting client of a latest value (a position, a score) reads the current value; the read named must return the row that
was pushed to it: a get by id, or a list selecting by a reference. A radius search or a list narrowed by a constant (available
drivers near me) returns other rows, so a get by id is added instead; a value no read exposes (a typing flag) stays push-only.
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import spec_of

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import Operation

#: Couriers' positions pushed to the customer of the delivery; the spec reads couriers only by a radius search.
COURIERS = """
system: parcels
scale: {daily_active: 300k}
entities:
  Customer: {fields: {name: {type: string(80), pii: true}}, rows: 2M}
  Courier: {fields: {name: {type: string(80), pii: true}, location: geo, status: "enum[idle, busy]"}, rows: 50k}
  Parcel: {fields: {customer: ref(Customer), courier: ref(Courier)?, address: string(200)}, growth: 200k/day}
use_cases:
  - {name: report courier position, actor: courier, kind: update, latest: true, every: 5s, writes: [Courier.location], rate: 5k/s,
     deliver: {mode: realtime, to: Parcel.customer}}
  - {name: couriers near me, actor: customer, reads: [Courier], near: Courier.location, radius: 3km, rate: 1M/day}
  - {name: track parcel, actor: customer, kind: get, reads: [Parcel], rate: 2M/day}
"""

#: Buses' positions pushed to every rider of the line; the only list of buses is narrowed by a constant (in service).
BUSES = """
system: transit
scale: {daily_active: 100k}
entities:
  Rider: {fields: {email: {type: email, unique: true, pii: true}}, rows: 500k}
  Line: {fields: {name: string(40), operator: ref(Rider)}, rows: 300}
  Bus: {fields: {line: ref(Line), position: geo, state: "enum[in_service, depot]"}, rows: 3k}
  Ride: {fields: {rider: ref(Rider), bus: ref(Bus)}, growth: 50k/day}
use_cases:
  - {name: report bus position, actor: bus, kind: update, latest: true, every: 10s, writes: [Bus.position], rate: 300/s,
     deliver: {mode: realtime, to: Ride.rider}}
  - {name: buses in service, actor: rider, reads: [Bus], filter: [Bus.state=in_service], rate: 500k/day}
"""

#: The couriers again, with a get of a courier by id in the spec: it is the read named, nothing is added.
COURIERS_WITH_GET = COURIERS + "  - {name: show courier, actor: customer, kind: get, reads: [Courier], rate: 1M/day}\n"


#: Trucks' positions pushed to their fleet's dispatchers; the spec lists a fleet's trucks by reference: that list is named.
FLEETS = """
system: fleets
scale: {daily_active: 20k}
entities:
  Dispatcher: {fields: {email: {type: email, unique: true, pii: true}, fleet: ref(Fleet)}, rows: 40k}
  Fleet: {fields: {name: string(80)}, rows: 2k}
  Truck: {fields: {fleet: ref(Fleet), position: geo, plate: string(12)}, rows: 60k}
use_cases:
  - {name: report truck position, actor: truck, kind: update, latest: true, every: 15s, writes: [Truck.position], rate: 4k/s,
     deliver: {mode: realtime, to: Truck.fleet}}
  - {name: list fleet trucks, actor: dispatcher, reads: [Truck], filter: [fleet], rate: 200k/day}
"""


def _designed(text: str) -> DesignResult:
    return design_spec(spec_of(text))


def _named(result: DesignResult, publisher: str) -> Operation:
    """The operation the channel of ``publisher`` names for a reconnecting client."""
    arch = result.architecture
    channel = next(c for c in arch.channels if publisher in c.publishers)
    found = re.search(r"GET \S+ \((\w+)\)", channel.offline)
    assert found is not None, channel.offline
    return next(o for api in arch.apis for o in api.operations if o.operation_id == found.group(1))


@pytest.mark.parametrize(
    ("text", "publisher", "entity"),
    [
        pytest.param(COURIERS, "report courier position", "Courier", id="radius-search-only"),
        pytest.param(BUSES, "report bus position", "Bus", id="constant-filter-only"),
    ],
)
def test_unrelated_read_is_never_the_catch_up_err(text: str, publisher: str, entity: str) -> None:
    """With only a search or a constant-filtered list of the value, a get by id is added and named, never the search."""
    result = _designed(text)
    op = _named(result, publisher)
    assert op.method.upper() == "GET"
    assert "{" in op.path, op.path
    assert op.use_cases == [f"get current {entity.lower()}"], op.use_cases
    assert any(f"'get current {entity.lower()}': added as the catch-up read of '{publisher}'" in a for a in result.architecture.assumptions)


@pytest.mark.parametrize(
    ("text", "publisher", "read"),
    [
        pytest.param(COURIERS_WITH_GET, "report courier position", "show courier", id="get-by-id"),
        pytest.param(FLEETS, "report truck position", "list fleet trucks", id="list-by-reference"),
    ],
)
def test_a_read_returning_the_row_is_named_ok(text: str, publisher: str, read: str) -> None:
    """A get by id or a list by reference already in the spec is the read named; no read is added."""
    result = _designed(text)
    op = _named(result, publisher)
    assert read in op.use_cases
    assert not [a for a in result.architecture.assumptions if "'get current " in a]
