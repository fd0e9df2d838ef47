"""A write naming no column of a row with a unique key reserves or releases a value only where it can change one: a write of the
whole entity can, an action only reading its row changes just the state its name sets, and one setting none records nothing."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.api import design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.unique_keys import key_writes
from backend_architect.spec.load import load_spec_bytes

#: Rides: a driver holds one open ride; 'deny ride' reads the trip and records nothing, 'cancel ride' is named for a state.
RIDES = """\
system: rides
scale: {daily_active: 100M, rates: average}
entities:
  Customer: {fields: {name: string(100)}}
  Driver: {fields: {name: string(100)}, rows: 1M}
  Trip:
    fields:
      customer: ref(Customer)
      driver: ref(Driver)?
      status: enum[requested,accepted,started,completed,cancelled]
    unique:
      - {fields: [driver], when: {status: [accepted, started]}}
    growth: 10M/day
use_cases:
  - {name: request ride, actor: customer, writes: [Trip], rate: 10M/day}
  - {name: accept ride, actor: driver, writes: [Trip.driver, Trip.status], rate: 10M/day}
  - {name: deny ride, actor: driver, kind: action, reads: [Trip], rate: 20M/day}
  - {name: cancel ride, actor: customer, kind: action, reads: [Trip], rate: 1M/day}
"""

#: Lockers: a parcel holds one locker while stored; 'ping parcel' only reads it, 'replace parcel' writes it whole.
LOCKERS = """\
system: lockers
scale: {daily_active: 100M, rates: average}
entities:
  Locker: {fields: {code: string(10)}, rows: 1M}
  Parcel:
    fields:
      locker: ref(Locker)?
      status: enum[waiting,stored,collected]
    unique:
      - {fields: [locker], when: {status: [stored]}}
    growth: 20M/day
use_cases:
  - {name: send parcel, actor: courier, writes: [Parcel], rate: 20M/day}
  - {name: store parcel, actor: courier, writes: [Parcel.locker, Parcel.status], rate: 20M/day}
  - {name: ping parcel, actor: courier, kind: action, reads: [Parcel], rate: 50M/day}
  - {name: replace parcel, actor: courier, kind: replace, writes: [Parcel], rate: 1M/day}
"""

#: Seats: a seat is held by one booking; 'remind booking' reads it and changes nothing.
SEATS = """\
system: seats
scale: {daily_active: 100M, rates: average}
entities:
  Show: {fields: {title: string(100)}, rows: 100k}
  Booking:
    fields:
      show: ref(Show)
      seat: string(8)
    unique: [[show, seat]]
    growth: 30M/day
use_cases:
  - {name: book seat, actor: fan, writes: [Booking], rate: 30M/day}
  - {name: remind booking, actor: fan, kind: action, reads: [Booking], rate: 30M/day}
"""


@pytest.mark.parametrize(
    ("text", "table", "columns", "kept", "dropped"),
    [
        pytest.param(RIDES, "trips", ["driver_id"], ["accept ride", "cancel ride"], ["deny ride"], id="rides"),
        pytest.param(LOCKERS, "parcels", ["locker_id"], ["store parcel", "replace parcel"], ["ping parcel"], id="lockers"),
        pytest.param(SEATS, "bookings", ["show_id", "seat"], ["book seat"], ["remind booking"], id="seats"),
    ],
)
def test_unnamed_writes_reserve_only_what_they_change_ok(text: str, table: str, columns: list[str], kept: list[str], dropped: list[str]) -> None:
    """Only writes able to change the key's columns or state count as uniqueness-table writes."""
    spec = load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec
    arch = design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml")).architecture
    found_table = next(t for s in arch.datastores for t in s.tables if t.name == table)
    found = key_writes(analyse(spec).use_cases, found_table, columns)
    for name in kept:
        assert name in found, found
    for name in dropped:
        assert name not in found, found
