"""A path naming another service's row by its public code resolves the code to the id its rows are kept by: a counted call to the
owner's GET by code, said in the contract, the flow and the column, for reads as for writes; a path naming it by id does not
(issue 22-q6, netflix C1: ``/videos/{video_code}/comments`` listed comments stored, indexed and cached by ``video_id`` with
nothing turning the code into an id).

Specs of different shapes: clips with short codes and notes in another service (a write over a thousand a second, which an id
copy could never check by code), a wiki whose pages have slugs and whose edits another service lists, and a shop whose products
keep plain ids (its reviews' list stays unchecked).
"""

from __future__ import annotations

from functools import cache

import pytest
from tests.design.helpers import design_of

from backend_architect.ir.model import Architecture, ReferenceCheck

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
    fields: {owner: string(36), title: string(200)}
  Note:
    fields: {clip: ref(Clip), text: string(500)}
use_cases:
  - {name: post clip, writes: [Clip], rate: 8k/s}
  - {name: watch clip, kind: get, reads: [Clip], rate: 20k/s, cache: false}
  - {name: add note to clip, writes: [Note], rate: 2k/s}
  - {name: list notes on clip, reads: [Note], filter: [clip], page: cursor, rate: 9k/s}
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
  - {name: list edits of page, reads: [Edit], filter: [page], sort: [-created_at], page: cursor, rate: 8M/day}
"""

SHOP = """\
system: shop
team: {size: 25}
scale: {rates: peak, peak_factor: 2, retention_years: 3}
services:
  catalog: {owns: [Product]}
  reviews: {owns: [Review]}
entities:
  Product: {fields: {name: string(120), price: money}, rows: 2M}
  Review:
    fields: {product: ref(Product), stars: int, text: string(2000)}
use_cases:
  - {name: add product, writes: [Product], rate: 5/s}
  - {name: view product, kind: get, reads: [Product], rate: 3k/s}
  - {name: list reviews of product, reads: [Review], filter: [product], page: cursor, rate: 2k/s}
"""

ALBUMS = """\
system: albums
services:
  albums: {owns: [Album]}
  remarks: {owns: [Remark]}
entities:
  Album:
    key: short_code
    fields: {title: string(120)}
  Remark:
    fields: {album: ref(Album), text: string(400)}
use_cases:
  - {name: make album, writes: [Album], rate: 1M/day}
  - {name: open album, kind: get, reads: [Album], rate: 100M/day}
  - {name: add remark to album, writes: [Remark], rate: 2M/day}
  - {name: list remarks on album, reads: [Remark], filter: [album], sort: [-created_at], page: cursor, consistency: eventual, staleness: 30s,
     rate: 300M/day}
"""

SPECS = {"clips": CLIPS, "wiki": WIKI, "shop": SHOP, "albums": ALBUMS}


@cache
def _designed(name: str) -> Architecture:
    return design_of(SPECS[name])


def _check(arch: Architecture, use_case: str) -> ReferenceCheck:
    (found,) = [c for c in arch.reference_checks if c.use_case == use_case]
    return found


@pytest.mark.parametrize(
    ("name", "use_case", "address", "param"),
    [
        pytest.param("clips", "list notes on clip", "code", "clip_code", id="short-code-list"),
        pytest.param("clips", "add note to clip", "code", "clip_code", id="short-code-write-past-copy-rate"),
        pytest.param("wiki", "list edits of page", "slug", "page_slug", id="slug-list"),
        pytest.param("albums", "list remarks on album", "code", "album_code", id="short-code-cached-list"),
    ],
)
def test_a_code_in_the_path_is_resolved_by_the_owner_err(name: str, use_case: str, address: str, param: str) -> None:
    """The request calls the owner's GET by code, counted at its peak, and the contract, flow and column say it finds the id so."""
    arch = _designed(name)
    check = _check(arch, use_case)
    assert (check.check, check.address, check.where) == ("query", address, "path"), check
    assert check.peak > 0
    op = next(o for a in arch.apis for o in a.operations if o.operation_id == check.operation)
    assert "{" + param + "}" in op.path, op.path
    assert f"The {check.entity}'s {address} in {param} is resolved to its id ({check.column}" in op.description, op.description
    assert check.owner in op.upstreams
    flow = next(f for f in arch.flows if f.use_case == use_case)
    assert any(s.kind == "query" and s.target == check.owner and f"whose {address} its path names" in s.description for s in flow.steps), flow.steps
    column = next(c for s in arch.datastores for t in s.tables if t.name == check.table for c in t.columns if c.name == check.column)
    assert f"{use_case} finds it by resolving the {check.entity}'s {address}" in (column.comment or ""), column.comment
    assert any(f.quantity.startswith(f"existence checks/s of {check.entity} by {address} for {use_case} ") for f in arch.figures)


def test_an_id_in_the_path_stays_an_unchecked_read_ok() -> None:
    """A list under another service's row named by id reads by that id: no call, an unknown id an empty page."""
    arch = _designed("shop")
    check = _check(arch, "list reviews of product")
    assert (check.check, check.address, check.peak) == ("none", "id", 0.0), check
    op = next(o for a in arch.apis for o in a.operations if o.operation_id == check.operation)
    assert "{product_id}" in op.path, op.path
    assert "resolved to its id" not in op.description


def test_a_cached_list_by_code_calls_on_every_request_err() -> None:
    """The cache is keyed by the id the call finds, so the call precedes it: the hot-path pressure counts every request, not the misses."""
    arch = _designed("albums")
    check = _check(arch, "list remarks on album")
    assert any(c.use_case == check.use_case and c.strategy == "cache-aside" for c in arch.caches)
    (pressure,) = [b for b in arch.bottlenecks if b.title == f"Synchronous calls on the hot path of '{check.use_case}'"]
    assert pressure.trigger.startswith(f"{check.peak:,.1f} req/s at peak each calling {check.owner}"), pressure.trigger
