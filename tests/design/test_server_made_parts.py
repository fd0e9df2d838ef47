"""A part the create writes whose every field the server sets is made by the server: the body names none.

Uber's request ride wrote a Payment (its amount generated, its status a lifecycle state) with the Trip, and the contract
asked for a required ``payments`` array with no item schema, whose example was null: a client could send nothing valid.
A part with fields the client decides stays in the body as an array of its items.
"""

from __future__ import annotations

import pytest
import yaml

from backend_architect.api import design_spec
from backend_architect.spec.load import load_spec_bytes

#: A charge the server computes and starts, written with each ride.
RIDES = """\
system: rides
entities:
  Rider: {fields: {name: string(80)}, rows: 1M}
  Ride:
    fields: {rider: ref(Rider), pickup: string(200), status: "enum[requested,started,done]"}
    growth: 100k/day
  Charge:
    part_of: Ride
    avg_per_parent: 1
    max_per_parent: 1
    fields: {amount: {type: money, generated: true}, status: "enum[pending,paid,failed]"}
use_cases:
  - {name: request ride, kind: create, writes: [Ride, Charge], rate: 100k/day}
  - {name: view ride, kind: get, reads: [Ride, Charge], rate: 50/s}
"""

#: Two audit entries the server stamps for each document it stores.
DOCUMENTS = """\
system: documents
entities:
  Document:
    fields: {title: string(200), body: text}
    growth: 20k/day
  AuditEntry:
    part_of: Document
    avg_per_parent: 2
    max_per_parent: 5
    fields: {checksum: {type: string(64), generated: true}, recorded_at: {type: datetime, generated: true}}
use_cases:
  - {name: store document, kind: create, writes: [Document, AuditEntry], rate: 20k/day}
"""

#: Order lines the client chooses, beside a shipment the server opens.
ORDERS = """\
system: orders
entities:
  Product: {fields: {title: string(200), price: money}, rows: 50k}
  Order:
    fields: {note: string(300)?}
    growth: 30k/day
  OrderLine:
    part_of: Order
    avg_per_parent: 3
    max_per_parent: 50
    fields: {product: ref(Product), quantity: int}
  Shipment:
    part_of: Order
    avg_per_parent: 1
    max_per_parent: 1
    fields: {tracking_code: {type: string(40), generated: true}, state: "enum[open,sent]"}
use_cases:
  - {name: place order, kind: create, writes: [Order, OrderLine, Shipment], rate: 30k/day}
"""


@pytest.mark.parametrize(
    ("text", "entity", "made", "kept"),
    [
        pytest.param(RIDES, "Ride", {"Charge": "1"}, set(), id="computed-and-started"),
        pytest.param(DOCUMENTS, "Document", {"AuditEntry": "2"}, set(), id="stamped-entries"),
        pytest.param(ORDERS, "Order", {"Shipment": "1"}, {"OrderLine"}, id="beside-client-parts"),
    ],
)
def test_a_part_the_server_fills_is_made_by_the_server_ok(text: str, entity: str, made: dict[str, str], kept: set[str]) -> None:
    """The create's body holds an array only for parts with client fields, each with an item schema and no null example;
    the operation says which rows the server makes, and how many a parent has."""
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    arch = result.architecture
    op = next(o for api in arch.apis for o in api.operations if o.kind == "create" and o.entity == entity)
    schema = next(s for api in arch.apis for s in api.schemas if s.name == op.request_schema)
    arrays = {p.name: p for p in schema.properties if p.type == "array" and p.items}
    assert all(p.items for p in schema.properties if p.type == "array" and p.links is None)
    for part, count in made.items():
        assert f"The server makes the {part} ({count} a {entity}) rows, every field of which it sets; the body names none." in op.description
        assert not any(p.items == f"{part}Create" for p in schema.properties)
    for part in kept:
        assert any(p.items == f"{part}Create" for p in arrays.values())
    document = next(body for name, body in result.files.items() if name.startswith("openapi/") and f"{entity}Create:" in body)
    examples = [v for v in yaml.safe_load(document)["paths"].values() for m in v.values() if isinstance(m, dict) for v in [m]]
    for method in examples:
        example = method.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
        if isinstance(example, dict):
            assert None not in [v for k, v in example.items() if any(p.name == k and p.type == "array" for p in schema.properties)]
