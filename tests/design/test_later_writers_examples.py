"""A field set later by a write whose main row is another entity (accepting an offer sets the trip's driver) is null in the
create's example and in the examples of states before that write.

Specs of different shapes, written as a user would: a ride whose driver and cab are set when a driver accepts one of its
offers; a repair ticket whose technician is set when a technician accepts its assignment; a reservation whose copy is
set when a librarian lends a copy (a create of another entity, named for no state).
"""

from __future__ import annotations

from typing import Any

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.lifecycle_examples import lifecycles
from backend_architect.ir.model import Architecture, Operation
from design.helpers import design_of, spec_of

RIDES = """
system: rides
entities:
  Rider: {fields: {name: string(80)}}
  Driver: {fields: {name: string(80)}}
  Car: {fields: {plate: string(12)}}
  Ride:
    fields:
      rider: ref(Rider)
      driver: ref(Driver)?
      car: ref(Car)?
      pickup: string(200)
      status: {type: "enum[requested, accepted, finished]", default: requested}
  Offer:
    fields:
      ride: ref(Ride)
      driver: ref(Driver)
      answer: "enum[pending, yes, no]"
use_cases:
  - {name: request ride, actor: rider, writes: [Ride], rate: 20/s}
  - {name: accept offer, actor: driver, kind: action, writes: [Offer.answer, Ride.status, Ride.driver, Ride.car], rate: 20/s}
  - {name: finish ride, actor: driver, kind: action, writes: [Ride.status], rate: 20/s}
  - {name: view ride, actor: rider, kind: get, reads: [Ride], rate: 50/s}
"""

TICKETS = """
system: repairs
entities:
  Customer: {fields: {name: string(80)}}
  Technician: {fields: {name: string(80)}}
  Ticket:
    fields:
      customer: ref(Customer)
      problem: text
      technician: ref(Technician)?
      status: {type: "enum[open, accepted, closed]", default: open}
  Assignment:
    fields:
      ticket: ref(Ticket)
      technician: ref(Technician)
      taken: bool
use_cases:
  - {name: open ticket, actor: customer, writes: [Ticket], rate: 5/s}
  - {name: accept assignment, actor: technician, kind: action, writes: [Assignment.taken, Ticket.status, Ticket.technician], rate: 5/s}
  - {name: close ticket, actor: technician, kind: action, writes: [Ticket.status], rate: 5/s}
  - {name: view ticket, actor: customer, kind: get, reads: [Ticket], rate: 20/s}
"""

HOLDS = """
system: library
entities:
  Member: {fields: {name: string(80)}}
  Copy: {fields: {barcode: string(20)}}
  Hold:
    fields:
      member: ref(Member)
      title: string(200)
      copy: ref(Copy)?
  Loan:
    fields:
      copy: ref(Copy)
      member: ref(Member)
      due_at: datetime
use_cases:
  - {name: place hold, actor: member, writes: [Hold], rate: 5/s}
  - {name: lend copy, actor: librarian, kind: create, writes: [Loan, Hold.copy], rate: 5/s}
  - {name: view hold, actor: member, kind: get, reads: [Hold], rate: 20/s}
"""


@pytest.mark.parametrize(
    ("text", "entity", "fields", "state"),
    [
        pytest.param(RIDES, "Ride", {"driver_id", "car_id"}, "accepted", id="ride-offer-accepted"),
        pytest.param(TICKETS, "Ticket", {"technician_id"}, "accepted", id="ticket-assignment-accepted"),
        pytest.param(HOLDS, "Hold", {"copy_id"}, None, id="hold-lent-by-a-loan"),
    ],
)
def test_another_rows_write_is_a_later_write_ok(text: str, entity: str, fields: set[str], state: str | None) -> None:
    """The fields another entity's use case sets are later writes of this entity, placed at the state that write names."""
    spec = spec_of(text)
    life = lifecycles(spec, analyse(spec))[entity]
    assert fields <= life.later, life
    if state is not None:
        assert fields <= life.sets[state], life


def _op(arch: Architecture, use_case: str) -> Operation:
    return next(op for api in arch.apis for op in api.operations if use_case in op.use_cases and not op.internal)


@pytest.mark.parametrize(
    ("text", "create", "fields", "read"),
    [
        pytest.param(RIDES, "request ride", ("driver_id", "car_id"), "view ride", id="ride"),
        pytest.param(TICKETS, "open ticket", ("technician_id",), "view ticket", id="ticket"),
        pytest.param(HOLDS, "place hold", ("copy_id",), None, id="hold"),
    ],
)
def test_create_example_leaves_another_actors_fields_null_ok(text: str, create: str, fields: tuple[str, ...], read: str | None) -> None:
    """The create's answer, and a read showing the row in its first state, show the later-set fields null."""
    arch = design_of(text)
    made = _op(arch, create)
    example: Any = made.example_response
    assert isinstance(example, dict)
    assert all(f in example and example[f] is None for f in fields), example
    if read is not None:
        shown: Any = _op(arch, read).example_response
        assert isinstance(shown, dict)
        state = next(v for k, v in example.items() if k == "status")
        if shown.get("status") == state:
            assert all(shown.get(f) is None for f in fields), shown
