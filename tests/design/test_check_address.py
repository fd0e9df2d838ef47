"""An owner's existence check is sized and routed as the call it makes: by the address its contract names rows by.

A create naming another service's row is checked on its owner through the owner's GET of the row. Where that GET names rows
by a public code (``key: short_code``), the check finds the row by its code, so on a table sharded by another column it is
routed through the code's uniqueness table, never counted as a read by id the call does not make; where the GET names rows
by id, the check is by id (routed by the shard the id carries, where it does). Specs of different shapes: clips with short
codes sharded by owner, a wiki whose pages have slugs, and a shop whose products keep plain ids.
"""

from __future__ import annotations

from functools import cache

import pytest
from tests.design.helpers import design_of

from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import StoreLoad

CLIPS = """\
system: clips
team: {size: 30}
scale: {rates: peak, peak_factor: 2, retention_years: 5}
services:
  clips: {owns: [Clip]}
  notes: {owns: [Note]}
entities:
  Clip:
    key: short_code
    fields: {owner: string(36), title: string(200), body: {type: text, avg_bytes: 4000}}
  Note:
    fields: {clip: ref(Clip), text: string(500)}
use_cases:
  - {name: post clip, writes: [Clip], rate: 8k/s}
  - {name: owner clips, reads: [Clip], filter: [owner], page: cursor, rate: 5k/s, cache: false}
  - {name: watch clip, kind: get, reads: [Clip], rate: 20k/s, cache: false}
  - {name: add note, writes: [Note], rate: 2k/s}
"""

WIKI = """\
system: wiki
team: {size: 25}
scale: {rates: average, peak_factor: 3, retention_years: 4}
services:
  pages: {owns: [Page]}
  edits: {owns: [Edit]}
entities:
  Page:
    key: slug
    fields: {title: string(120), body: {type: text, avg_bytes: 8000}}
  Edit:
    fields: {page: ref(Page), summary: string(200)}
use_cases:
  - {name: create page, writes: [Page], rate: 1M/day}
  - {name: read page, kind: get, reads: [Page], rate: 50M/day}
  - {name: record edit, writes: [Edit], rate: 5M/day}
"""

SHOP = """\
system: shop
team: {size: 25}
scale: {rates: peak, peak_factor: 2, retention_years: 3}
services:
  catalog: {owns: [Product]}
  carts: {owns: [CartLine]}
entities:
  Product: {fields: {name: string(120), price: money}, rows: 2M}
  CartLine:
    fields: {product: ref(Product), quantity: int}
use_cases:
  - {name: add product, writes: [Product], rate: 5/s}
  - {name: view product, kind: get, reads: [Product], rate: 3k/s}
  - {name: add to cart, writes: [CartLine], rate: 500/s}
"""

SPECS = {"clips": CLIPS, "wiki": WIKI, "shop": SHOP}


@cache
def _designed(name: str) -> Architecture:
    return design_of(SPECS[name])


def _check(arch: Architecture, entity: str) -> StoreLoad:
    loads = [f for f in arch.figures if f.quantity.startswith(f"existence checks/s of {entity} ")]
    assert loads, [f.quantity for f in arch.figures if "existence" in f.quantity]
    (figure,) = loads
    return StoreLoad(entity=entity, key=figure.key, quantity=figure.quantity, formula=figure.formula)


@pytest.mark.parametrize(
    ("name", "entity", "address"),
    [
        pytest.param("clips", "Clip", "code", id="short-code"),
        pytest.param("wiki", "Page", "slug", id="slug"),
        pytest.param("shop", "Product", "id", id="plain-id"),
    ],
)
def test_the_check_names_the_row_as_its_call_does_ok(name: str, entity: str, address: str) -> None:
    """The check's read is by the address the owner's GET names rows by: its code or slug where the contract uses one, else its id."""
    arch = _designed(name)
    assert _check(arch, entity).quantity.startswith(f"existence checks/s of {entity} by {address} for ")
    owner_get = next(o for a in arch.apis for o in a.operations if o.entity == entity and o.method == "get" and o.kind == "get" and o.consumers)
    assert owner_get.path.endswith("{" + address + "}") or (address == "id" and not owner_get.path.endswith("{code}")), owner_get.path


def test_a_code_check_on_a_sharded_table_is_routed_through_its_keys_err() -> None:
    """On clips sharded by owner, the check by code reaches one shard through clips_code_keys, not the id's shard bits."""
    arch = _designed("clips")
    clips = next(t for s in arch.datastores for t in s.tables if t.name == "clips")
    assert clips.sharding is not None
    assert clips.sharding.key == "owner"
    routed = [r for r in clips.sharding.routed if r.startswith("existence checks/s of Clip")]
    assert routed, clips.sharding.routed
    assert "routed through clips_code_keys" in routed[0], routed
