"""A field has one type in every document: an event's payload gives each field the schema the entity's REST contract gives it
(issue 22, class h4: a JSON column is "an object" to the database, while the contract says what it holds)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from tests.design.helpers import design_of

from backend_architect.render.files import render_files

#: A geo-blocked video: its JSON column is a list of country codes in the contract; the views service consumes its event.
GEO_BLOCKED = """
system: tube
scale: {daily_active: 10M}
entities:
  Video:
    fields:
      title: string(200)
      blocked_countries: {type: json, description: countries where the video may not be shown}
  View:
    fields:
      video: ref(Video)
      seconds: int
use_cases:
  - name: upload video
    actor: creator
    writes: [Video]
    rate: 1M/day
  - name: watch video
    actor: viewer
    kind: get
    reads: [Video]
    rate: 100M/day
    notes: refused in blocked_countries
  - name: record view
    actor: viewer
    writes: [View]
    rate: 100M/day
"""

#: A free-form JSON map whose event another service keeps a copy from.
FREE_FORM = """
system: shop
scale: {daily_active: 1M}
entities:
  Product:
    fields:
      name: string(100)
      attributes: {type: json, description: free-form attributes}
  Order:
    fields:
      product: ref(Product)
      quantity: int
use_cases:
  - name: add product
    actor: merchant
    writes: [Product]
    rate: 1M/day
  - name: browse products
    actor: shopper
    reads: [Product]
    search: [name]
  - name: place order
    actor: shopper
    writes: [Order]
    rate: 50M/day
"""

#: A JSON field pushed live: the gateway's document carries it too.
PUSHED_LIVE = """
system: boards
scale: {daily_active: 2M}
entities:
  User:
    fields: {name: string(100)}
  Board:
    fields: {title: string(100)}
  Card:
    part_of: Board
    fields:
      author: ref(User)
      style: {type: json, description: colours and layout}
      text: text
use_cases:
  - name: make board
    actor: user
    writes: [Board]
  - name: add card
    actor: user
    writes: [Card]
    rate: 20M/day
    deliver: realtime
"""

#: What only a contract says: who may send a property, and the reviewers' PII marker.
_CONTRACT_ONLY = {"readOnly", "writeOnly", "x-pii", "example"}


def _shape(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in _CONTRACT_ONLY | {"description"}}


def _contract(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each entity's read schema in the OpenAPI documents, by schema name."""
    found: dict[str, dict[str, Any]] = {}
    for path, text in files.items():
        if path.startswith("openapi/"):
            found |= yaml.safe_load(text).get("components", {}).get("schemas", {})
    return found


@pytest.mark.parametrize(
    ("text", "field"),
    [
        pytest.param(GEO_BLOCKED, "blocked_countries", id="geo-blocked"),
        pytest.param(FREE_FORM, "attributes", id="free-form"),
        pytest.param(PUSHED_LIVE, "style", id="pushed-live"),
    ],
)
def test_payload_field_has_the_contract_type_ok(text: str, field: str) -> None:
    """Every AsyncAPI payload carrying the JSON field gives it the contract's schema, in every service's document and the gateway's."""
    arch = design_of(text)
    files = render_files(arch, [])
    contract = _contract(files)
    seen = 0
    for path, doc_text in files.items():
        if not path.startswith("asyncapi/"):
            continue
        document = yaml.safe_load(doc_text)
        for event in arch.events:
            payload = document.get("components", {}).get("schemas", {}).get(f"{event.name}Payload")
            if payload is None or field not in payload["properties"]:
                continue
            read = contract[event.entity]["properties"][field]
            assert _shape(payload["properties"][field]) == _shape(read), (path, event.name)
            seen += 1
    assert seen >= 2, "the field must travel in at least two documents (its producer's and a consumer's or the gateway's)"
