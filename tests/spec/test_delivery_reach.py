"""A delivery to people named on another entity's rows needs a reference chain from the written row to those rows.

uber's 'report driver location' promised each report to 'Trip.customer' although a Driver row refers to no Trip (run 20
C1): the author is warned at the 'to' key, with the reference that would give the write a path. Checked over specs of
different shapes: a courier's position to a parcel's recipient (warned), a receipt to its message's sender two rows
away (reached), a note to the members of its room (reached through the room), a review to the customers of the orders
referring to the product (warned).
"""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.spec.load import load_spec_bytes

COURIERS = """\
system: parcels
entities:
  Customer: {fields: {name: string(80)}}
  Courier: {fields: {name: string(80), position: geo?}}
  Parcel: {fields: {recipient: ref(Customer), courier: ref(Courier)?}}
use_cases:
  - {name: move courier, kind: update, writes: [Courier.position], rate: 2000/s, deliver: {mode: realtime, to: Parcel.recipient}}
"""

RECEIPTS = """\
system: receipts
entities:
  User: {fields: {name: string(80)}}
  Message: {fields: {sender: ref(User), body: text}}
  Receipt: {fields: {message: ref(Message), reader: ref(User)}}
use_cases:
  - {name: mark read, writes: [Receipt], rate: 500/s, deliver: {mode: realtime, to: Message.sender}}
"""

ROOMS = """\
system: rooms
entities:
  Person: {fields: {name: string(80)}}
  Room: {fields: {title: string(80)}}
  RoomMember: {part_of: Room, fields: {person: ref(Person)}}
  Note: {part_of: Room, fields: {author: ref(Person), text: text}}
use_cases:
  - {name: write note, writes: [Note], rate: 80/s, deliver: {mode: realtime, to: RoomMember.person}}
"""

SHOP = """\
system: shop
entities:
  Customer: {fields: {name: string(80)}}
  Product: {fields: {title: string(80), price: money}}
  Order: {fields: {customer: ref(Customer), product: ref(Product)}}
use_cases:
  - {name: reprice product, kind: update, writes: [Product.price], rate: 5/s, deliver: {mode: realtime, to: Order.customer}}
"""


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        pytest.param(COURIERS, "'move courier' writes a Courier row, which refers to no Parcel", id="courier-to-parcel-recipient"),
        pytest.param(SHOP, "'reprice product' writes a Product row, which refers to no Order", id="product-to-order-customers"),
    ],
)
def test_delivery_no_chain_reaches_is_warned_err(text: str, warned: str) -> None:
    """A 'to' whose entity the written row does not reach is warned at the key, naming the reference to add."""
    loaded = load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml")
    found = [w for w in loaded.warnings if warned in w.message]
    assert len(found) == 1
    assert "Add the reference the write follows" in found[0].message
    assert found[0].location.line == text.count("\n", 0, text.index("deliver:")) + 1


@pytest.mark.parametrize("text", [pytest.param(RECEIPTS, id="receipt-to-message-sender"), pytest.param(ROOMS, id="note-to-room-members")])
def test_delivery_a_chain_reaches_is_not_warned_ok(text: str) -> None:
    """A 'to' reached through the written row's references, or through the room it belongs to, is not warned."""
    loaded = load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml")
    assert not [w for w in loaded.warnings if "refers to no" in w.message]
