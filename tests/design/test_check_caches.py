"""An existence check read through the owner's cached GET counts its database reads after the cache (issue 22, class o7;
whatsapp run 20 C4).

A check calls the owner's GET of the row; where a cache-aside cache answers that GET, the check's reads on the owner's
database are its peak times the cache's own miss share (the hit ratio figure the cache's section states), and the
cache's operations count the checks' GETs and refills. Specs of three shapes: reviews of a product, shipments from a
warehouse, loans of a book, each owner serving a heavily read, cached GET of the checked row.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.design.reference_checks import CHECKED_BY_OWNER
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

REVIEWS = """
system: shop
team: {size: 12, teams: 3}
services:
  catalog: {owns: [Product]}
  reviews: {owns: [Review]}
entities:
  Product: {fields: {title: string(200), price_cents: int}, rows: 2M}
  Review: {fields: {product: ref(Product), stars: int, body: text}, growth: 300k/day}
use_cases:
  - {name: add product, writes: [Product], rate: 1k/day}
  - {name: get product, kind: get, reads: [Product], rate: 80M/day}
  - {name: review, kind: create, writes: [Review], rate: 300k/day}
"""

SHIPMENTS = """
system: freight
team: {size: 12, teams: 3}
services:
  network: {owns: [Depot]}
  shipping: {owns: [Parcel]}
entities:
  Depot: {fields: {name: string(100), city: string(60)}, rows: 50k}
  Parcel: {fields: {depot: ref(Depot), weight_g: int}, growth: 1M/day}
use_cases:
  - {name: add depot, writes: [Depot], rate: 50/day}
  - {name: depot details, kind: get, reads: [Depot], rate: 20M/day}
  - {name: send parcel, kind: create, writes: [Parcel], rate: 1M/day}
"""

LOANS = """
system: library
team: {size: 12, teams: 3}
services:
  shelves: {owns: [Book]}
  lending: {owns: [Loan]}
entities:
  Book: {fields: {title: string(200), isbn: string(13)}, rows: 5M}
  Loan: {fields: {book: ref(Book), due: date}, growth: 200k/day}
use_cases:
  - {name: catalogue book, writes: [Book], rate: 5k/day}
  - {name: show book, kind: get, reads: [Book], rate: 60M/day}
  - {name: borrow, kind: create, writes: [Loan], rate: 200k/day}
"""


def _design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


@pytest.mark.parametrize("text", [pytest.param(REVIEWS, id="reviews"), pytest.param(SHIPMENTS, id="parcels"), pytest.param(LOANS, id="loans")])
def test_check_reads_the_database_on_the_caches_misses_ok(text: str) -> None:
    """The owner's database counts each check at peak x (1 - the cache's hit ratio), and Redis counts its GETs and refills."""
    arch = _design(text)
    figures = {f.key: f for f in arch.figures}
    checks = [c for c in arch.reference_checks if c.check == CHECKED_BY_OWNER and c.peak]
    assert checks, "the spec makes no existence check on the owner"
    hits = {k: f.value for k, f in figures.items() if k.startswith("cache.hit_ratio.")}
    assert len(hits) == 1, "the owner's GET is the one cached read"
    ((cached, hit),) = hits.items()
    uid = cached.removeprefix("cache.hit_ratio.")
    for check in checks:
        db = next(f for k, f in figures.items() if k.startswith("db.reads.peak.") and f"check_{check.operation}_{check.column}" in f.inputs)
        assert db.inputs[f"check_{check.operation}_{check.column}"] == pytest.approx(check.peak * (1 - hit))
    redis = figures["redis.ops.peak"].inputs
    assert redis[f"check_cache_gets_{uid}"] == pytest.approx(sum(c.peak for c in checks))
    assert redis[f"check_cache_sets_{uid}"] == pytest.approx(sum(c.peak for c in checks) * (1 - hit))


def test_uncached_get_counts_every_check_ok() -> None:
    """Where the owner's GET is read too rarely to cache, every check reads the owner's database."""
    arch = _design(LOANS.replace("rate: 60M/day", "rate: 1k/day"))
    figures = {f.key: f for f in arch.figures}
    (check,) = [c for c in arch.reference_checks if c.check == CHECKED_BY_OWNER and c.peak]
    db = next(f for k, f in figures.items() if k.startswith("db.reads.peak.") and f"check_{check.operation}_{check.column}" in f.inputs)
    assert db.inputs[f"check_{check.operation}_{check.column}"] == pytest.approx(check.peak)
