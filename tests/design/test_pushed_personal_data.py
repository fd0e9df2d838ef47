"""A real-time push shows its recipients what a read would: other users' personal (pii) fields stay out.

The nearby-drivers search leaves out a driver's phone, so the live-location push to customers must too (uber run 20 C2).
Checked over specs of different shapes: a courier's position pushed to the parcel's recipient (a person the courier row
does not name), a market's quotes streamed to every connected trader, and a note pushed to the members of its room (who
are its parties, and see it whole, as a members-only read shows it).
"""

from __future__ import annotations

import textwrap
from functools import cache

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.patterns.gateway import carried_bytes
from backend_architect.ir.payloads import event_payload_bytes
from backend_architect.spec.load import load_spec_bytes

COURIERS = """\
system: parcels
scale: {rates: peak, daily_active: 1M}
entities:
  Customer: {fields: {name: string(80), email: {type: email, unique: true, pii: true}}}
  Courier: {fields: {name: string(80), phone: {type: string(20), pii: true}, position: geo?}}
  Parcel:
    fields: {recipient: ref(Customer), courier: ref(Courier)?, address: {type: string(200), pii: true}, state: enum[waiting,out,delivered]}
use_cases:
  - {name: send parcel, writes: [Parcel], rate: 50/s}
  - {name: move courier, kind: update, actor: courier, writes: [Courier.position], rate: 2000/s, deliver: {mode: realtime, to: Parcel.recipient}}
  - {name: hand over parcel, kind: update, actor: courier, writes: [Parcel.state], rate: 40/s, deliver: {mode: realtime, to: Parcel.recipient}}
  - {name: my parcels, reads: [Parcel], filter: [recipient], rate: 300/s}
"""

MARKET = """\
system: market
scale: {rates: peak, daily_active: 500k}
entities:
  Trader: {fields: {handle: string(40), email: {type: email, unique: true, pii: true}}}
  Quote: {fields: {trader: ref(Trader), symbol: string(12), price: money, contact_phone: {type: string(20), pii: true}}}
use_cases:
  - {name: post quote, actor: trader, writes: [Quote], rate: 300/s, deliver: {mode: realtime, to: trader}}
  - {name: recent quotes, reads: [Quote], sort: [-created_at], page: cursor, rate: 100/s}
"""

CLINIC = """\
system: clinic
scale: {rates: peak, daily_active: 200k}
entities:
  Patient: {fields: {name: string(80), phone: {type: string(20), pii: true}}}
  Room: {fields: {title: string(80)}}
  RoomMember: {part_of: Room, fields: {patient: ref(Patient), role: enum[host,guest]}}
  Note: {part_of: Room, fields: {author: ref(Patient), text: {type: text, pii: true}}}
use_cases:
  - {name: open room, writes: [Room], rate: 5/s}
  - {name: join room, writes: [RoomMember], rate: 10/s}
  - {name: write note, writes: [Note], rate: 80/s, deliver: {mode: realtime}}
  - {name: room notes, reads: [Note], filter: [room], sort: [-created_at], page: cursor, rate: 200/s}
"""


@cache
def _designed(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml"))


CASES = [
    pytest.param(COURIERS, "customers/{customer_id}/couriers", ["phone"], id="courier-position-to-a-parcel-recipient"),
    pytest.param(COURIERS, "customers/{customer_id}/parcels", [], id="parcel-to-its-own-recipient"),
    pytest.param(MARKET, "trader/quotes", ["contact_phone"], id="quotes-to-every-trader"),
    pytest.param(CLINIC, "rooms/{room_id}/notes", [], id="note-to-its-room-members"),
]


@pytest.mark.parametrize(("text", "address", "withheld"), CASES)
def test_push_withholds_personal_fields_from_strangers_ok(text: str, address: str, withheld: list[str]) -> None:
    """A channel whose recipients the row does not name leaves its pii fields out of its message; its parties keep them."""
    result = _designed(text)
    channel = next(c for c in result.architecture.channels if c.address == address)
    assert channel.withheld == withheld
    assert not set(withheld) & set(channel.fields)
    table = next(t for s in result.architecture.datastores for t in s.tables if t.entity == channel.entity)
    pii = {c.name for c in table.columns if c.pii}
    assert pii, "the pushed row holds personal data"
    if not withheld:
        assert pii <= set(channel.fields) | {c for e in result.architecture.events if e.name in channel.events for c in e.fields}


@pytest.mark.parametrize(("text", "address", "withheld"), CASES)
def test_gateway_contract_and_bytes_follow_the_withheld_fields_ok(text: str, address: str, withheld: list[str]) -> None:
    """The gateway's AsyncAPI types each pushed message without the withheld fields, and its egress counts them out."""
    result = _designed(text)
    arch = result.architecture
    channel = next(c for c in arch.channels if c.address == address)
    doc = yaml.safe_load(result.files["asyncapi/realtime-gateway.yaml"])
    key = next(k for k, v in doc["channels"].items() if v["address"] == address)
    for ref in doc["channels"][key]["messages"].values():
        message = doc["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
        schema = doc["components"]["schemas"][message["payload"]["$ref"].rsplit("/", 1)[1]]
        assert not set(withheld) & set(schema["properties"])
        if withheld:
            assert "personal (pii) fields" in schema["description"]
    events = {e.name: e for e in arch.events}
    sent = [event_payload_bytes(arch, events[n]) for n in channel.events if n in events]
    carrying = any(set(withheld) & set(events[n].fields) for n in channel.events if n in events)
    if carrying:
        assert carried_bytes(arch, channel) < max(sent)
    elif sent:
        assert carried_bytes(arch, channel) == max(sent)
